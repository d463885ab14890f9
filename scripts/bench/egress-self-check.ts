// The squid profile's fail-closed self-check (launchers/network/egress-self-check.ts):
// its own duration, as each session records it in its log ('egress-check' event).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, ms, printLine, timeCommand } from './stats.js';

export async function benchEgressSelfCheck(root: string, runs: number): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'containai-bench-'));
  const cwd = mkdtempSync(join(tmpdir(), 'containai-bench-cwd-'));
  const env = { ...process.env, CONTAINAI_HOME: home };
  const launcher = [
    join(root, 'dist/launchers/bin/run-shell.js'),
    '--network-proxy',
    'squid',
    '--prompt',
    'true',
  ];
  try {
    for (let i = 0; i < runs; i++) timeCommand(process.execPath, launcher, { env, cwd });
    const logs = join(home, 'state', 'logs');
    const samples = readdirSync(logs).flatMap((file) =>
      readFileSync(join(logs, file), 'utf8')
        .split('\n')
        .filter((line) => line.includes('"egress-check"'))
        .map((line) => (JSON.parse(line) as { ms: number }).ms),
    );
    printLine({ name: `egress self-check (squid), median of ${samples.length}`, value: ms(median(samples)) });
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
}
