import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  contextHash,
  contextTar,
  readContextDir,
  type BuildContext,
  type ContextFile,
} from '../../../launchers/images/build-context.js';

function file(path: string, content: string, mode = 0o644): ContextFile {
  return { path, mode, content: Buffer.from(content) };
}

const base: BuildContext = {
  files: [
    file('Dockerfile', 'FROM scratch\nCOPY . /\n'),
    file('entrypoint.sh', '#!/bin/sh\nexec "$@"\n', 0o755),
    file('etc/config', 'key=value\n'),
  ],
  dirs: ['certs', 'empty'],
};
const baseExtra = { BASE_IMAGE: 'debian:bookworm' };
const baseHash = contextHash(base, baseExtra);

describe('contextHash', () => {
  it('is a sha256 hex digest, stable across calls', () => {
    expect(baseHash).toMatch(/^[0-9a-f]{64}$/);
    expect(contextHash(base, baseExtra)).toBe(baseHash);
  });

  it('does not depend on the order of files, dirs or extra args', () => {
    const shuffled: BuildContext = { files: [...base.files].reverse(), dirs: [...base.dirs].reverse() };
    expect(contextHash(shuffled, baseExtra)).toBe(baseHash);
    const a = contextHash(base, { A: '1', B: '2' });
    const b = contextHash(base, { B: '2', A: '1' });
    expect(a).toBe(b);
  });

  it('does not mutate the context it hashes', () => {
    const ctx: BuildContext = { files: [...base.files].reverse(), dirs: ['z', 'a'] };
    const before = ctx.files.map((f) => f.path);
    contextHash(ctx, {});
    expect(ctx.files.map((f) => f.path)).toEqual(before);
    expect(ctx.dirs).toEqual(['z', 'a']);
  });

  const variants: Array<[string, BuildContext, Record<string, string>]> = [
    [
      'one content byte',
      {
        ...base,
        files: base.files.map((f, i) => (i === 0 ? file(f.path, 'FROM scratch\nCOPY . /\r', f.mode) : f)),
      },
      baseExtra,
    ],
    ['a mode', { ...base, files: base.files.map((f) => ({ ...f, mode: 0o755 })) }, baseExtra],
    [
      'a path',
      {
        ...base,
        files: base.files.map((f) => (f.path === 'etc/config' ? { ...f, path: 'etc/config2' } : f)),
      },
      baseExtra,
    ],
    ['a file added', { ...base, files: [...base.files, file('new', '')] }, baseExtra],
    ['a file removed', { ...base, files: base.files.slice(1) }, baseExtra],
    ['a dir added', { ...base, dirs: [...base.dirs, 'more'] }, baseExtra],
    ['a dir removed', { ...base, dirs: ['certs'] }, baseExtra],
    ['an extra arg value', base, { BASE_IMAGE: 'debian:trixie' }],
    ['an extra arg name', base, { BASE_IMAGEX: 'debian:bookworm' }],
    ['an extra arg added', base, { ...baseExtra, PROXY: 'x' }],
    ['no extra args', base, {}],
  ];

  it.each(variants)('changes when %s changes', (_what, ctx, extra) => {
    expect(contextHash(ctx, extra)).not.toBe(baseHash);
  });

  it('gives every variant its own hash', () => {
    const hashes = new Set(variants.map(([, ctx, extra]) => contextHash(ctx, extra)));
    expect(hashes.size).toBe(variants.length);
  });

  it("length-prefixes fields: ('ab','c') and ('a','bc') differ", () => {
    const one = contextHash({ files: [file('ab', 'c')], dirs: [] }, {});
    const two = contextHash({ files: [file('a', 'bc')], dirs: [] }, {});
    expect(one).not.toBe(two);
  });

  it('does not confuse file content with the next file header', () => {
    // Unframed, both would hash the byte string "file a 644xfile b 644y".
    const one = contextHash({ files: [file('a', 'x'), file('b', 'y')], dirs: [] }, {});
    const two = contextHash({ files: [file('a', 'xfile b 644y')], dirs: [] }, {});
    expect(one).not.toBe(two);
  });

  it('does not confuse two dirs with one dir whose name spans both ("dir adir b")', () => {
    const one = contextHash({ files: [], dirs: ['a', 'b'] }, {});
    const two = contextHash({ files: [], dirs: ['adir b'] }, {});
    expect(one).not.toBe(two);
  });

  it('distinguishes an empty directory from an empty file of the same name', () => {
    const asDir = contextHash({ files: [], dirs: ['x'] }, {});
    const asFile = contextHash({ files: [file('x', '')], dirs: [] }, {});
    expect(asDir).not.toBe(asFile);
  });
});

interface TarEntry {
  type: string | null | undefined;
  mode: number | undefined;
  content: Buffer;
  mtime: Date | undefined;
}

async function readTar(stream: NodeJS.ReadableStream): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const ex = extract();
  ex.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => chunks.push(c as Buffer));
    body.on('end', () => {
      entries.set(header.name, {
        type: header.type,
        mode: header.mode,
        content: Buffer.concat(chunks),
        mtime: header.mtime,
      });
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    (stream as Readable).pipe(ex);
  });
  return entries;
}

describe('contextTar', () => {
  it('contains every file with its mode and content, and every dir', async () => {
    const entries = await readTar(contextTar(base));
    expect([...entries.keys()].sort()).toEqual([
      'Dockerfile',
      'certs/',
      'empty/',
      'entrypoint.sh',
      'etc/config',
    ]);
    for (const f of base.files) {
      const entry = entries.get(f.path);
      expect(entry?.type, f.path).toBe('file');
      expect(entry?.mode, f.path).toBe(f.mode);
      expect(entry?.content.equals(f.content), f.path).toBe(true);
    }
    for (const d of base.dirs) expect(entries.get(`${d}/`)?.type).toBe('directory');
  });

  it('keeps binary content byte for byte', async () => {
    const content = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
    const entries = await readTar(contextTar({ files: [{ path: 'blob', mode: 0o644, content }], dirs: [] }));
    expect(entries.get('blob')?.content.equals(content)).toBe(true);
  });

  it('is reproducible: no timestamps from the clock', async () => {
    const entries = await readTar(contextTar(base));
    for (const [name, entry] of entries) expect(entry.mtime?.getTime(), name).toBe(0);
  });
});

describe('readContextDir feeds the same files to hash and tar', () => {
  it('reads regular files sorted with normalised modes, skipping symlinks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'containai-ctx-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'b.txt'), 'b');
    writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(dir, 'run.sh'), 0o700);
    writeFileSync(join(dir, 'group-writable'), 'g');
    chmodSync(join(dir, 'group-writable'), 0o664);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'a.txt'), 'a');
    symlinkSync('/etc/passwd', join(dir, 'passwd-link'));

    const files = readContextDir(dir, 'ctx');
    expect(files.map((f) => [f.path, f.mode.toString(8), f.content.toString()])).toEqual([
      ['ctx/b.txt', '644', 'b'],
      ['ctx/group-writable', '644', 'g'],
      ['ctx/run.sh', '755', '#!/bin/sh\n'],
      ['ctx/sub/a.txt', '644', 'a'],
    ]);
  });
});
