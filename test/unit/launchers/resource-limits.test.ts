import { describe, expect, it } from 'vitest';
import { ContainaiError } from '../../../broker/errors.js';
import {
  DEFAULT_LIMITS,
  parseCpus,
  parseLimits,
  parseMemory,
  parsePids,
} from '../../../launchers/session/limits.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function usageError(fn: () => unknown): ContainaiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ContainaiError) return err;
    throw err;
  }
  throw new Error('no error was thrown');
}

describe('parseMemory', () => {
  it.each([
    ['4g', 4 * GiB],
    ['4G', 4 * GiB],
    ['4gb', 4 * GiB],
    ['4GiB', 4 * GiB],
    ['512m', 512 * MiB],
    ['512MiB', 512 * MiB],
    ['1.5g', 1.5 * GiB],
    ['6m', 6 * MiB],
    ['6144k', 6 * MiB],
    [`${6 * MiB}`, 6 * MiB],
    [`${6 * MiB}b`, 6 * MiB],
    ['1t', 1024 * GiB],
    [' 4g ', 4 * GiB],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseMemory(text)).toBe(bytes);
  });

  it('refuses anything below the 6 MiB the engine needs', () => {
    expect(() => parseMemory(`${6 * MiB - 1}`)).toThrow(ContainaiError);
    expect(() => parseMemory('5m')).toThrow(ContainaiError);
    expect(() => parseMemory(`${6 * KiB - 1}k`)).toThrow(ContainaiError);
  });

  it.each([
    '',
    ' ',
    '0',
    '0g',
    '-1g',
    '4x',
    '4 g',
    'g',
    '1e9',
    '0x10g',
    'Infinity',
    'NaN',
    '4g; rm -rf /',
    '$(x)',
    '4g\nextra',
    '9'.repeat(400),
  ])('refuses %j with USAGE', (text) => {
    const err = usageError(() => parseMemory(text));
    expect(err.code).toBe('USAGE');
    expect(err.exitStatus).toBe(64);
    expect(err.message).toContain('--memory');
    expect(err.message).toContain(JSON.stringify(text).slice(0, 20));
    expect(err.message).not.toMatch(/[\n\r]/);
    expect(err.actions.join(' ')).toContain(`--memory ${DEFAULT_LIMITS.memory}`);
  });
});

describe('parseCpus', () => {
  it.each([
    ['2', 2e9],
    ['1.5', 1.5e9],
    ['0.5', 5e8],
    ['0.01', 1e7],
    ['1024', 1024e9],
    [' 3 ', 3e9],
  ])('reads %j as %d nano-CPUs', (text, nano) => {
    expect(parseCpus(text)).toBe(nano);
  });

  it.each(['', '0', '0.0', '-1', '1025', '1e3', '.5', '1.', 'two', '1,5', 'Infinity', '$(nproc)', '2\n3'])(
    'refuses %j with USAGE',
    (text) => {
      const err = usageError(() => parseCpus(text));
      expect(err.code).toBe('USAGE');
      expect(err.message).toContain('--cpus');
      expect(err.message).not.toMatch(/[\n\r]/);
      expect(err.actions.join(' ')).toContain(`--cpus ${DEFAULT_LIMITS.cpus}`);
    },
  );

  it('returns whole nano-CPUs, as the engine requires', () => {
    expect(Number.isInteger(parseCpus('0.3333333333333'))).toBe(true);
  });
});

describe('parsePids', () => {
  it.each([
    ['16', 16],
    ['1024', 1024],
    ['1000000', 1_000_000],
  ])('reads %j as %d', (text, pids) => {
    expect(parsePids(text)).toBe(pids);
  });

  it.each(['', '15', '0', '-1', '1000001', '1e3', '16.5', '0x20', 'unlimited', '-1; reboot'])(
    'refuses %j with USAGE',
    (text) => {
      const err = usageError(() => parsePids(text));
      expect(err.code).toBe('USAGE');
      expect(err.message).toContain('--pids');
      expect(err.actions.join(' ')).toContain(`--pids ${DEFAULT_LIMITS.pids}`);
    },
  );
});

describe('parseLimits', () => {
  it('applies the documented defaults when no flag is given', () => {
    expect(parseLimits({})).toEqual({ memoryBytes: 4 * GiB, nanoCpus: 2e9, pids: 1024 });
  });

  it('uses each given flag and defaults the rest', () => {
    expect(parseLimits({ memory: '512m' })).toEqual({ memoryBytes: 512 * MiB, nanoCpus: 2e9, pids: 1024 });
    expect(parseLimits({ cpus: '0.5', pids: '64' })).toEqual({
      memoryBytes: 4 * GiB,
      nanoCpus: 5e8,
      pids: 64,
    });
  });

  it('refuses the whole set when one value is bad, naming that flag', () => {
    const err = usageError(() => parseLimits({ memory: '1g', cpus: '1', pids: 'lots' }));
    expect(err.code).toBe('USAGE');
    expect(err.message).toMatch(/^--pids "lots"/);
  });
});
