// Threat: the agent (or anything that can read engine metadata, logs or disk)
// learns a host secret it was not meant to see, or a granted secret leaks
// beyond the one process that needs it. The broker seals it, the stub
// redeems it, and only the agent process's environment holds it.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  leftovers,
  runCli,
  startCli,
  useTestEnv,
  waitForSessionContainer,
  storeSecret,
} from '../helpers/cli.js';
import { containerProcesses, containsSecret, docker, filesContaining } from '../helpers/leak-scan.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function canary(): string {
  return `canary-${randomBytes(12).toString('hex')}`;
}

describe('a granted secret reaches the agent process and nothing else', () => {
  it('is delivered through the broker and absent from inspect, exec inspect, disk, logs, state and other processes', async () => {
    const t = useTestEnv({ CONTAINAI_KEYRING: '0' });
    const secret = canary();
    const stored = await storeSecret(t.env, 'CANARY', secret);
    expect(stored.stdout).toBe('stored CANARY in file\n');

    const run = startCli(
      'run-shell',
      [
        '--secret',
        'CANARY',
        '--prompt',
        'printf %s "$CANARY" | sha256sum | cut -d" " -f1; echo ready >&2; sleep 30',
      ],
      { env: t.env },
    );
    const id = await waitForSessionContainer(t);
    await new Promise<void>((resolve) =>
      run.child.stderr!.on('data', (c: Buffer) => c.includes('ready') && resolve()),
    );

    // Engine metadata: container inspect and every exec's inspect.
    const inspect = docker('inspect', id);
    expect(containsSecret(inspect, secret)).toBe(false);
    const execIds = (JSON.parse(inspect) as Array<{ ExecIDs: string[] | null }>)[0]?.ExecIDs ?? [];
    expect(execIds.length).toBeGreaterThan(0);
    for (const execId of execIds) {
      expect(containsSecret(JSON.stringify(await t.engine.inspectExec(execId)), secret)).toBe(false);
    }
    // The container's disk layer (what `docker diff` reports) and its whole filesystem.
    const diff = docker('diff', id);
    expect(diff).not.toMatch(/bundle\.json|stub\.json/);
    expect(containsSecret(docker('export', id), secret)).toBe(false);
    // Processes: only the agent's own command holds it, in its environment.
    const processes = containerProcesses(id);
    for (const p of processes) {
      expect(containsSecret(p.cmdline, secret)).toBe(false);
      const isAgentCommand =
        p.uid === 1000 && /bash|sleep|sha256sum|cut/.test(p.cmdline) && !p.cmdline.includes('mcp-stub');
      if (!isAgentCommand)
        expect({ pid: p.pid, cmd: p.cmdline, leaked: containsSecret(p.environ, secret) }).toMatchObject({
          leaked: false,
        });
    }
    const summary = processes.map((p) => `${p.pid} ${p.uid} ${p.cmdline} env=${p.environ.length}`).join('\n');
    expect(
      processes.some((p) => p.uid === 1000 && containsSecret(p.environ, secret)),
      summary,
    ).toBe(true);
    // The stub (uid 999) holds it only in memory, never in its environment.
    expect(processes.some((p) => p.uid === 999)).toBe(true);

    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.stdout).toBe(`${sha256(secret)}\n`);
    expect(containsSecret(result.stdout + result.stderr, secret)).toBe(false);
    // Host side: state dir (manifests, audit log, broker log) — only the secrets file holds it.
    expect(filesContaining(t.home, secret, [join(t.home, 'config', 'mcp-secrets.env')])).toEqual([]);
    // Image history: no build argument or layer carries it.
    const image = (JSON.parse(inspect) as Array<{ Config: { Image: string } }>)[0]?.Config.Image ?? '';
    expect(containsSecret(docker('history', '--no-trunc', image), secret)).toBe(false);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('an unknown secret name is a clear error before any container starts', async () => {
    const t = useTestEnv({ CONTAINAI_KEYRING: '0' });
    const result = await runCli('run-shell', ['--secret', 'NOPE_NOT_STORED', '--prompt', 'true'], {
      env: t.env,
    });
    expect(result.stderr).toContain('error SECRET_NOT_FOUND:');
    expect(result.stderr).toContain('containai secrets set NOPE_NOT_STORED');
    expect(result.status).toBe(83);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it.each([['lower'], ['PATH'], ['LD_PRELOAD'], ['HTTPS_PROXY'], ['DEMO=bad-name'], ['DEMO=$(x)']])(
    '--secret %s is refused before anything starts',
    async (spec) => {
      const t = useTestEnv({ CONTAINAI_KEYRING: '0' });
      const result = await runCli('run-shell', ['--secret', spec, '--prompt', 'true'], { env: t.env });
      expect([64, 65]).toContain(result.status);
      expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
    },
  );
});
