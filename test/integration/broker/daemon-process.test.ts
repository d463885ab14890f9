// The real daemon as the launcher starts it: `node dist/broker/daemon-main.js`,
// detached, one per user. Killed with SIGKILL it loses its sessions: the old
// bundle must be refused promptly with SESSION_UNKNOWN, never hang, while new
// sessions work at once.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../../broker/audit-log.js';
import { connectBroker, ensureBrokerRunning } from '../../../broker/client.js';
import { readPid } from '../../../broker/daemon.js';
import { ERROR_CATALOGUE } from '../../../broker/errors.js';
import { redeem } from '../../../broker/session-client.js';
import { brokerLayout } from '../../../broker/socket-paths.js';
import { allFileContents, assertNoSecret, SECRET, tempHome } from './helpers.js';

const ROOT = join(import.meta.dirname, '../../..');
const ENTRY = join(ROOT, 'dist/broker/daemon-main.js');
const home = tempHome();
const env = {
  ...process.env,
  CONTAINAI_HOME: home.home,
  CONTAINAI_SECRET_DEMO: SECRET,
  CONTAINAI_KEYRING: '0',
};
const layout = brokerLayout(home.paths);

beforeAll(() => {
  // `npm test` builds before running the suite; a missing entry means it did not.
  expect(existsSync(ENTRY)).toBe(true);
});

afterAll(async () => {
  const pid = readPid(layout.pidFile);
  if (pid !== undefined) process.kill(pid, 'SIGTERM');
  home[Symbol.dispose]();
});

async function openDemo() {
  const client = await connectBroker(home.paths);
  try {
    return await client.openSession({
      agent: 'shell',
      manifestHash: 'a'.repeat(64),
      capabilities: [{ name: 'DEMO', scope: 'agent' }],
      ttlSeconds: 600,
      maxUses: 10,
    });
  } finally {
    client.close();
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`hung for ${ms} ms`)), ms)),
  ]);
}

describe('broker daemon process', () => {
  it('auto-starts once, refuses a second daemon, and survives SIGKILL with old sessions denied', async () => {
    const first = await ensureBrokerRunning({ paths: home.paths, env, entry: ENTRY });
    expect(first.started).toBe(true);
    expect(await ensureBrokerRunning({ paths: home.paths, env, entry: ENTRY })).toEqual({
      started: false,
      pid: first.pid,
    });
    const second = spawnSync(process.execPath, [ENTRY], { env, encoding: 'utf8', timeout: 10_000 });
    expect(second.status).toBe(ERROR_CATALOGUE.BROKER_RUNNING.exit);
    expect(second.stderr).toContain('BROKER_RUNNING');

    const old = await openDemo();
    expect(await redeem(old.socketPath, old.bundle, 'DEMO')).toBe(SECRET);

    process.kill(first.pid, 'SIGKILL');
    await expect.poll(() => isAlive(first.pid), { timeout: 5000 }).toBe(false);
    expect(existsSync(layout.pidFile)).toBe(true);

    const restarted = await ensureBrokerRunning({ paths: home.paths, env, entry: ENTRY });
    expect(restarted.started).toBe(true);
    expect(restarted.pid).not.toBe(first.pid);

    const denied = await withDeadline(
      redeem(old.socketPath, old.bundle, 'DEMO').catch((e: unknown) => e),
      3000,
    );
    expect(denied).toMatchObject({ code: 'SESSION_UNKNOWN' });

    const fresh = await openDemo();
    expect(await redeem(fresh.socketPath, fresh.bundle, 'DEMO')).toBe(SECRET);

    expect(verifyAuditLog(layout.auditLog)).toMatchObject({ ok: true });
    expect(statSync(layout.auditLog).mode & 0o777).toBe(0o600);
    assertNoSecret(allFileContents(home.paths.state));

    const client = await connectBroker(home.paths);
    await client.shutdown();
    client.close();
    await expect.poll(() => isAlive(restarted.pid), { timeout: 5000 }).toBe(false);
    expect(existsSync(layout.pidFile)).toBe(false);
    expect(existsSync(layout.controlSocket)).toBe(false);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
