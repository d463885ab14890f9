// Threat model: anything inside the container can connect to its session
// socket and send any bytes; it may hold a copied bundle of another session,
// a tampered bundle, or a recorded request. Each attempt must be refused with
// a specific code, audited, and leave the broker serving. No Docker here: the
// broker is started in-process on real Unix sockets in a temp CONTAINAI_HOME.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../../broker/audit-log.js';
import type { Bundle } from '../../../broker/capability.js';
import { connectBroker, type BrokerClient } from '../../../broker/client.js';
import { sha256Hex, toBase64 } from '../../../broker/crypto.js';
import { startBroker, type RunningBroker } from '../../../broker/daemon.js';
import { encodeLine, signRedeem } from '../../../broker/protocol.js';
import { SessionClient, redeem } from '../../../broker/session-client.js';
import { allFileContents, assertNoSecret, rawExchange, SECRET, secretsFrom, tempHome } from './helpers.js';

const MANIFEST = 'e'.repeat(64);
let home: ReturnType<typeof tempHome>;
let broker: RunningBroker;
let client: BrokerClient;
const clock = { offset: 0 };
const replies: unknown[] = [];

beforeEach(async () => {
  home = tempHome();
  clock.offset = 0;
  broker = await startBroker({
    paths: home.paths,
    secrets: secretsFrom({ DEMO: SECRET, OTHER: 'other-value' }),
    clock: () => Date.now() + clock.offset,
    idleTimeoutMs: 300,
  });
  client = await connectBroker(home.paths);
});

afterEach(async () => {
  client.close();
  await broker.stop();
  home[Symbol.dispose]();
});

async function open(maxUses = 5, ttlSeconds = 60) {
  const opened = await client.openSession({
    agent: 'shell',
    manifestHash: MANIFEST,
    capabilities: [
      { name: 'DEMO', scope: 'agent' },
      { name: 'OTHER', scope: 'mcp' },
    ],
    ttlSeconds,
    maxUses,
  });
  replies.push(opened);
  return opened;
}

async function denial(socketPath: string, bundle: Bundle, name = 'DEMO'): Promise<string> {
  const error = await redeem(socketPath, bundle, name).then(
    () => 'redeemed',
    (e: unknown) => e as { code: string },
  );
  replies.push(error);
  return typeof error === 'string' ? error : error.code;
}

async function stillServing(): Promise<void> {
  expect(await (await connectBroker(home.paths)).ping()).toEqual({ ok: true, pong: true });
}

function auditCodes(): string[] {
  return readFileSync(broker.layout.auditLog, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; code?: string })
    .filter((e) => e.event === 'deny')
    .map((e) => e.code ?? '');
}

