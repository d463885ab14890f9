// Threat: one session reaches another's MCP server or capability — e.g. a
// compromised agent in session B that somehow holds session A's whole bundle
// (session key included) tries to redeem A's capability through the broker
// socket mounted into B. Sockets, stubs and bundles are per session, and the
// broker binds every capability to the socket of the session it was issued to.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBundle } from '../../../broker/capability.js';
import { fromBase64, sha256Hex } from '../../../broker/crypto.js';
import { signRedeem } from '../../../broker/protocol.js';
import { startCli, TEST_RUN_LABEL, useTestEnv, type TestEnv, storeSecret } from '../helpers/cli.js';
import { containsSecret } from '../helpers/leak-scan.js';
import { bundleFixtures } from './fixtures/bundle.js';
import {
  deliverFixtures,
  FIXTURE_DIR,
  WAIT_FOR_FIXTURES,
  waitForOutput,
  writeUserConfig,
} from './helpers.js';

let fixtures: Awaited<ReturnType<typeof bundleFixtures>>;

beforeAll(async () => {
  fixtures = await bundleFixtures();
  return () => rmSync(fixtures.dir, { recursive: true, force: true });
});

/** A session whose agent has an MCP relay to `test` open and holds it until /tmp/hold exists. */
async function startHeldSession(t: TestEnv, known: Set<string>) {
  const script = [
    WAIT_FOR_FIXTURES,
    'mkdir -p /tmp/relay',
    `node ${FIXTURE_DIR}/client.mjs test /tmp/hold /tmp/relay`,
  ].join('\n');
  const run = startCli('run-shell', ['--network-proxy', 'restricted', '--prompt', script], { env: t.env });
  let id: string | undefined;
  for (let i = 0; i < 600 && !id; i++) {
    const agents = await t.engine.listContainers([`${TEST_RUN_LABEL}=${t.runId}`, 'containai.role=agent']);
    id = agents.find((c) => c.State === 'running' && !known.has(c.Id))?.Id;
    if (!id) await new Promise((r) => setTimeout(r, 100));
  }
  if (!id) throw new Error('no second session container');
  known.add(id);
  await deliverFixtures(t.engine, id, { 'server.mjs': fixtures.server, 'client.mjs': fixtures.client });
  await waitForOutput(run.child, 'client-ready');
  return { id, run };
}

describe('sessions are isolated from each other', () => {
  it("session B cannot reach A's MCP server or redeem A's capability, even holding A's bundle", async () => {
    const t = useTestEnv({ CONTAINAI_KEYRING: '0' });
    const secret = `canary-${randomBytes(12).toString('hex')}`;
    await storeSecret(t.env, 'MCP_CANARY', secret);
    writeUserConfig(t);
    const known = new Set<string>();
    const a = await startHeldSession(t, known);
    const b = await startHeldSession(t, known);

    const bundleOf = async (id: string) =>
      parseBundle(
        JSON.parse(
          (
            await t.engine.execCapture(id, {
              cmd: ['cat', '/run/containai/bundle.json'],
              user: 'containai-stub',
            })
          ).stdout,
        ),
      );
    const bundleA = await bundleOf(a.id);
    const bundleB = await bundleOf(b.id);
    expect(bundleA.sessionId).not.toBe(bundleB.sessionId);
    // Each container mounts one broker socket directory: its own session's.
    for (const [id, bundle] of [
      [a.id, bundleA],
      [b.id, bundleB],
    ] as const) {
      const mounts = (await t.engine.inspectContainer(id)).Mounts.filter(
        (m) => m.Destination === '/run/containai-broker',
      );
      expect(mounts).toHaveLength(1);
      expect(mounts[0]!.Source.endsWith(`/${bundle.sessionId}`)).toBe(true);
    }

    // Worst case: A's bundle, key and all, in B's hands, sent over B's socket.
    const capability = bundleA.capabilities.find((c) => c.name === 'MCP_CANARY');
    expect(capability).toBeDefined();
    const forged = signRedeem(
      {
        sessionId: bundleA.sessionId,
        capability: 'MCP_CANARY',
        manifestHash: bundleA.manifestHash,
        sealedSha256: sha256Hex(capability!.sealed),
      },
      fromBase64(bundleA.sessionKey)!,
    );
    const sent = await t.engine.execCapture(b.id, {
      cmd: [
        'node',
        '-e',
        "const s=require('net').connect('/run/containai-broker/redeem.sock');let o='';" +
          "s.on('data',d=>{o+=d;if(o.includes('\\n')){process.stdout.write(o);s.end()}});" +
          "process.stdin.on('data',d=>s.write(d));",
      ],
      user: 'agent',
      stdin: Buffer.from(`${JSON.stringify(forged)}\n`),
    });
    const reply = JSON.parse(sent.stdout.trim()) as { ok: boolean; code?: string; key?: string };
    expect(reply.ok).toBe(false);
    expect(reply.code).toBe('CAP_DENIED');
    expect(reply.key).toBeUndefined();
    expect(containsSecret(sent.stdout, secret)).toBe(false);

    // The denial is audited against session A, and both sessions still work.
    const audit = readFileSync(join(t.home, 'state', 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; session?: string; code?: string });
    expect(audit.some((e) => e.event === 'deny' && e.code === 'CAP_DENIED')).toBe(true);
    for (const s of [a, b]) await t.engine.execCapture(s.id, { cmd: ['touch', '/tmp/hold'], user: 'agent' });
    const [ra, rb] = await Promise.all([a.run.done, b.run.done]);
    expect(ra.status, ra.stderr).toBe(0);
    expect(rb.status, rb.stderr).toBe(0);
  });
});
