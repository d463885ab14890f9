import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  choosePromptDelivery,
  MAX_ARGV_BYTES,
  PROMPT_FILE,
  writePromptFileCommand,
} from '../../../launchers/session/prompt-delivery.js';

describe('choosePromptDelivery', () => {
  it('sends a short text prompt as one argv element, unchanged', () => {
    const text = 'fix the bug; $(rm -rf /) `id` "quoted" \'single\' \n newline -- --help';
    expect(choosePromptDelivery(Buffer.from(text))).toEqual({ kind: 'argv', text });
  });

  it('keeps multi-byte UTF-8 text in argv', () => {
    const text = 'Grüße 🙂 日本語';
    expect(choosePromptDelivery(Buffer.from(text))).toEqual({ kind: 'argv', text });
  });

  it('uses argv for the empty prompt', () => {
    expect(choosePromptDelivery(Buffer.alloc(0))).toEqual({ kind: 'argv', text: '' });
  });

  it('stays under the kernel limit of 128 KiB including the trailing NUL', () => {
    expect(MAX_ARGV_BYTES + 1).toBe(128 * 1024);
  });

  it('uses argv at exactly MAX_ARGV_BYTES bytes', () => {
    const prompt = Buffer.alloc(MAX_ARGV_BYTES, 'a');
    const delivery = choosePromptDelivery(prompt);
    expect(delivery.kind).toBe('argv');
    expect(delivery.kind === 'argv' && Buffer.byteLength(delivery.text)).toBe(MAX_ARGV_BYTES);
  });

  it('uses a file at MAX_ARGV_BYTES + 1 bytes, carrying every byte', () => {
    const prompt = Buffer.alloc(MAX_ARGV_BYTES + 1, 'a');
    const delivery = choosePromptDelivery(prompt);
    expect(delivery).toEqual({ kind: 'file', path: PROMPT_FILE, bytes: prompt });
  });

  it('counts bytes, not characters: a multi-byte prompt over the limit goes to a file', () => {
    // 3-byte characters: fewer characters than MAX_ARGV_BYTES, more bytes.
    const text = '€'.repeat(Math.floor(MAX_ARGV_BYTES / 3) + 1);
    expect(text.length).toBeLessThan(MAX_ARGV_BYTES);
    expect(choosePromptDelivery(Buffer.from(text)).kind).toBe('file');
  });

  it.each([
    ['a NUL byte in the middle', Buffer.from('before\0after')],
    ['a NUL byte at the end', Buffer.from('text\0')],
    ['only a NUL byte', Buffer.from([0])],
  ])('uses a file for %s (argv cannot carry NUL)', (_what, prompt) => {
    const delivery = choosePromptDelivery(prompt);
    expect(delivery.kind).toBe('file');
    expect(delivery.kind === 'file' && delivery.bytes.equals(prompt)).toBe(true);
  });

  it.each([
    ['a lone continuation byte', Buffer.from([0x61, 0x80, 0x62])],
    ['a truncated 3-byte sequence', Buffer.from([0x61, 0xe2, 0x82])],
    ['an overlong encoding of "/"', Buffer.from([0xc0, 0xaf])],
    ['a UTF-16 surrogate encoded in UTF-8', Buffer.from([0xed, 0xa0, 0x80])],
    ['Latin-1 text', Buffer.from('Gr\xfc\xdfe', 'latin1')],
  ])('uses a file for invalid UTF-8: %s, keeping the bytes exactly', (_what, prompt) => {
    const delivery = choosePromptDelivery(prompt);
    expect(delivery.kind).toBe('file');
    expect(delivery.kind === 'file' && delivery.bytes.equals(prompt)).toBe(true);
  });
});

describe('writePromptFileCommand', () => {
  const hostilePaths = [
    PROMPT_FILE,
    '/tmp/x"; rm -rf / #',
    "/tmp/x'; touch /pwned; '",
    '/tmp/$(id)',
    '/tmp/`id`',
    '/tmp/a b',
    '/tmp/new\nline',
  ];

  it.each(hostilePaths)('passes %j as a separate argument, never inside the script', (path) => {
    const argv = writePromptFileCommand(path);
    expect(argv[0]).toBe('sh');
    expect(argv[1]).toBe('-c');
    const script = argv[2] ?? '';
    expect(script).not.toContain(path);
    expect(argv[argv.length - 1]).toBe(path);
    expect(argv.filter((a) => a === path)).toHaveLength(1);
  });

  it('uses the same fixed script for every path', () => {
    const scripts = new Set(hostilePaths.map((p) => writePromptFileCommand(p)[2]));
    expect(scripts.size).toBe(1);
  });

  it('writes the file readable only by its owner and reads the path from $1', () => {
    const [, , script, arg0, arg1] = writePromptFileCommand(PROMPT_FILE);
    expect(script).toContain('umask 077');
    expect(script).toContain('"$1"');
    // sh -c SCRIPT NAME ARG: NAME becomes $0, so the path must come after it.
    expect(arg0).not.toBe(PROMPT_FILE);
    expect(arg1).toBe(PROMPT_FILE);
  });

  it('run by sh, writes stdin byte for byte to a hostile path, mode 0600, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'containai-prompt-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'p $(touch pwned) `touch pwned2`; "x\'');
    const bytes = Buffer.from([0x00, 0xff, 0x0a, ...Buffer.from('$(id) 🙂')]);
    const [cmd = '', ...args] = writePromptFileCommand(path);
    const result = spawnSync(cmd, args, { input: bytes });
    expect(result.status, result.stderr.toString()).toBe(0);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([path.slice(dir.length + 1)]);
  });
});
