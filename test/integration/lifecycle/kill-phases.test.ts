// Threat: a launcher killed with SIGKILL (no teardown runs) leaves behind
// containers, networks, volumes, an open broker session whose capabilities
// still redeem, or a socket directory. `containai gc` must find all of it,
// whichever phase the launch was in, through the launch record and labels.
// Each phase is reached deterministically: the test watches for the object
// that marks it (the launch record, the workspace volume, the bundle inside
// the container, the running agent) and kills the launcher right then.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../../../broker/paths.js';
import { brokerLayout } from '../../../broker/socket-paths.js';
import { STUB_USER } from '../../../launchers/secrets/deliver-bundle.js';
import { leftovers, runCli, startCli, TEST_RUN_LABEL, useTestEnv, type TestEnv } from '../helpers/cli.js';

const NONE = { containers: [], volumes: [], networks: [] };

type Phase = 'before create' | 'after create' | 'after bundle delivery' | 'while running';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function openBrokerSessions(t: TestEnv): Promise<string[]> {
  const r = await runCli('containai', ['broker', 'status', '--json'], { env: t.env });
  expect(r.status, r.stderr).toBe(0);
  const status = JSON.parse(r.stdout) as { sessionList: Array<{ sessionId: string; state: string }> };
  return status.sessionList.filter((s) => s.state === 'open').map((s) => s.sessionId);
}

async function agentContainer(t: TestEnv): Promise<string | undefined> {
  const found = await t.engine.listContainers([`${TEST_RUN_LABEL}=${t.runId}`, 'containai.role=agent']);
  return found.find((c) => c.State === 'running')?.Id;
}

/** Resolves once the phase's marker exists; `exited` aborts (the launcher got past it). */
async function reached(t: TestEnv, phase: Phase, exited: () => boolean): Promise<void> {
  const launches = join(t.home, 'state', 'launches');
  for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
    if (exited()) throw new Error(`the launcher exited before the phase "${phase}"`);
    switch (phase) {
      case 'before create':
        if (entries(launches).some((f) => f.endsWith('.json'))) return;
        await sleep(2);
        continue;
      case 'after create':
        if ((await leftovers(t)).volumes.length > 0) return;
        continue;
      case 'after bundle delivery':
      case 'while running': {
        const id = await agentContainer(t);
        if (id) {
          const file =
            phase === 'after bundle delivery' ? '/run/containai/bundle.json' : '/tmp/agent-running';
          const r = await t.engine.execCapture(id, { cmd: ['test', '-e', file], user: STUB_USER });
          if (r.exitCode === 0) return;
        }
        await sleep(20);
        continue;
      }
    }
  }
  throw new Error(`the phase "${phase}" was never reached`);
}

// launch-agent exits once ready (after that the session is the user's, and
// gc must leave it alone), so its "while running" is run-shell's.
const CASES: Array<{ launcher: 'launch-agent' | 'run-shell'; phase: Phase }> = [
  { launcher: 'launch-agent', phase: 'before create' },
  { launcher: 'launch-agent', phase: 'after create' },
  { launcher: 'launch-agent', phase: 'after bundle delivery' },
  { launcher: 'run-shell', phase: 'before create' },
  { launcher: 'run-shell', phase: 'after create' },
  { launcher: 'run-shell', phase: 'after bundle delivery' },
  { launcher: 'run-shell', phase: 'while running' },
];

describe('containai gc after kill -9 of the launcher', () => {
  it.each(CASES)(
    '$launcher killed $phase: gc leaves no labelled object, broker session, record or socket dir',
    async ({ launcher, phase }) => {
      const t = useTestEnv({ CONTAINAI_ALLOW_TAMPERED: '1', CONTAINAI_KEYRING: '0' });
      const stored = await runCli('containai', ['secrets', 'set', 'KILL_CANARY'], {
        env: t.env,
        input: 'kill-phase-canary',
      });
      expect(stored.status, stored.stderr).toBe(0);
      // Started up front, so `broker status` answers whatever phase the kill hit.
      const broker = await runCli('containai', ['broker', 'start'], { env: t.env });
      expect(broker.status, broker.stderr).toBe(0);

      const args =
        launcher === 'launch-agent'
          ? ['shell', '--json', '--secret', 'KILL_CANARY']
          : ['--secret', 'KILL_CANARY', '--prompt', 'touch /tmp/agent-running; sleep 120'];
      const { child, done } = startCli(launcher, args, { env: t.env });
      let exited = false;
      void done.then(() => (exited = true));
      await reached(t, phase, () => exited);
      child.kill('SIGKILL');
      const result = await done;
      expect(result.signal, result.stderr).toBe('SIGKILL');

      // What the kill left: the record always; from "after create" on, objects.
      const left = await leftovers(t);
      const layout = brokerLayout(resolvePaths(t.env));
      expect(entries(join(t.home, 'state', 'launches'))).toHaveLength(1);
      if (phase === 'before create') expect(left.containers).toEqual([]);
      else expect(left.volumes.length).toBeGreaterThan(0);
      if (phase === 'after bundle delivery' || phase === 'while running') {
        expect(await openBrokerSessions(t)).toHaveLength(1);
        expect(entries(layout.sessionsDir)).toHaveLength(1);
      }

      const gc = await runCli('containai', ['gc', '--json'], { env: t.env });
      expect(gc.status, gc.stderr).toBe(0);
      const report = JSON.parse(gc.stdout) as { removed: Array<{ reason: string }> };
      expect(report.removed, gc.stdout).toHaveLength(1);
      expect(await leftovers(t)).toEqual(NONE);
      expect(await openBrokerSessions(t)).toEqual([]);
      expect(entries(layout.sessionsDir)).toEqual([]);
      expect(entries(join(t.home, 'state', 'launches'))).toEqual([]);

      // Idempotent: a second run finds nothing.
      const again = await runCli('containai', ['gc', '--json'], { env: t.env });
      expect(again.status, again.stderr).toBe(0);
      expect((JSON.parse(again.stdout) as { removed: unknown[] }).removed).toEqual([]);
    },
  );
});
