import { describe, expect, it } from 'vitest';
import {
  asContainaiError,
  ContainaiError,
  ERROR_CATALOGUE,
  formatError,
  quote,
  type ErrorCode,
} from '../../../broker/errors.js';

describe('ContainaiError', () => {
  it('takes its exit status from the catalogue, unless overridden', () => {
    expect(new ContainaiError('REPO_DIRTY', 'x').exitStatus).toBe(ERROR_CATALOGUE.REPO_DIRTY.exit);
    expect(new ContainaiError('INTERRUPTED', 'x', { exitStatus: 143 }).exitStatus).toBe(143);
  });

  it('is an Error with a stable name', () => {
    const err = new ContainaiError('USAGE', 'bad flag');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ContainaiError');
    expect(err.message).toBe('bad flag');
  });
});

describe('formatError', () => {
  it('prints the code and message, then one line per cause and per action', () => {
    const err = new ContainaiError('DOCKER_DOWN', 'the engine refused the connection', {
      causes: ['the daemon is not running', 'a stale socket'],
      actions: ['sudo systemctl start docker'],
    });
    expect(formatError(err)).toBe(
      [
        'containai: error DOCKER_DOWN: the engine refused the connection',
        '  likely cause: the daemon is not running',
        '  likely cause: a stale socket',
        '  to fix: sudo systemctl start docker',
      ].join('\n'),
    );
  });

  it('prints a single line when there are no causes or actions', () => {
    expect(formatError(new ContainaiError('USAGE', 'nope'))).toBe('containai: error USAGE: nope');
  });

  it('keeps a message built with quote() on one line, whatever the value holds', () => {
    const hostile = 'main\ncontainai: error NONE: all fine\u001b[2J\r';
    const text = formatError(new ContainaiError('NAME_INVALID', `branch ${quote(hostile)} refused`));
    expect(text.split('\n')).toHaveLength(1);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\r');
  });
});

describe('toJSON', () => {
  it('has the broker reply shape', () => {
    const err = new ContainaiError('CAP_EXPIRED', 'expired', {
      causes: ['too slow'],
      actions: ['start a new session'],
      cause: new Error('secret internals'),
    });
    expect(err.toJSON()).toEqual({
      ok: false,
      code: 'CAP_EXPIRED',
      exitStatus: 88,
      message: 'expired',
      causes: ['too slow'],
      actions: ['start a new session'],
    });
  });

  it('never serialises the original cause', () => {
    const err = new ContainaiError('INTERNAL', 'x', { cause: new Error('token=hunter2') });
    const json = JSON.stringify(err);
    expect(json).not.toContain('hunter2');
    expect(JSON.parse(json)).toMatchObject({ ok: false, code: 'INTERNAL' });
  });

  it('returns copies: editing the report does not change the error', () => {
    const err = new ContainaiError('USAGE', 'x', { causes: ['a'], actions: ['b'] });
    const report = err.toJSON();
    report.causes.push('forged');
    report.actions.length = 0;
    expect(err.causes).toEqual(['a']);
    expect(err.actions).toEqual(['b']);
  });
});

describe('quote', () => {
  it('wraps the value in double quotes', () => {
    expect(quote('main')).toBe('"main"');
  });

  it.each([
    ['a newline', 'a\nb', '"a\\nb"'],
    ['a carriage return', 'a\rb', '"a\\rb"'],
    ['a tab', 'a\tb', '"a\\tb"'],
    ['an ANSI escape', '\u001b[31mred', '"\\u001b[31mred"'],
    ['a NUL', 'a\u0000b', '"a\\u0000b"'],
    ['a bell', '\u0007', '"\\u0007"'],
    ['a double quote', 'say "hi"', '"say \\"hi\\""'],
    ['a backslash', 'a\\b', '"a\\\\b"'],
  ])('escapes %s', (_what, value, expected) => {
    expect(quote(value)).toBe(expected);
  });

  it('leaves no C0 control character in its output', () => {
    const all = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
    expect([...quote(all)].filter((ch) => ch.charCodeAt(0) < 0x20)).toEqual([]);
  });

  it('keeps non-ASCII text readable', () => {
    expect(quote('fix/login-ü 🙂')).toBe('"fix/login-ü 🙂"');
  });

  it('shortens long values and says how long they were', () => {
    const long = 'x'.repeat(300);
    expect(quote(long)).toBe(`"${'x'.repeat(80)}…(300 chars)"`);
    expect(quote('x'.repeat(80))).toBe(`"${'x'.repeat(80)}"`);
    expect(quote('abcdef', 3)).toBe('"abc…(6 chars)"');
  });

  it('escapes control characters that fall inside the shortened part', () => {
    const text = quote(`${'x'.repeat(79)}\n${'y'.repeat(100)}`);
    expect(text).not.toContain('\n');
    expect(text).toContain('\\n');
  });
});

describe('asContainaiError', () => {
  it('returns a ContainaiError unchanged', () => {
    const err = new ContainaiError('REPO_DIRTY', 'dirty');
    expect(asContainaiError(err)).toBe(err);
  });

  it('wraps a plain Error as INTERNAL, keeping it as cause', () => {
    const original = new TypeError('cannot read properties of undefined');
    const err = asContainaiError(original);
    expect(err.code).toBe('INTERNAL');
    expect(err.exitStatus).toBe(ERROR_CATALOGUE.INTERNAL.exit);
    expect(err.message).toContain('cannot read properties of undefined');
    expect(err.cause).toBe(original);
    expect(err.actions.length).toBeGreaterThan(0);
  });

  it.each([
    ['a string', 'boom'],
    ['a number', 42],
    ['undefined', undefined],
    ['an object', { code: 'X' }],
  ])('wraps %s thrown as a value', (_what, value) => {
    const err = asContainaiError(value);
    expect(err).toBeInstanceOf(ContainaiError);
    expect(err.code).toBe('INTERNAL');
    expect(err.cause).toBe(value);
  });
});

describe('ERROR_CATALOGUE', () => {
  const entries = Object.entries(ERROR_CATALOGUE) as Array<[ErrorCode, { exit: number; summary: string }]>;

  it('gives every code a distinct exit status', () => {
    const byStatus = new Map<number, ErrorCode[]>();
    for (const [code, { exit }] of entries) byStatus.set(exit, [...(byStatus.get(exit) ?? []), code]);
    const duplicates = [...byStatus].filter(([, codes]) => codes.length > 1);
    expect(duplicates).toEqual([]);
  });

  it.each(entries)('%s exits with a status in 1..255', (_code, { exit }) => {
    expect(Number.isInteger(exit)).toBe(true);
    expect(exit).toBeGreaterThanOrEqual(1);
    expect(exit).toBeLessThanOrEqual(255);
  });

  it('keeps 1 and 2 free for generic failures and 126..128 for the shell', () => {
    const statuses = new Set(entries.map(([, { exit }]) => exit));
    for (const reserved of [1, 2, 126, 127, 128]) expect(statuses.has(reserved)).toBe(false);
  });

  it('uses the conventional statuses for timeout and Ctrl-C', () => {
    expect(ERROR_CATALOGUE.TIMEOUT.exit).toBe(124);
    expect(ERROR_CATALOGUE.INTERRUPTED.exit).toBe(130);
  });

  it('has a summary for every code', () => {
    for (const [code, { summary }] of entries) expect(summary.trim(), code).not.toBe('');
  });
});
