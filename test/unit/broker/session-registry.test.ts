// Every way a redemption can be refused, decided by the pure registry with a fake clock.
import { describe, expect, it } from 'vitest';
import { openCapability, type Bundle } from '../../../broker/capability.js';
import { fromBase64, sha256Hex } from '../../../broker/crypto.js';
import { signRedeem, type OpenSessionRequest, type RedeemRequest } from '../../../broker/protocol.js';
import { SessionRegistry } from '../../../broker/session-registry.js';

const MANIFEST = 'c'.repeat(64);
const VALUES = new Map([
  ['DEMO', 'demo-secret-value'],
  ['OTHER', 'other-secret-value'],
]);

function setup(overrides: Partial<OpenSessionRequest> = {}) {
  const clock = { now: 1_700_000_000_000 };
  const registry = new SessionRegistry(() => clock.now);
  const open = (o: Partial<OpenSessionRequest> = {}) =>
    registry.open(
      {
        op: 'open-session',
        agent: 'shell',
        manifestHash: MANIFEST,
        capabilities: [
          { name: 'DEMO', scope: 'agent' },
          { name: 'OTHER', scope: 'mcp' },
        ],
        ttlSeconds: 60,
        maxUses: 2,
        ...overrides,
        ...o,
      },
      VALUES,
      (id) => `/run/${id}.sock`,
    ).bundle;
  const request = (
    bundle: Bundle,
    name = 'DEMO',
    patch: Partial<RedeemRequest> = {},
    key = bundle.sessionKey,
  ) => {
    const sealed = bundle.capabilities.find((c) => c.name === name)?.sealed ?? 'x';
    return {
      ...signRedeem(
        {
          sessionId: bundle.sessionId,
          capability: name,
          manifestHash: bundle.manifestHash,
          sealedSha256: sha256Hex(sealed),
        },
        fromBase64(key)!,
        clock.now,
      ),
      ...patch,
    };
  };
  return { clock, registry, open, request };
}

describe('SessionRegistry.redeem', () => {
  it('releases the key that opens exactly the named capability', () => {
    const { registry, open, request } = setup();
    const bundle = open();
    const decision = registry.redeem(request(bundle), bundle.sessionId);
    expect(decision).toMatchObject({ ok: true, capability: 'DEMO', usesLeft: 1 });
    if (!decision.ok) throw new Error('unreachable');
    expect(openCapability(bundle.capabilities[0]!, decision.key)).toBe('demo-secret-value');
    expect(() => openCapability(bundle.capabilities[1]!, decision.key)).toThrow();
  });

  it('carries no key and no value in the bundle', () => {
    const { open } = setup();
    const text = JSON.stringify(open());
    for (const value of VALUES.values()) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(Buffer.from(value).toString('base64'));
    }
  });

  it.each([
    ['an expired session', (s: ReturnType<typeof setup>) => (s.clock.now += 61_000), 'CAP_EXPIRED'],
    [
      'a revoked session',
      (s: ReturnType<typeof setup>, b: Bundle) => s.registry.revoke(b.sessionId),
      'CAP_REVOKED',
    ],
  ])('denies %s', (_label, act, code) => {
    const s = setup();
    const bundle = s.open();
    const req = s.request(bundle);
    act(s, bundle);
    expect(s.registry.redeem(req, bundle.sessionId)).toMatchObject({ ok: false, code });
  });

  it('denies once the uses are spent, per capability', () => {
    const { registry, open, request } = setup();
    const bundle = open();
    expect(registry.redeem(request(bundle), bundle.sessionId).ok).toBe(true);
    expect(registry.redeem(request(bundle), bundle.sessionId).ok).toBe(true);
    expect(registry.redeem(request(bundle), bundle.sessionId)).toMatchObject({
      ok: false,
      code: 'CAP_EXHAUSTED',
    });
    expect(registry.redeem(request(bundle, 'OTHER'), bundle.sessionId).ok).toBe(true);
  });

  it("denies session A's request on session B's socket, and A's key on B's session", () => {
    const { registry, open, request } = setup();
    const a = open();
    const b = open();
    expect(registry.redeem(request(a), b.sessionId)).toMatchObject({ ok: false, code: 'CAP_DENIED' });
    const forged = request(b, 'DEMO', {}, a.sessionKey);
    expect(registry.redeem(forged, b.sessionId)).toMatchObject({ ok: false, code: 'CAP_AUTH_FAILED' });
  });

  it('denies a replayed request and a stale timestamp', () => {
    const { clock, registry, open, request } = setup();
    const bundle = open({ ttlSeconds: 3600 });
    const req = request(bundle);
    expect(registry.redeem(req, bundle.sessionId).ok).toBe(true);
    expect(registry.redeem(req, bundle.sessionId)).toMatchObject({
      ok: false,
      code: 'CAP_AUTH_FAILED',
      message: expect.stringContaining('replay'),
    });
    clock.now += 5 * 60_000;
    // Long after the nonce was forgotten, the timestamp still refuses it.
    expect(registry.redeem(req, bundle.sessionId)).toMatchObject({
      ok: false,
      code: 'CAP_AUTH_FAILED',
      message: expect.stringContaining('window'),
    });
  });

  it('denies a request whose fields were changed after signing', () => {
    const { registry, open, request } = setup();
    const bundle = open();
    expect(registry.redeem(request(bundle, 'DEMO', { capability: 'OTHER' }), bundle.sessionId)).toMatchObject(
      {
        ok: false,
        code: 'CAP_AUTH_FAILED',
      },
    );
  });

  it('denies a capability name the session does not hold', () => {
    const { registry, open, request } = setup();
    const bundle = open({ capabilities: [{ name: 'DEMO', scope: 'agent' }] });
    expect(registry.redeem(request(bundle, 'OTHER'), bundle.sessionId)).toMatchObject({
      ok: false,
      code: 'CAP_DENIED',
    });
  });

  it('denies a manifest hash other than the one the session was opened with', () => {
    const { registry, open, request } = setup();
    const bundle = open();
    const tampered = { ...bundle, manifestHash: 'd'.repeat(64) };
    expect(registry.redeem(request(tampered), bundle.sessionId)).toMatchObject({
      ok: false,
      code: 'MANIFEST_TAMPERED',
    });
  });

  it('denies a tampered sealed capability', () => {
    const { registry, open, request } = setup();
    const bundle = open();
    const sealed = bundle.capabilities[0]!.sealed;
    const tampered: Bundle = {
      ...bundle,
      capabilities: [
        {
          ...bundle.capabilities[0]!,
          sealed: `${sealed.slice(0, 10)}${sealed[10] === 'A' ? 'B' : 'A'}${sealed.slice(11)}`,
        },
      ],
    };
    expect(registry.redeem(request(tampered), bundle.sessionId)).toMatchObject({
      ok: false,
      code: 'CAP_TAMPERED',
    });
  });

  it('denies an unknown session (e.g. after a broker restart)', () => {
    const first = setup();
    const bundle = first.open();
    const second = setup();
    expect(second.registry.redeem(first.request(bundle), bundle.sessionId)).toMatchObject({
      ok: false,
      code: 'SESSION_UNKNOWN',
    });
  });
});

