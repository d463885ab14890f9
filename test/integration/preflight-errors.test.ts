// Every preflight failure a user can hit prints a stable code, a likely
// cause and an action, and exits with the documented status.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ERROR_CATALOGUE } from '../../broker/errors.js';
import { binPath, leftovers, runCli, useTestEnv } from './helpers/cli.js';
import { makeRepo } from './helpers/git-repo.js';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'containai-preflight-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function expectError(
  result: { status: number | null; stderr: string },
  code: keyof typeof ERROR_CATALOGUE,
): void {
  expect(result.stderr).toContain(`error ${code}:`);
  expect(result.stderr).toContain('likely cause:');
  expect(result.stderr).toContain('to fix:');
  expect(result.status).toBe(ERROR_CATALOGUE[code].exit);
}

/** A unix socket file whose server is gone: connections are refused. */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`,
  ]);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
}

async function listen(server: Server, path: string): Promise<void> {
  await new Promise<void>((resolve) => server.listen(path, resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
}

describe('Docker engine preflight', () => {
  it('no socket at DOCKER_HOST → DOCKER_NO_SOCKET', async () => {
    const t = useTestEnv({ DOCKER_HOST: `unix://${tempDir()}/missing.sock` });
    const result = await runCli('run-shell', ['--prompt', 'true'], { env: t.env });
    expectError(result, 'DOCKER_NO_SOCKET');
    expect(result.stderr).toContain('missing.sock');
  });

  it('daemon not running (stale socket) → DOCKER_DOWN', async () => {
    const sock = join(tempDir(), 'stale.sock');
    await staleSocket(sock);
    const t = useTestEnv({ DOCKER_HOST: `unix://${sock}` });
    expectError(await runCli('run-shell', ['--prompt', 'true'], { env: t.env }), 'DOCKER_DOWN');
  });

  it('permission denied on the socket → DOCKER_PERMISSION', async () => {
    // Root ignores socket permissions, so the launcher runs as nobody
    // against a socket only root may use.
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const sock = join(dir, 'private.sock');
    await listen(createServer(), sock);
    chmodSync(sock, 0o600);
    const env = { PATH: process.env.PATH, HOME: '/tmp', DOCKER_HOST: `unix://${sock}`, CONTAINAI_HOME: dir };
    const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          binPath('run-shell'),
          '--prompt',
          'true',
        ],
        {
          env,
          cwd: '/tmp',
        },
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (status) => resolve({ status, stderr }));
    });
    expectError(result, 'DOCKER_PERMISSION');
  });

  it('an endpoint that never answers → DOCKER_UNRESPONSIVE', async () => {
    const sock = join(tempDir(), 'silent.sock');
    await listen(
      createServer(() => undefined),
      sock,
    );
    const t = useTestEnv({ DOCKER_HOST: `unix://${sock}` });
    expectError(await runCli('run-shell', ['--prompt', 'true'], { env: t.env }), 'DOCKER_UNRESPONSIVE');
  });

  it('an engine with an old API → DOCKER_API_TOO_OLD', async () => {
    // No Docker 1.x engine exists here; this endpoint answers the two calls
    // preflight makes exactly as Docker 17.03 (API 1.26) did.
    const sock = join(tempDir(), 'old.sock');
    await listen(
      createServer((req, res) => {
        if (req.url?.endsWith('/_ping')) return res.end('OK');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ Version: '17.03.2-ce', ApiVersion: '1.26', MinAPIVersion: '1.12' }));
      }),
      sock,
    );
    const t = useTestEnv({ DOCKER_HOST: `unix://${sock}` });
    const result = await runCli('run-shell', ['--prompt', 'true'], { env: t.env });
    expect(result.stderr).toContain('error DOCKER_API_TOO_OLD:');
    expect(result.stderr).toContain('1.26');
    expect(result.stderr).toContain('to fix:');
    expect(result.status).toBe(ERROR_CATALOGUE.DOCKER_API_TOO_OLD.exit);
  });

  it('an unusable DOCKER_HOST → CONFIG_INVALID', async () => {
    const t = useTestEnv({ DOCKER_HOST: 'ftp://nowhere' });
    const result = await runCli('run-shell', ['--prompt', 'true'], { env: t.env });
    expect(result.stderr).toContain('error CONFIG_INVALID:');
    expect(result.status).toBe(ERROR_CATALOGUE.CONFIG_INVALID.exit);
  });

  it('--json prints the error as one JSON object with code, causes and actions', async () => {
    const t = useTestEnv({ DOCKER_HOST: `unix://${tempDir()}/missing.sock` });
    const result = await runCli('run-shell', ['--json', '--prompt', 'true'], { env: t.env });
    const report = JSON.parse(result.stderr.trim()) as Record<string, unknown>;
    expect(report).toMatchObject({ ok: false, code: 'DOCKER_NO_SOCKET', exitStatus: 68 });
    expect((report.causes as string[]).length).toBeGreaterThan(0);
    expect((report.actions as string[]).length).toBeGreaterThan(0);
  });
});

describe('repository preflight', () => {
  it('an explicit path that is not a git repository → REPO_NOT_GIT', async () => {
    const t = useTestEnv();
    expectError(await runCli('run-shell', [tempDir(), '--prompt', 'true'], { env: t.env }), 'REPO_NOT_GIT');
  });

  it('a dirty tree is refused without --force, and nothing is created', async () => {
    const t = useTestEnv();
    const repo = makeRepo();
    writeFileSync(join(repo, 'README.md'), 'changed\n');
    expectError(await runCli('run-shell', [repo, '--prompt', 'true'], { env: t.env }), 'REPO_DIRTY');
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
    const forced = await runCli('run-shell', [repo, '--force', '--prompt', 'cat README.md'], { env: t.env });
    expect(forced.status).toBe(0);
    expect(forced.stdout).toBe('hello\n');
  });

  it('untracked files count as dirty', async () => {
    const t = useTestEnv();
    const repo = makeRepo();
    writeFileSync(join(repo, 'new.txt'), 'x');
    expectError(await runCli('run-shell', [repo, '--prompt', 'true'], { env: t.env }), 'REPO_DIRTY');
  });
});

describe('usage errors', () => {
  it.each([
    [['--memory', 'lots', '--prompt', 'true']],
    [['--cpus', '0', '--prompt', 'true']],
    [['--pids', '3', '--prompt', 'true']],
    [['--timeout', '-1', '--prompt', 'true']],
    [['--bogus']],
    [['a', 'b', '--prompt', 'true']],
    [['--prompt', 'x', '--prompt-file', '/etc/hostname']],
    [['--network-proxy', 'open', '--prompt', 'true']],
  ])('%j → USAGE (64)', async (args) => {
    const t = useTestEnv();
    const result = await runCli('run-shell', args, { env: t.env });
    expect(result.stderr).toContain('error USAGE:');
    expect(result.status).toBe(64);
  });

  it('every command starts and answers --help with its usage (exit 0)', async () => {
    const t = useTestEnv();
    for (const command of [
      'run-shell',
      'run-claude',
      'run-codex',
      'run-copilot',
      'launch-agent',
      'connect-agent',
      'list-agents',
      'remove-agent',
      'containai',
    ]) {
      const result = await runCli(command, ['--help'], { env: t.env });
      expect(result.stdout, command).toMatch(/^usage: /);
      expect(result.status, command).toBe(0);
    }
  });
});
