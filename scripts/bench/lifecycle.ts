// Persistent-session management: `list-agents --json` with SESSIONS running
// sessions (real `launch-agent shell` sessions, each with a granted secret so
// listing also renews broker sessions), against `docker ps` of the same
// containers; then `remove-agent --no-push` of each, against `docker rm -f`
// of a plain running container. Everything carries a bench label and is
// removed by it, whatever happens.
//
// Only SQUID of the sessions use the default squid profile: each squid
// session takes two networks, and a default dockerd has address pools for
// about 30, so 20 squid sessions cannot run at once. The others are
// `--network-proxy restricted` (no network); removal is reported per profile.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerEngine } from '../../launchers/docker/engine.js';
import { median, ms, printLine, timeCommand } from './stats.js';

const BENCH_LABEL = 'containai.bench-run';

interface Spawned {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd: string; input?: string }) {
  return new Promise<Spawned>((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

export async function benchLifecycle(
  engine: DockerEngine,
  root: string,
  image: string,
  opts: { sessions: number; squid: number; parallel: number },
): Promise<void> {
  const runId = randomBytes(6).toString('hex');
  const label = `${BENCH_LABEL}=${runId}`;
  const home = mkdtempSync(join(tmpdir(), 'containai-bench-'));
  const cwd = mkdtempSync(join(tmpdir(), 'containai-bench-cwd-'));
  const env = { ...process.env, CONTAINAI_HOME: home, CONTAINAI_KEYRING: '0', CONTAINAI_LABELS: label };
  const bin = (command: string): string => join(root, 'dist/launchers/bin', `${command}.js`);
  const node = (command: string, args: string[], input?: string): Promise<Spawned> =>
    run(process.execPath, [bin(command), ...args], { env, cwd, input });
  try {
    const stored = await node('containai', ['secrets', 'set', 'BENCH_TOKEN'], 'bench-token-value');
    if (stored.status !== 0) throw new Error(`containai secrets set failed: ${stored.stderr}`);

    const started = Date.now();
    const sessions: Array<{ name: string; profile: string }> = [];
    for (let i = 0; i < opts.sessions; i += opts.parallel) {
      const batch = Array.from({ length: Math.min(opts.parallel, opts.sessions - i) }, (_, j) =>
        node('launch-agent', [
          'shell',
          '--json',
          '--secret',
          'BENCH_TOKEN',
          '--network-proxy',
          i + j < opts.squid ? 'squid' : 'restricted',
        ]),
      );
      for (const r of await Promise.all(batch)) {
        if (r.status !== 0) throw new Error(`launch-agent failed (${r.status}): ${r.stderr}`);
        sessions.push(JSON.parse(r.stdout) as { name: string; profile: string });
      }
    }
    const names = sessions.map((x) => x.name);
    process.stderr.write(
      `launched ${names.length} persistent sessions in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );

    const list = [bin('list-agents'), '--json'];
    const ps = [
      'ps',
      '--filter',
      `label=${label}`,
      '--filter',
      'label=containai.role=agent',
      '--format',
      'json',
    ];
    timeCommand(process.execPath, list, { env, cwd });
    timeCommand('docker', ps);
    const ours: number[] = [];
    const base: number[] = [];
    const runs = Number(process.env.BENCH_RUNS ?? 7);
    for (let i = 0; i < runs; i++) {
      ours.push(timeCommand(process.execPath, list, { env, cwd }));
      base.push(timeCommand('docker', ps));
    }
    printLine({
      name: `list-agents --json, ${names.length} sessions (${opts.squid} squid), median of ${runs}`,
      value: ms(median(ours)),
      baseline: `docker ps --filter label ${ms(median(base))}`,
      ratio: median(ours) / median(base),
      target: '≤ 300 ms',
    });

    // Plain running containers for the baseline, created before any timing.
    const plain: string[] = [];
    for (const _ of names) {
      const r = await run(
        'docker',
        ['run', '-d', '--label', label, '--network', 'none', '--entrypoint', 'sleep', image, 'infinity'],
        { env: process.env, cwd },
      );
      if (r.status !== 0) throw new Error(`docker run failed: ${r.stderr}`);
      plain.push(r.stdout.trim());
    }
    const removals = new Map<string, number[]>();
    const rms: number[] = [];
    for (const [i, { name, profile }] of sessions.entries()) {
      const took = timeCommand(process.execPath, [bin('remove-agent'), '--no-push', name], { env, cwd });
      removals.set(profile, [...(removals.get(profile) ?? []), took]);
      rms.push(timeCommand('docker', ['rm', '-f', plain[i]!]));
    }
    for (const [profile, samples] of removals) {
      printLine({
        name: `remove-agent --no-push (${profile}), median of ${samples.length}`,
        value: ms(median(samples)),
        baseline: `docker rm -f ${ms(median(rms))}`,
        ratio: median(samples) / median(rms),
        target: '≤ 1 s',
      });
    }
  } finally {
    await engine.removeLabelled([label]);
    await node('containai', ['broker', 'stop']).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
}
