import { describe, expect, it } from 'vitest';
import {
  isValidSessionName,
  MAX_NAME_LENGTH,
  sessionName,
  slug,
  withOrdinal,
} from '../../../launchers/session/names.js';

const long200 = 'r'.repeat(200);
const long300 = 'b'.repeat(300);

describe('slug folds arbitrary text into [a-z0-9-]', () => {
  it.each([
    ['My Repo', 'my-repo'],
    ['Crème Brûlée', 'creme-brulee'],
    ['fix/login-ü', 'fix-login-u'],
    ['ﬁx', 'fix'], // compatibility ligature folds to plain letters
    ['a\nb\tc', 'a-b-c'],
    ['$(rm -rf /)', 'rm-rf'],
    ['-rf', 'rf'],
    ['`id`;echo', 'id-echo'],
    ['---', ''],
    ['日本語', ''],
    ['', ''],
  ])('slug(%j) is %j', (input, expected) => {
    expect(slug(input)).toBe(expected);
  });
});

describe('sessionName always yields a valid DNS label', () => {
  const hostile = [
    'Crème Brûlée',
    '日本語のリポジトリ',
    'with spaces and\ttabs',
    'line\nbreak\r\n',
    '$(touch /tmp/pwned)',
    '`id`',
    '-rf',
    '--help',
    '../../etc/passwd',
    '\u001b[31mred\u001b[0m',
    '\u0000nul',
    '🙂🙂🙂',
    '',
    '-',
    'x'.repeat(200),
    'y'.repeat(300),
    `${'a-'.repeat(150)}`,
  ];

  it('for every combination of hostile agent, repo and branch text', () => {
    let checked = 0;
    for (const agent of ['shell', 'Claude Code', '', '日本', ...hostile.slice(0, 6)]) {
      for (const repo of hostile) {
        for (const branch of ['main', 'fix/login-ü', '', '$(x)', long300, ...hostile.slice(6)]) {
          const name = sessionName(agent, repo, branch);
          const label = JSON.stringify([agent, repo, branch]);
          expect(isValidSessionName(name), `${label} -> ${name}`).toBe(true);
          expect(name.length, label).toBeLessThanOrEqual(MAX_NAME_LENGTH);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('keeps a short, foldable name readable', () => {
    expect(sessionName('shell', 'My Repo', 'shell/session-1')).toBe('shell-my-repo-shell-session-1');
  });

  it('replaces a part that folds to nothing with a placeholder', () => {
    expect(sessionName('日本', 'repo', 'main')).toBe('agent-repo-main');
    expect(sessionName('shell', '日本語', 'main')).toMatch(/^shell-repo-[0-9a-f]{8}-main$/);
    expect(sessionName('shell', 'repo', '🙂')).toMatch(/^shell-repo-branch-[0-9a-f]{8}$/);
  });

  it('keeps repos that both fold to nothing distinct', () => {
    expect(sessionName('shell', '日本語', 'main')).not.toBe(sessionName('shell', '中文', 'main'));
  });

  it('shortens 200- and 300-character parts to exactly the limit', () => {
    const name = sessionName('shell', long200, long300);
    expect(name.length).toBe(MAX_NAME_LENGTH);
    expect(name.startsWith('shell-rrrr')).toBe(true);
    expect(name).toMatch(/-[0-9a-f]{8}$/);
  });

  it('keeps distinct long inputs distinct even when they share a long prefix', () => {
    const names = new Set<string>();
    for (let i = 0; i < 50; i++) names.add(sessionName('shell', `${long200}${i}`, 'main'));
    // Differences only in the last characters of a part, and only in the branch.
    names.add(sessionName('shell', long200, `${long300}a`));
    names.add(sessionName('shell', long200, `${long300}b`));
    expect(names.size).toBe(52);
  });

  it('does not let a dash at the cut point end the prefix with "--"', () => {
    // Arrange for the character at the cut (room = 54) to be a dash.
    const agent = 'a'.repeat(53);
    const name = sessionName(agent, 'repo', 'branch-that-makes-it-long');
    expect(isValidSessionName(name)).toBe(true);
    expect(name).not.toContain('--');
  });

  it('is deterministic', () => {
    expect(sessionName('shell', long200, long300)).toBe(sessionName('shell', long200, long300));
  });
});

describe('withOrdinal', () => {
  it('leaves the first attempt unchanged', () => {
    expect(withOrdinal('shell-repo-main', 1)).toBe('shell-repo-main');
    expect(withOrdinal('shell-repo-main', 0)).toBe('shell-repo-main');
  });

  it('appends -N for later attempts', () => {
    expect(withOrdinal('shell-repo-main', 2)).toBe('shell-repo-main-2');
    expect(withOrdinal('shell-repo-main', 17)).toBe('shell-repo-main-17');
  });

  it('stays within the limit and valid for a full-length name', () => {
    const full = sessionName('shell', long200, long300);
    expect(full.length).toBe(MAX_NAME_LENGTH);
    for (const n of [2, 9, 10, 99, 100, 12345]) {
      const name = withOrdinal(full, n);
      expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
      expect(isValidSessionName(name), name).toBe(true);
      expect(name.endsWith(`-${n}`)).toBe(true);
    }
  });

  it('does not produce "--" when the cut lands on a dash', () => {
    const name = `${'a'.repeat(60)}-bb`; // 63 chars; cutting to 61 leaves "…a-"
    expect(withOrdinal(name, 2)).toBe(`${'a'.repeat(60)}-2`);
  });

  it('gives distinct names for distinct ordinals', () => {
    const full = sessionName('shell', long200, long300);
    const names = new Set([2, 3, 4, 10, 11].map((n) => withOrdinal(full, n)));
    expect(names.size).toBe(5);
  });
});

describe('isValidSessionName refuses what the engine would', () => {
  it.each(['', '-a', 'a-', 'A', 'a_b', 'a.b', 'a b', 'ü', 'a'.repeat(64)])('refuses %j', (name) => {
    expect(isValidSessionName(name)).toBe(false);
  });

  it.each(['a', '0', 'a-b', 'a--b', 'a'.repeat(63)])('accepts %j', (name) => {
    expect(isValidSessionName(name)).toBe(true);
  });
});
