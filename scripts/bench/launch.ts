// `run-shell --prompt true` against a bare `docker run --rm <same image> true`,
// alternating the two so that engine warm-up and noise hit both equally.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, ms, printLine, timeCommand } from './stats.js';

export async function benchLaunch(root: string, image: string, runs: number, profile: string): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'containai-bench-'));
  const cwd = mkdtempSync(join(tmpdir(), 'containai-bench-cwd-'));
  const env = { ...process.env, CONTAINAI_HOME: home };
  const launcher = [
    join(root, 'dist/launchers/bin/run-shell.js'),
    '--network-proxy',
    profile,
    '--prompt',
    'true',
  ];
  const bare = ['run', '--rm', '--network', 'none', image, 'true'];
  try {
    // One of each first, unmeasured: the first engine call of a run pays for caches.
    timeCommand(process.execPath, launcher, { env, cwd });
    timeCommand('docker', bare);
    const ours: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push(timeCommand(process.execPath, launcher, { env, cwd }));
      base.push(timeCommand('docker', bare));
    }
    printLine({
      name: `run-shell --prompt true (${profile}), median of ${runs}`,
      value: ms(median(ours)),
      baseline: `docker run --rm ${ms(median(base))}`,
      ratio: median(ours) / median(base),
      target: profile === 'restricted' ? '≤ 1.5' : '≤ 2.5',
    });
    // The squid sessions just run recorded their self-check's own duration.
    if (profile === 'squid') {
      const checks = selfCheckDurations(join(home, 'state', 'logs'));
      printLine({ name: `egress self-check (squid), median of ${checks.length}`, value: ms(median(checks)) });
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** The 'egress-check' event each squid session writes to its log (launchers/network/egress-self-check.ts). */
function selfCheckDurations(logs: string): number[] {
  return readdirSync(logs).flatMap((file) =>
    readFileSync(join(logs, file), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"egress-check"'))
      .map((line) => (JSON.parse(line) as { ms: number }).ms),
  );
}
