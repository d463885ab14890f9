// Resource limits for the agent container: parsed from --memory/--cpus/--pids
// with documented defaults, turned into the engine's units.
import { ContainaiError, quote } from '../../broker/errors.js';

export interface ResourceLimits {
  memoryBytes: number;
  nanoCpus: number;
  pids: number;
}

export const DEFAULT_LIMITS = { memory: '4g', cpus: '2', pids: '1024' } as const;

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function parseMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([bkmgt]?)i?b?$/i.exec(text.trim());
  const factor = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  const bytes = m?.[1] && factor ? Math.floor(Number(m[1]) * factor) : NaN;
  // Below 6 MiB the engine refuses to start the container at all.
  if (!Number.isSafeInteger(bytes) || bytes < 6 * 1024 ** 2) {
    throw usage('--memory', text, 'a size of at least 6m, like 512m or 4g');
  }
  return bytes;
}

export function parseCpus(text: string): number {
  const cpus = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
  // Below 0.01 the engine refuses the container, and 0 would mean no limit at all.
  if (!(cpus >= 0.01) || cpus > 1024) throw usage('--cpus', text, 'a number of CPUs from 0.01 up, like 1.5');
  return Math.round(cpus * 1e9);
}

export function parsePids(text: string): number {
  const pids = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  // A shell plus git needs a handful of processes; fewer is a typo.
  if (!(pids >= 16) || pids > 1_000_000) throw usage('--pids', text, 'a whole number of at least 16');
  return pids;
}

export function parseLimits(flags: { memory?: string; cpus?: string; pids?: string }): ResourceLimits {
  return {
    memoryBytes: parseMemory(flags.memory ?? DEFAULT_LIMITS.memory),
    nanoCpus: parseCpus(flags.cpus ?? DEFAULT_LIMITS.cpus),
    pids: parsePids(flags.pids ?? DEFAULT_LIMITS.pids),
  };
}

function usage(flag: string, value: string, expected: string): ContainaiError {
  return new ContainaiError('USAGE', `${flag} ${quote(value)} is not valid: expected ${expected}`, {
    actions: [`for example: ${flag} ${DEFAULT_LIMITS[flag.slice(2) as keyof typeof DEFAULT_LIMITS]}`],
  });
}
