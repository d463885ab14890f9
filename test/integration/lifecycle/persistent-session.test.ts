// Persistent sessions: launch-agent, list-agents, connect-agent, remove-agent,
// and gc after a launcher is killed. Everything through the built commands.
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { connectBroker } from '../../../broker/client.js';
import { resolvePaths } from '../../../broker/paths.js';
import {
  binPath,
  leftovers,
  runCli,
  startCli,
  useTestEnv,
  waitForSessionContainer,
  type TestEnv,
  storeSecret,
} from '../helpers/cli.js';
import { git, makeRepo } from '../helpers/git-repo.js';

const NONE = { containers: [], volumes: [], networks: [] };

function env(): TestEnv {
  return useTestEnv({ CONTAINAI_ALLOW_TAMPERED: '1', CONTAINAI_KEYRING: '0' });
}

async function openBrokerSessions(t: TestEnv): Promise<string[]> {
  try {
    const client = await connectBroker(resolvePaths(t.env), 2_000);
    try {
      return (await client.listSessions()).filter((s) => s.state === 'open').map((s) => s.sessionId);
    } finally {
      client.close();
    }
  } catch {
    return []; // no broker running: no session can be open
  }
}

describe('launch-agent / list-agents / connect-agent / remove-agent', () => {
  it('a persistent shell survives its launcher, is listed, reachable through a pty, and removed with its work imported', async () => {
    const t = env();
    // A unique directory name: session names are global, and another "repo" would take session-1's name.
    const repo = makeRepo(`repo-${t.runId}`);
    await storeSecret(t.env, 'CANARY_TOKEN', 'canary-value-1');
    const launched = await runCli('launch-agent', ['shell', repo, '--json', '--secret', 'CANARY_TOKEN'], {
      env: t.env,
    });
    expect(launched.status, launched.stderr).toBe(0);
    const info = JSON.parse(launched.stdout) as { name: string; containerId: string; branch: string };
    expect(info.branch).toBe('shell/session-1');
    // The launcher has exited; the tmux session is still there.
    const tmux = execFileSync('docker', [
      'exec',
      '-u',
      'agent',
      info.name,
      'tmux',
      'has-session',
      '-t',
      'agent',
    ]);
    expect(tmux).toBeDefined();
    expect(await openBrokerSessions(t)).toHaveLength(1);

    const listed = await runCli('list-agents', ['--json'], { env: t.env });
    expect(listed.status, listed.stderr).toBe(0);
    const mine = (JSON.parse(listed.stdout) as Array<Record<string, unknown>>).find(
      (s) => s.name === info.name,
    );
    expect(mine).toMatchObject({
      agent: 'shell',
      repo,
      branch: 'shell/session-1',
      profile: 'squid',
      mode: 'persistent',
      state: 'running',
    });
    expect(typeof mine!.uptimeSeconds).toBe('number');

    // connect-agent on a real pty (script from util-linux): type into the
    // agent's tmux, then detach (C-b d) so the shell keeps running.
    const marker = `reached-${t.runId}`;
    const pty = spawn(
      'script',
      ['-qfec', `${process.execPath} ${binPath('connect-agent')} -n ${info.name}`, '/dev/null'],
      {
        env: { ...t.env, TERM: 'xterm' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let screen = '';
    pty.stdout.on('data', (c: Buffer) => (screen += c.toString('utf8')));
    const exited = new Promise<number | null>((r) => pty.on('close', r));
    await new Promise((r) => setTimeout(r, 1500));
    pty.stdin.write(`echo ${marker} > /tmp/connected && git commit -q --allow-empty -m "made inside"\r`);
    await new Promise((r) => setTimeout(r, 1500));
    pty.stdin.write('\x02d'); // tmux prefix, detach
    const status = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    if (status === 'timeout') pty.kill('SIGKILL');
    expect(status, screen).toBe(0);
    expect(execFileSync('docker', ['exec', info.name, 'cat', '/tmp/connected'], { encoding: 'utf8' })).toBe(
      `${marker}\n`,
    );

    const removed = await runCli('remove-agent', [info.name], { env: t.env });
    expect(removed.status, removed.stderr).toBe(0);
    expect(git(repo, 'log', '-1', '--format=%s', 'shell/session-1').trim()).toBe('made inside');
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
    expect(await leftovers(t)).toEqual(NONE);
    expect(await openBrokerSessions(t)).toEqual([]);

    // Twice: harmless, and a clear error.
    const again = await runCli('remove-agent', [info.name], { env: t.env });
    expect(again.status).toBe(99);
    expect(again.stderr).toContain('SESSION_NOT_FOUND');
  });

  it('two sessions on one repository get session-1 and session-2; --no-push removal leaves the repo alone', async () => {
    const t = env();
    const repo = makeRepo(`repo-${t.runId}`);
    const names: string[] = [];
    for (const _ of [1, 2]) {
      const r = await runCli('launch-agent', ['shell', repo, '--json', '--network-proxy', 'restricted'], {
        env: t.env,
      });
      expect(r.status, r.stderr).toBe(0);
      names.push((JSON.parse(r.stdout) as { name: string; branch: string }).branch);
    }
    expect(names).toEqual(['shell/session-1', 'shell/session-2']);
    const before = git(repo, 'for-each-ref');
    for (const branch of names) {
      const name = `shell-${repo.split('/').pop()}-${branch.replace('/', '-')}`;
      const r = await runCli('remove-agent', [name, '--no-push'], { env: t.env });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(git(repo, 'for-each-ref')).toBe(before);
    expect(await leftovers(t)).toEqual(NONE);
  });

  it('connect-agent without a name and no session names the problem; a missing name is SESSION_NOT_FOUND', async () => {
    const t = env();
    const r = await runCli('connect-agent', ['-n', `no-such-${t.runId}`], { env: t.env });
    expect(r.status).toBe(99);
    expect(r.stderr).toContain('no session named');
  });

  it('names stay valid and unique for unicode, spaces and 200-character repository and branch names', async () => {
    const t = env();
    const repo = makeRepo(`Ünïcødé repo with spaces ${'x'.repeat(150)}`);
    const branch = `fix/${'é'.repeat(60)}/${'b'.repeat(135)}`; // 200 characters
    const r = await runCli(
      'launch-agent',
      ['shell', repo, '--json', '--network-proxy', 'restricted', '--branch', branch],
      {
        env: t.env,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { name: string; branch: string };
    expect(info.name).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
    expect(info.branch).toBe(`shell/${branch}`);
    execFileSync('docker', [
      'exec',
      '-u',
      'agent',
      '-w',
      '/workspace',
      info.name,
      'git',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'w',
    ]);
    const removed = await runCli('remove-agent', [info.name], { env: t.env });
    expect(removed.status, removed.stderr).toBe(0);
    expect(git(repo, 'log', '-1', '--format=%s', `shell/${branch}`).trim()).toBe('w');
    expect(await leftovers(t)).toEqual(NONE);
  });
});

describe('containai gc after kill -9', () => {
  it('removes what a killed run-* launcher left, including its broker session, and is idempotent', async () => {
    const t = env();
    await storeSecret(t.env, 'CANARY_TOKEN', 'canary-value-2');
    const { child, done } = startCli('run-shell', ['--secret', 'CANARY_TOKEN', '--prompt', 'sleep 60'], {
      env: t.env,
    });
    await waitForSessionContainer(t);
    child.kill('SIGKILL');
    await done;
    expect((await leftovers(t)).containers.length).toBeGreaterThan(0);
    expect(await openBrokerSessions(t)).toHaveLength(1);
    const dry = await runCli('containai', ['gc', '--dry-run', '--json'], { env: t.env });
    expect(dry.status, dry.stderr).toBe(0);
    expect((JSON.parse(dry.stdout) as { removed: unknown[] }).removed.length).toBeGreaterThan(0);
    expect((await leftovers(t)).containers.length).toBeGreaterThan(0);
    const gc = await runCli('containai', ['gc'], { env: t.env });
    expect(gc.status, gc.stderr).toBe(0);
    expect(await leftovers(t)).toEqual(NONE);
    expect(await openBrokerSessions(t)).toEqual([]);
    const again = await runCli('containai', ['gc', '--json'], { env: t.env });
    expect(again.status, again.stderr).toBe(0);
  });

  it('never touches a running persistent session', async () => {
    const t = env();
    const r = await runCli('launch-agent', ['shell', '--json', '--network-proxy', 'restricted'], {
      env: t.env,
    });
    expect(r.status, r.stderr).toBe(0);
    const { name } = JSON.parse(r.stdout) as { name: string };
    const gc = await runCli('containai', ['gc'], { env: t.env });
    expect(gc.status, gc.stderr).toBe(0);
    expect((await leftovers(t)).containers.length).toBe(1);
    expect((await runCli('remove-agent', [name], { env: t.env })).status).toBe(0);
  });
});