describe('broker daemon', () => {
  it('opens a session and releases a secret only through a signed redemption; sockets are private', async () => {
    const { bundle, socketPath } = await open();
    expect(await redeem(socketPath, bundle, 'DEMO')).toBe(SECRET);
    expect(statSync(broker.layout.socketDir).mode & 0o777).toBe(0o700);
    expect(statSync(broker.layout.controlSocket).mode & 0o777).toBe(0o600);
    expect(statSync(socketPath).mode & 0o777).toBe(0o666);
    expect(statSync(dirname(socketPath)).mode & 0o777).toBe(0o711);
    const [listed] = await client.listSessions();
    expect(listed).toMatchObject({ sessionId: bundle.sessionId, state: 'open', socketPath });
    expect(listed?.capabilities.find((c) => c.name === 'DEMO')?.usesLeft).toBe(4);
  });

  it('denies and audits expired, exhausted, revoked, cross-session, tampered, forged, replayed and manifest-mismatched redemptions', async () => {
    const a = await open(1);
    const b = await open();

    expect(await redeem(a.socketPath, a.bundle, 'DEMO')).toBe(SECRET);
    expect(await denial(a.socketPath, a.bundle)).toBe('CAP_EXHAUSTED');
    expect(await denial(b.socketPath, a.bundle, 'OTHER')).toBe('CAP_DENIED');

    const cap = b.bundle.capabilities[0]!;
    const flipped = `${cap.sealed.slice(0, 30)}${cap.sealed[30] === 'A' ? 'B' : 'A'}${cap.sealed.slice(31)}`;
    expect(await denial(b.socketPath, { ...b.bundle, capabilities: [{ ...cap, sealed: flipped }] })).toBe(
      'CAP_TAMPERED',
    );
    expect(
      await denial(b.socketPath, { ...b.bundle, sessionKey: toBase64(new Uint8Array(32).fill(9)) }),
    ).toBe('CAP_AUTH_FAILED');
    expect(await denial(b.socketPath, { ...b.bundle, manifestHash: 'f'.repeat(64) })).toBe(
      'MANIFEST_TAMPERED',
    );

    const recorded = signRedeem(
      {
        sessionId: b.bundle.sessionId,
        capability: 'DEMO',
        manifestHash: MANIFEST,
        sealedSha256: sha256Hex(cap.sealed),
      },
      Buffer.from(b.bundle.sessionKey, 'base64'),
    );
    expect((await rawExchange(b.socketPath, encodeLine(recorded))).reply).toMatchObject({ ok: true });
    const replayed = await rawExchange(b.socketPath, encodeLine(recorded));
    expect(replayed.reply).toMatchObject({ ok: false, code: 'CAP_AUTH_FAILED' });
    replies.push(replayed.reply);

    await client.revokeSession(b.bundle.sessionId);
    expect(await denial(b.socketPath, b.bundle)).toBe('CAP_REVOKED');

    const c = await open(5, 1);
    clock.offset = 2000;
    expect(await denial(c.socketPath, c.bundle)).toBe('CAP_EXPIRED');

    expect(auditCodes()).toEqual([
      'CAP_EXHAUSTED',
      'CAP_DENIED',
      'CAP_TAMPERED',
      'CAP_AUTH_FAILED',
      'MANIFEST_TAMPERED',
      'CAP_AUTH_FAILED',
      'CAP_REVOKED',
      'CAP_EXPIRED',
    ]);
    await stillServing();
  });

  it('answers malformed JSON and schema violations with an error and keeps the connection', async () => {
    const { socketPath } = await open();
    for (const path of [broker.layout.controlSocket, socketPath]) {
      const garbage = await rawExchange(path, '{"op": "ping",,,}\n');
      expect(garbage).toEqual({
        reply: { ok: false, code: 'BROKER_BAD_REQUEST', message: expect.stringContaining('not JSON') },
        closed: false,
      });
      const wrong = await rawExchange(path, encodeLine({ op: 'redeem', sessionId: '../../etc/passwd' }));
      expect(wrong.reply).toMatchObject({ ok: false, code: 'BROKER_BAD_REQUEST' });
    }
    // A fresh client: the shared one has sat idle past the 300 ms timeout by now.
    await expect(
      (await connectBroker(home.paths)).openSession({
        agent: 'Bad Agent!',
        manifestHash: MANIFEST,
        capabilities: [],
        ttlSeconds: 1,
        maxUses: 1,
      }),
    ).rejects.toMatchObject({
      code: 'BROKER_BAD_REQUEST',
    });
    await stillServing();
  });

  it('refuses a 10 MiB request line, closes that connection, and keeps serving', async () => {
    const { bundle, socketPath } = await open();
    const huge = Buffer.alloc(10 * 1024 * 1024, 0x61);
    for (const path of [broker.layout.controlSocket, socketPath]) {
      const result = await rawExchange(path, huge);
      expect(result).toEqual({
        reply: { ok: false, code: 'BROKER_BAD_REQUEST', message: expect.stringContaining('size limit') },
        closed: true,
      });
    }
    expect(await redeem(socketPath, bundle, 'DEMO')).toBe(SECRET);
    await stillServing();
  });

  it('closes idle connections', async () => {
    const { bundle, socketPath } = await open();
    const session = await SessionClient.connect(socketPath, bundle);
    expect(await session.redeem('DEMO')).toBe(SECRET);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await expect(session.redeem('DEMO')).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE' });
  });

  it('refuses to open a session for an unknown secret, and opens nothing', async () => {
    await expect(
      client.openSession({
        agent: 'shell',
        manifestHash: MANIFEST,
        capabilities: [{ name: 'NOPE', scope: 'mcp' }],
        ttlSeconds: 60,
        maxUses: 1,
      }),
    ).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
    expect(await client.listSessions()).toEqual([]);
  });

  it('renews an open session over the control socket, never a revoked one', async () => {
    const { bundle } = await open(5, 1);
    const renewed = await client.renewSession(bundle.sessionId, 3600);
    expect(renewed.expiresAt).toBeGreaterThan(Date.now() + 3000_000);
    await client.revokeSession(bundle.sessionId);
    await expect(client.renewSession(bundle.sessionId, 60)).rejects.toMatchObject({ code: 'CAP_REVOKED' });
  });

  it('allows one broker per user', async () => {
    await expect(startBroker({ paths: home.paths, secrets: secretsFrom({}) })).rejects.toMatchObject({
      code: 'BROKER_RUNNING',
    });
    await stillServing();
  });

  it('after a restart, denies the old session with SESSION_UNKNOWN and serves new ones', async () => {
    const old = await open();
    client.close();
    await broker.stop();
    broker = await startBroker({ paths: home.paths, secrets: secretsFrom({ DEMO: SECRET, OTHER: 'x' }) });
    client = await connectBroker(home.paths);
    expect(await denial(old.socketPath, old.bundle)).toBe('SESSION_UNKNOWN');
    const fresh = await open();
    expect(await redeem(fresh.socketPath, fresh.bundle, 'DEMO')).toBe(SECRET);
  });

  it('keeps the audit chain valid and secret values out of the state dir, audit log and every reply', async () => {
    const { bundle, socketPath } = await open();
    await redeem(socketPath, bundle, 'DEMO');
    await denial(socketPath, { ...bundle, sessionKey: toBase64(new Uint8Array(32)) });
    await client.auditNote('manifest-override', 'launched with --allow-tampered');
    expect(verifyAuditLog(broker.layout.auditLog)).toMatchObject({ ok: true });
    assertNoSecret(allFileContents(home.paths.state));
    assertNoSecret(allFileContents(broker.layout.socketDir));
    assertNoSecret(JSON.stringify(replies) + replies.map(String).join('\n'));
    assertNoSecret(JSON.stringify(await client.listSessions()));
  });
});

describe('broker session retention', () => {
  it('keeps denying a revoked session for the retention period, then removes its socket dir', async () => {
    const { bundle, socketPath } = await open();
    await client.revokeSession(bundle.sessionId);
    await broker.stop();
    const short = await startBroker({ paths: home.paths, secrets: secretsFrom({}), retentionMs: 200 });
    try {
      expect(await denial(socketPath, bundle)).toBe('SESSION_UNKNOWN');
      await expect.poll(() => existsSync(dirname(socketPath)), { timeout: 3000 }).toBe(false);
    } finally {
      await short.stop();
    }
  });
});
