import { describe, expect, it } from 'vitest';
import { ContainaiError } from '../../../broker/errors.js';
import {
  MAX_BRANCH_LENGTH,
  nextSessionBranch,
  validateBranchSuffix,
} from '../../../launchers/session/branch.js';

/** C0 control characters (newline, escape, NUL…) found in `text`. */
function controlCharacters(text: string): string[] {
  return [...text].filter((ch) => ch.charCodeAt(0) < 0x20);
}

function refusal(branch: string): ContainaiError {
  try {
    validateBranchSuffix(branch);
  } catch (err) {
    if (err instanceof ContainaiError) return err;
    throw err;
  }
  throw new Error(`${JSON.stringify(branch)} was accepted`);
}

describe('validateBranchSuffix refuses hostile branch names', () => {
  const hostile = [
    '',
    '../x',
    'a/../../etc',
    '-rf',
    '--upload-pack=touch /tmp/pwned',
    'has space',
    'line\nbreak',
    'evil\n\u001b[2Jcontainai: all good',
    'tab\there',
    'cr\rhere',
    '$(x)',
    '${HOME}',
    'a;b',
    'a|b',
    'a&b',
    'a>b',
    'x'.repeat(MAX_BRANCH_LENGTH + 1),
    'x'.repeat(300),
    'a..b',
    'x.lock',
    'a/x.lock/b',
    '.hidden',
    'a/.hidden',
    'a//b',
    '/a',
    'a/',
    'a.',
    '`id`',
    'a~1',
    'a^1',
    'a:b',
    'a?',
    'a*',
    'a[b',
    'a\\b',
    '@{-1}',
    'nul\u0000byte',
    'bidi\u202eevil',
  ];

  it.each(hostile.map((b) => [JSON.stringify(b).slice(0, 40), b]))('refuses %s', (_label, branch) => {
    const err = refusal(branch);
    expect(err.code).toBe('NAME_INVALID');
    expect(err.exitStatus).toBe(65);
    expect(err.causes.length).toBeGreaterThan(0);
    expect(err.actions.length).toBeGreaterThan(0);
  });

  it.each(hostile.map((b) => [JSON.stringify(b).slice(0, 40), b]))(
    'shows %s quoted and escaped, on one line',
    (_label, branch) => {
      const { message } = refusal(branch);
      expect(controlCharacters(message)).toEqual([]);
      const shown = branch.length > 80 ? `${branch.slice(0, 80)}…(${branch.length} chars)` : branch;
      expect(message).toContain(`--branch ${JSON.stringify(shown)}`);
    },
  );

  it('shows a newline as the two characters \\n', () => {
    const { message } = refusal('a\nb');
    expect(message).toContain('"a\\nb"');
    expect(message.split('\n')).toHaveLength(1);
  });

  it('shortens a 300-character value and says how long it was', () => {
    const { message } = refusal('x'.repeat(300));
    expect(message).toContain('(300 chars)');
    expect(message).not.toContain('x'.repeat(81));
  });

  it('says why a leading dash is refused', () => {
    expect(refusal('-rf').message).toMatch(/starts with "-"/);
  });
});

describe('validateBranchSuffix accepts ordinary branch names', () => {
  it.each([
    'fix-login-bug',
    'fix/login-ü',
    'feature/ÄÖÜ-ß',
    '日本語/ブランチ',
    'release_1.2.3',
    'a',
    'a-',
    'v1.0/x',
    'lock.x',
    'a.lockx',
    'x'.repeat(MAX_BRANCH_LENGTH),
  ])('accepts %j unchanged', (branch) => {
    expect(validateBranchSuffix(branch)).toBe(branch);
  });
});

describe('nextSessionBranch', () => {
  it('starts at session-1', () => {
    expect(nextSessionBranch('shell', new Set())).toBe('shell/session-1');
  });

  it('picks the smallest free number, filling gaps', () => {
    const taken = new Set(['shell/session-1', 'shell/session-2', 'shell/session-4']);
    expect(nextSessionBranch('shell', taken)).toBe('shell/session-3');
  });

  it("ignores other agents' branches", () => {
    const taken = new Set(['codex/session-1', 'codex/session-2']);
    expect(nextSessionBranch('shell', taken)).toBe('shell/session-1');
  });

  it('produces a suffix that itself passes validation', () => {
    const branch = nextSessionBranch('shell', new Set(['shell/session-1']));
    expect(validateBranchSuffix(branch.slice('shell/'.length))).toBe('session-2');
  });
});
