// Runs the built containai commands as a user would: a real child process,
// argv only, with CONTAINAI_HOME in a temp dir and a per-test label so the
// test can clean up every object it caused, even when it fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { readPid } from '../../../broker/daemon.js';
import { resolvePaths } from '../../../broker/paths.js';
import { brokerLayout } from '../../../broker/socket-paths.js';
import { DockerEngine } from '../../../launchers/docker/engine.js';
import { containsSecret } from './leak-scan.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const TEST_RUN_LABEL = 'containai.test-run';

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface TestEnv {
  runId: string;
  home: string;
  env: NodeJS.ProcessEnv;
  engine: DockerEngine;
}

/** A fresh CONTAINAI_HOME and run label; removes every labelled object afterwards. */
export function useTestEnv(extraEnv: NodeJS.ProcessEnv = {}): TestEnv {
  const { testEnv, cleanup } = createTestEnv(extraEnv);
  onTestFinished(cleanup);
  return testEnv;
}

/**
 * useTestEnv for a whole describe block: return `cleanup` from beforeAll so
 * it runs after the block, whatever happened.
 */
export function createTestEnv(extraEnv: NodeJS.ProcessEnv = {}): {
  testEnv: TestEnv;
  cleanup: () => Promise<void>;
} {
  const runId = randomBytes(6).toString('hex');
  const home = mkdtempSync(join(tmpdir(), 'containai-test-'));
  const engine = DockerEngine.fromEnv(process.env);
  const cleanup = async (): Promise<void> => {
    await engine.removeLabelled([`${TEST_RUN_LABEL}=${runId}`]);
    stopBroker(home);
    rmSync(home, { recursive: true, force: true });
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONTAINAI_HOME: home,
    CONTAINAI_LABELS: `${TEST_RUN_LABEL}=${runId}`,
    ...extraEnv,
  };
  return { testEnv: { runId, home, env, engine }, cleanup };
}

export function binPath(command: string): string {
  return join(ROOT, 'dist', 'launchers', 'bin', `${command}.js`);
}

export function startCli(
  command: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string | Buffer },
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [binPath(command), ...args], {
    cwd: opts.cwd ?? tmpdir(),
    env: opts.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => err.push(c));
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(opts.input ?? '');
  const done = new Promise<CliResult>((resolveDone, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      const stdoutBytes = Buffer.concat(out);
      resolveDone({
        status,
        signal,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
      });
    });
  });
  return { child, done };
}

export function runCli(
  command: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string | Buffer },
): Promise<CliResult> {
  return startCli(command, args, opts).done;
}

/** Objects carrying this test's run label, to assert that nothing is left. */
export async function leftovers(
  t: TestEnv,
): Promise<{ containers: string[]; volumes: string[]; networks: string[] }> {
  return t.engine.findLabelled([`${TEST_RUN_LABEL}=${t.runId}`]);
}

/** Polls until this test's agent container (not a sidecar) is running; returns its ID. */
export async function waitForSessionContainer(t: TestEnv, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const running = (
      await t.engine.listContainers([`${TEST_RUN_LABEL}=${t.runId}`, 'containai.role=agent'])
    ).filter((c) => c.State === 'running');
    if (running[0]) return running[0].Id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no session container started in time');
}

/** Stops a broker a launcher auto-started under this CONTAINAI_HOME, if any. */
function stopBroker(home: string): void {
  const pid = readPid(brokerLayout(resolvePaths({ CONTAINAI_HOME: home })).pidFile);
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Stores a secret through the real CLI (value on stdin) and checks it was never echoed. */
export async function storeSecret(env: NodeJS.ProcessEnv, name: string, value: string): Promise<CliResult> {
  const stored = await runCli('containai', ['secrets', 'set', name], { env, input: `${value}\n` });
  expect(stored.status, stored.stderr).toBe(0);
  expect(containsSecret(stored.stdout + stored.stderr, value)).toBe(false);
  return stored;
}
