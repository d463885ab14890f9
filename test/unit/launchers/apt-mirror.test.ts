import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ContainaiError } from '../../../broker/errors.js';
import {
  hostAptMirror,
  mirrorsFromDeb822,
  mirrorsFromSourcesList,
} from '../../../launchers/images/apt-mirror.js';

describe('mirrorsFromSourcesList (one-line format)', () => {
  it('reads a plain deb line', () => {
    expect(mirrorsFromSourcesList('deb http://deb.example/debian bookworm main\n', 'bookworm')).toEqual([
      'http://deb.example/debian',
    ]);
  });

  it('skips the [options] block', () => {
    const text =
      'deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.local/debian bookworm main contrib\n';
    expect(mirrorsFromSourcesList(text, 'bookworm')).toEqual(['http://mirror.local/debian']);
  });

  it('ignores comments, whole-line and trailing, and blank lines', () => {
    const text = [
      '# deb http://commented.example/debian bookworm main',
      '   #deb http://indented-comment.example/debian bookworm main',
      '',
      'deb http://real.example/debian bookworm main # trailing comment',
    ].join('\n');
    expect(mirrorsFromSourcesList(text, 'bookworm')).toEqual(['http://real.example/debian']);
  });

  it('only returns lines for the requested suite', () => {
    const text = [
      'deb http://a.example/debian bullseye main',
      'deb http://security.example/debian-security bookworm-security main',
      'deb http://b.example/debian bookworm-updates main',
      'deb http://c.example/debian bookworm main',
    ].join('\n');
    expect(mirrorsFromSourcesList(text, 'bookworm')).toEqual(['http://c.example/debian']);
    expect(mirrorsFromSourcesList(text, 'bullseye')).toEqual(['http://a.example/debian']);
  });

  it('ignores deb-src lines', () => {
    expect(mirrorsFromSourcesList('deb-src http://src.example/debian bookworm main', 'bookworm')).toEqual([]);
  });

  it('tolerates Windows line endings and extra spaces', () => {
    const text = '  deb   http://a.example/debian   bookworm   main\r\n';
    expect(mirrorsFromSourcesList(text, 'bookworm')).toEqual(['http://a.example/debian']);
  });
});

describe('mirrorsFromDeb822 (*.sources)', () => {
  const debian = [
    'Types: deb',
    'URIs: http://deb.example/debian',
    'Suites: bookworm bookworm-updates',
    'Components: main',
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
  ].join('\n');

  it('reads a stanza whose Suites include the suite', () => {
    expect(mirrorsFromDeb822(debian, 'bookworm')).toEqual(['http://deb.example/debian']);
    expect(mirrorsFromDeb822(debian, 'bookworm-updates')).toEqual(['http://deb.example/debian']);
    expect(mirrorsFromDeb822(debian, 'trixie')).toEqual([]);
  });

  it('skips stanzas with Enabled: no (any case)', () => {
    for (const enabled of ['no', 'No', 'NO']) {
      expect(mirrorsFromDeb822(`${debian}\nEnabled: ${enabled}`, 'bookworm')).toEqual([]);
    }
    expect(mirrorsFromDeb822(`${debian}\nEnabled: yes`, 'bookworm')).toEqual(['http://deb.example/debian']);
  });

  it('skips deb-src-only stanzas but reads "deb deb-src"', () => {
    const srcOnly = debian.replace('Types: deb', 'Types: deb-src');
    expect(mirrorsFromDeb822(srcOnly, 'bookworm')).toEqual([]);
    const both = debian.replace('Types: deb', 'Types: deb-src deb');
    expect(mirrorsFromDeb822(both, 'bookworm')).toEqual(['http://deb.example/debian']);
  });

  it('returns every URI of a stanza, in order', () => {
    const text = debian.replace(
      'URIs: http://deb.example/debian',
      'URIs: http://one.example/debian  https://two.example/debian',
    );
    expect(mirrorsFromDeb822(text, 'bookworm')).toEqual([
      'http://one.example/debian',
      'https://two.example/debian',
    ]);
  });

  it('reads several stanzas, skipping commented fields', () => {
    const text = [
      debian,
      '',
      '# security',
      'Types: deb',
      '# URIs: http://commented.example/debian',
      'URIs: http://security.example/debian-security',
      'Suites: bookworm-security',
      '',
      'Types: deb',
      'URIs: http://second.example/debian',
      'Suites: bookworm',
    ].join('\n');
    expect(mirrorsFromDeb822(text, 'bookworm')).toEqual([
      'http://deb.example/debian',
      'http://second.example/debian',
    ]);
    expect(mirrorsFromDeb822(text, 'bookworm-security')).toEqual(['http://security.example/debian-security']);
  });

  it('reads field names case-insensitively', () => {
    expect(mirrorsFromDeb822('types: deb\nuris: http://x.example/\nsuites: bookworm', 'bookworm')).toEqual([
      'http://x.example/',
    ]);
  });
});

describe('hostAptMirror', () => {
  function aptDir(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'containai-apt-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  }

  it('uses sources.list first', () => {
    const dir = aptDir({
      'sources.list': 'deb http://main.example/debian bookworm main\n',
      'sources.list.d/debian.sources': 'Types: deb\nURIs: http://d.example/debian\nSuites: bookworm\n',
    });
    expect(hostAptMirror('bookworm', dir)).toBe('http://main.example/debian');
  });

  it('falls back to sources.list.d, reading .sources and .list files in name order', () => {
    const dir = aptDir({
      'sources.list.d/b.list': 'deb http://b.example/debian bookworm main\n',
      'sources.list.d/a.sources': 'Types: deb\nURIs: http://a.example/debian\nSuites: bookworm\n',
    });
    expect(hostAptMirror('bookworm', dir)).toBe('http://a.example/debian');
  });

  it('ignores files with other extensions', () => {
    const dir = aptDir({
      'sources.list.d/a.list.disabled': 'deb http://disabled.example/debian bookworm main\n',
      'sources.list.d/b.list': 'deb http://b.example/debian bookworm main\n',
    });
    expect(hostAptMirror('bookworm', dir)).toBe('http://b.example/debian');
  });

  it('skips non-http mirrors such as cdrom: and file:', () => {
    const dir = aptDir({
      'sources.list': [
        'deb cdrom:[Debian GNU/Linux 12]/ bookworm main',
        'deb file:///srv/mirror bookworm main',
        'deb https://secure.example/debian bookworm main',
      ].join('\n'),
    });
    expect(hostAptMirror('bookworm', dir)).toBe('https://secure.example/debian');
  });

  it('refuses with BASE_IMAGE_UNAVAILABLE when no mirror serves the suite', () => {
    const dir = aptDir({ 'sources.list': 'deb http://a.example/ubuntu jammy main\n' });
    let err: unknown;
    try {
      hostAptMirror('bookworm', dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ContainaiError);
    expect((err as ContainaiError).code).toBe('BASE_IMAGE_UNAVAILABLE');
    expect((err as ContainaiError).message).toContain('"bookworm"');
    expect((err as ContainaiError).actions.join('\n')).toContain('CONTAINAI_DEBIAN_MIRROR=');
  });

  it('refuses with BASE_IMAGE_UNAVAILABLE for an empty or missing apt directory', () => {
    expect(() => hostAptMirror('bookworm', aptDir({}))).toThrow(
      expect.objectContaining({ code: 'BASE_IMAGE_UNAVAILABLE' }),
    );
    expect(() => hostAptMirror('bookworm', join(aptDir({}), 'missing'))).toThrow(
      expect.objectContaining({ code: 'BASE_IMAGE_UNAVAILABLE' }),
    );
  });
});
