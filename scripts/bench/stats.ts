// Small statistics and timing helpers for the benchmarks.
import { spawnSync } from 'node:child_process';

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

/** Wall time of a command in milliseconds; throws if it fails. */
export function timeCommand(
  file: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0)
    throw new Error(`${file} ${args.join(' ')} failed (${result.status}): ${result.stderr.toString()}`);
  return elapsed;
}

export function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

export interface BenchLine {
  name: string;
  value: string;
  baseline?: string;
  ratio?: number;
  target?: string;
}

export function printLine(line: BenchLine): void {
  const ratio = line.ratio === undefined ? '' : `  ratio ${line.ratio.toFixed(2)}`;
  const base = line.baseline ? `  (baseline ${line.baseline})` : '';
  const target = line.target ? `  [target ${line.target}]` : '';
  process.stdout.write(`${line.name.padEnd(48)} ${line.value}${base}${ratio}${target}\n`);
}