describe('SessionRegistry lifecycle', () => {
  it('renews an open session but never a revoked or expired one', () => {
    const { clock, registry, open, request } = setup();
    const live = open();
    clock.now += 50_000;
    expect(registry.renew(live.sessionId, 60)).toBe(clock.now + 60_000);
    clock.now += 50_000;
    expect(registry.redeem(request(live), live.sessionId).ok).toBe(true);

    const revoked = open();
    registry.revoke(revoked.sessionId);
    expect(() => registry.renew(revoked.sessionId, 60)).toThrow(
      expect.objectContaining({ code: 'CAP_REVOKED' }),
    );
    const expired = open();
    clock.now += 61_000;
    expect(() => registry.renew(expired.sessionId, 60)).toThrow(
      expect.objectContaining({ code: 'CAP_EXPIRED' }),
    );
  });

  it('lists states and uses without values, and prunes ended sessions after retention', () => {
    const { clock, registry, open } = setup();
    const a = open();
    const b = open();
    registry.revoke(b.sessionId);
    const listed = registry.list();
    expect(listed.map((s) => [s.sessionId, s.state])).toEqual([
      [a.sessionId, 'open'],
      [b.sessionId, 'revoked'],
    ]);
    expect(JSON.stringify(listed)).not.toContain('secret-value');
    expect(registry.prune(60_000)).toEqual([]);
    clock.now += 60_000;
    expect(registry.prune(60_000)).toEqual([b.sessionId]);
    clock.now += 60_000;
    expect(registry.prune(60_000)).toEqual([a.sessionId]);
    expect(() => registry.revoke(a.sessionId)).toThrow(expect.objectContaining({ code: 'SESSION_UNKNOWN' }));
  });

  it('refuses a capability requested twice and a missing value', () => {
    const { open } = setup();
    expect(() =>
      open({
        capabilities: [
          { name: 'DEMO', scope: 'agent' },
          { name: 'DEMO', scope: 'mcp' },
        ],
      }),
    ).toThrow(expect.objectContaining({ code: 'BROKER_BAD_REQUEST' }));
    expect(() => open({ capabilities: [{ name: 'MISSING', scope: 'mcp' }] })).toThrow(
      expect.objectContaining({ code: 'SECRET_NOT_FOUND' }),
    );
  });
});
