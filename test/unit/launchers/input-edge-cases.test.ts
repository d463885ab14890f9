// Edge cases found by review: each once slipped through, so each is pinned here.
import { describe, expect, it } from 'vitest';
import { ContainaiError, quote } from '../../../broker/errors.js';
import { commandSpec } from '../../../launchers/cli/command-specs.js';
import { parseFlags } from '../../../launchers/cli/parse-flags.js';
import { extraLabels } from '../../../launchers/docker/labels.js';
import { validateBranchSuffix } from '../../../launchers/session/branch.js';
import { parseCpus, parseMemory } from '../../../launchers/session/limits.js';

const usage = (fn: () => unknown): void => {
  expect(fn).toThrow(ContainaiError);
  try {
    fn();
  } catch (err) {
    expect((err as ContainaiError).code).toBe('USAGE');
  }
};

describe('resource limits never silently become "unlimited" or overflow', () => {
  it.each(['0.0000000001', '0.001', '0.009'])('--cpus %s is refused (0 NanoCpus would mean no limit)', (v) =>
    usage(() => parseCpus(v)),
  );
  it('--cpus 0.01 is the smallest accepted value', () => expect(parseCpus('0.01')).toBe(10_000_000));
  it('--memory beyond what the engine can represent is refused', () =>
    usage(() => parseMemory('100000000t')));
});

describe('untrusted text in messages cannot drive the terminal', () => {
  it('quote escapes DEL and C1 controls (U+009B starts an escape sequence on some terminals)', () => {
    const shown = quote('a\u009b31mb\u007fc');
    expect(shown).not.toMatch(/[\u007f-\u009f]/);
    expect(shown).toContain('\\u009b');
    expect(shown).toContain('\\u007f');
  });

  it('an unknown flag with a newline does not forge a second line', () => {
    try {
      parseFlags(commandSpec('run-shell'), ['--x\nFAKE LINE']);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
      expect((err as Error).message).toContain('\\u000a');
    }
  });

  it('a flag value starting with a dash gives a one-line usage error', () => {
    try {
      parseFlags(commandSpec('run-shell'), ['--branch', '-rf']);
      expect.unreachable();
    } catch (err) {
      expect((err as ContainaiError).code).toBe('USAGE');
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('extra labels', () => {
  it('ignores a pair whose key is blank after trimming', () =>
    expect(extraLabels(' =v,k=v')).toEqual({ k: 'v' }));
});

describe('branch names in scripts with combining marks', () => {
  it.each(['हिन्दी', 'fix/login-u\u0308', 'ทดสอบ'])('%s is accepted', (b) =>
    expect(validateBranchSuffix(b)).toBe(b),
  );
});
