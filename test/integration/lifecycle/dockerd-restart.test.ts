// A persistent session outlives its launcher and must stay manageable when
// the Docker daemon restarts underneath it: list-agents reads labels only,
// so it still names the session (now stopped: restart policy "no"), and
// remove-agent still imports its work and removes every object.
//
// Restarting the engine breaks every other test running at that moment:
// this file runs alone, in the `engine-restart` vitest project, after the
// integration project has finished (vitest.config.ts).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connectBroker } from '../../../broker/client.js';
import { resolvePaths } from '../../../broker/paths.js';
import { leftovers, runCli, useTestEnv, type TestEnv } from '../helpers/cli.js';
import { git, makeRepo } from '../helpers/git-repo.js';

const NONE = { containers: [], volumes: [], networks: [] };
const DOCKERD_LOG = '/var/log/containai-dockerd.log';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const systemd = existsSync('/run/systemd/system') && spawnSync('systemctl', ['--version']).status === 0;

function dockerdPid(): number | undefined {
  const r = spawnSync('pgrep', ['-x', 'dockerd'], { encoding: 'utf8' });
  const pid = Number(r.stdout.trim().split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Only root can restart a dockerd that systemd does not manage. */
const canRestart = systemd || (process.getuid?.() === 0 && dockerdPid() !== undefined);

const engineUp = (): boolean => spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;

/** As scripts/setup-local-dev.sh starts it: systemd when present, else nohup dockerd. */
async function restartDockerd(): Promise<void> {
  if (systemd) {
    execFileSync('systemctl', ['restart', 'docker']);
  } else {
    const pid = dockerdPid()!;
    process.kill(pid, 'SIGTERM');
    for (const deadline = Date.now() + 60_000; existsSync(`/proc/${pid}`);) {
      if (Date.now() > deadline) throw new Error(`dockerd (pid ${pid}) did not exit after SIGTERM`);
      await sleep(200);
    }
    const log = openSync(DOCKERD_LOG, 'w');
    spawn('nohup', ['dockerd'], { detached: true, stdio: ['ignore', log, log] }).unref();
  }
  for (const deadline = Date.now() + 60_000; !engineUp();) {
    if (Date.now() > deadline) throw new Error(`dockerd did not come back (see ${DOCKERD_LOG})`);
    await sleep(500);
  }
}

async function openBrokerSessions(t: TestEnv): Promise<string[]> {
  const client = await connectBroker(resolvePaths(t.env), 2_000);
  try {
    return (await client.listSessions()).filter((s) => s.state === 'open').map((s) => s.sessionId);
  } finally {
    client.close();
  }
}

async function listed(t: TestEnv, name: string): Promise<Record<string, unknown> | undefined> {
  const r = await runCli('list-agents', ['--json'], { env: t.env });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Array<Record<string, unknown>>).find((s) => s.name === name);
}

describe.skipIf(!canRestart)('a persistent session across a dockerd restart', () => {
  it('is listed from its labels as stopped, and remove-agent still imports its work and removes it', async () => {
    const t = useTestEnv({ CONTAINAI_ALLOW_TAMPERED: '1', CONTAINAI_KEYRING: '0' });
    const repo = makeRepo(`repo-${t.runId}`);
    const stored = await runCli('containai', ['secrets', 'set', 'RESTART_CANARY'], {
      env: t.env,
      input: 'restart-canary',
    });
    expect(stored.status, stored.stderr).toBe(0);
    const launched = await runCli('launch-agent', ['shell', repo, '--json', '--secret', 'RESTART_CANARY'], {
      env: t.env,
    });
    expect(launched.status, launched.stderr).toBe(0);
    const { name } = JSON.parse(launched.stdout) as { name: string };
    execFileSync('docker', [
      'exec',
      '-u',
      'agent',
      '-w',
      '/workspace',
      name,
      'git',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'made before the restart',
    ]);
    const before = await listed(t, name);
    expect(before).toMatchObject({
      agent: 'shell',
      repo,
      branch: 'shell/session-1',
      profile: 'squid',
      mode: 'persistent',
      state: 'running',
    });

    await restartDockerd();

    const after = await listed(t, name);
    const { state: _s, uptimeSeconds: _u, ...labelled } = before!;
    expect(after).toEqual({ ...labelled, state: 'exited' });
    const text = await runCli('list-agents', [], { env: t.env });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`^${name}\\s+shell\\s+persistent\\s+exited\\s+-\\s+squid\\s`, 'm'),
    );

    const removed = await runCli('remove-agent', [name], { env: t.env });
    expect(removed.status, removed.stderr).toBe(0);
    expect(git(repo, 'log', '-1', '--format=%s', 'shell/session-1').trim()).toBe('made before the restart');
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
    expect(await leftovers(t)).toEqual(NONE);
    expect(await openBrokerSessions(t)).toEqual([]);
    expect(await listed(t, name)).toBeUndefined();
  });
});
