// The broker's decisions, as pure logic: which sessions exist, and whether a
// redemption may have the key to one capability. No IO; the clock is injected.
//
// Sessions live in memory only. A broker restart forgets every session, so a
// bundle from before the restart is refused with SESSION_UNKNOWN: nothing that
// authenticates redemptions is ever written to disk.
import type { Bundle, CapabilityScope } from './capability.js';
import { sealCapability } from './capability.js';
import { equalHex, hmacSha256Hex, randomBytes, toBase64, wipe } from './crypto.js';
import { ContainaiError, quote, type ErrorCode } from './errors.js';
import type { OpenSessionRequest, RedeemRequest, SessionSummary } from './protocol.js';
import { canonicalRedeem, REDEEM_WINDOW_MS } from './protocol.js';

/** Beyond this many live nonces a session is being flooded; refusing is safer than growing. */
const MAX_LIVE_NONCES = 250_000;

interface CapabilityRecord {
  scope: CapabilityScope;
  maxUses: number;
  usesLeft: number;
  key: Uint8Array;
  sealedSha256: string;
}

interface SessionRecord {
  id: string;
  agent: string;
  manifestHash: string;
  key: Uint8Array;
  openedAt: number;
  expiresAt: number;
  revokedAt: number | undefined;
  socketPath: string;
  capabilities: Map<string, CapabilityRecord>;
  /** nonce → when it may be forgotten (its timestamp has left the window by then). */
  nonces: Map<string, number>;
  lastNoncePrune: number;
}

export type RedeemDecision =
  | { ok: true; sessionId: string; capability: string; key: string; usesLeft: number }
  | { ok: false; sessionId: string; capability: string; code: ErrorCode; message: string };

export interface OpenedSession {
  bundle: Bundle;
  expiresAt: number;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, SessionRecord>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** `values` holds the secret for each requested name; they are sealed and then dropped. */
  open(
    request: OpenSessionRequest,
    values: ReadonlyMap<string, string>,
    socketPathFor: (id: string) => string,
  ): OpenedSession {
    const now = this.clock();
    const names = request.capabilities.map((c) => c.name);
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate !== undefined) {
      throw new ContainaiError('BROKER_BAD_REQUEST', `capability ${quote(duplicate)} is requested twice`);
    }
    const id = Buffer.from(randomBytes(16)).toString('base64url');
    const key = randomBytes(32);
    const expiresAt = now + request.ttlSeconds * 1000;
    const capabilities = new Map<string, CapabilityRecord>();
    const bundle: Bundle = {
      version: 1,
      sessionId: id,
      sessionKey: toBase64(key),
      agent: request.agent,
      manifestHash: request.manifestHash,
      capabilities: [],
    };
    for (const { name, scope } of request.capabilities) {
      const value = values.get(name);
      if (value === undefined) throw new ContainaiError('SECRET_NOT_FOUND', `no value for ${quote(name)}`);
      const sealed = sealCapability(value);
      capabilities.set(name, { scope, maxUses: request.maxUses, usesLeft: request.maxUses, ...sealed });
      bundle.capabilities.push({ name, scope, sealed: sealed.sealed, expiresAt, maxUses: request.maxUses });
    }
    this.sessions.set(id, {
      id,
      agent: request.agent,
      manifestHash: request.manifestHash,
      key,
      openedAt: now,
      expiresAt,
      revokedAt: undefined,
      socketPath: socketPathFor(id),
      capabilities,
      nonces: new Map(),
      lastNoncePrune: now,
    });
    return { bundle, expiresAt };
  }

  /** `socketSessionId` is the session whose socket the request arrived on. */
  redeem(request: RedeemRequest, socketSessionId: string): RedeemDecision {
    const now = this.clock();
    const deny = (code: ErrorCode, message: string): RedeemDecision => ({
      ok: false,
      sessionId: request.sessionId,
      capability: request.capability,
      code,
      message,
    });
    if (request.sessionId !== socketSessionId) {
      return deny('CAP_DENIED', 'the request names another session than the socket it arrived on');
    }
    const session = this.sessions.get(request.sessionId);
    if (!session)
      return deny('SESSION_UNKNOWN', 'the broker does not know this session (ended, or broker restarted)');
    if (session.revokedAt !== undefined) return deny('CAP_REVOKED', 'the session was revoked');
    if (now >= session.expiresAt) return deny('CAP_EXPIRED', 'the session has expired');
    if (!equalHex(hmacSha256Hex(session.key, canonicalRedeem(request)), request.mac)) {
      return deny('CAP_AUTH_FAILED', 'the request is not signed with this session key');
    }
    if (Math.abs(now - request.timestamp) > REDEEM_WINDOW_MS) {
      return deny('CAP_AUTH_FAILED', 'the request timestamp is outside the accepted window');
    }
    this.pruneNonces(session, now);
    if (session.nonces.has(request.nonce)) return deny('CAP_AUTH_FAILED', 'the request is a replay');
    if (session.nonces.size >= MAX_LIVE_NONCES)
      return deny('CAP_AUTH_FAILED', 'too many redemptions in the window');
    session.nonces.set(request.nonce, request.timestamp + REDEEM_WINDOW_MS);
    const capability = session.capabilities.get(request.capability);
    if (!capability) return deny('CAP_DENIED', 'this session holds no capability of that name');
    if (capability.usesLeft <= 0) return deny('CAP_EXHAUSTED', 'the capability has no uses left');
    if (request.manifestHash !== session.manifestHash) {
      return deny('MANIFEST_TAMPERED', 'the manifest hash differs from the one the session was opened with');
    }
    if (!equalHex(request.sealedSha256, capability.sealedSha256)) {
      return deny('CAP_TAMPERED', 'the sealed capability differs from the one the broker issued');
    }
    capability.usesLeft -= 1;
    return {
      ok: true,
      sessionId: session.id,
      capability: request.capability,
      key: toBase64(capability.key),
      usesLeft: capability.usesLeft,
    };
  }

  /** Idempotent; the record stays (keys wiped) so later redemptions get CAP_REVOKED, not SESSION_UNKNOWN. */
  revoke(sessionId: string): void {
    const session = this.require(sessionId);
    if (session.revokedAt !== undefined) return;
    session.revokedAt = this.clock();
    wipeSession(session);
  }

  /** Extends an open session; revoked or expired sessions stay dead. Returns the new expiry. */
  renew(sessionId: string, ttlSeconds: number): number {
    const session = this.require(sessionId);
    const now = this.clock();
    if (session.revokedAt !== undefined)
      throw new ContainaiError('CAP_REVOKED', 'a revoked session cannot be renewed');
    if (now >= session.expiresAt)
      throw new ContainaiError('CAP_EXPIRED', 'an expired session cannot be renewed');
    session.expiresAt = now + ttlSeconds * 1000;
    return session.expiresAt;
  }

  list(): SessionSummary[] {
    const now = this.clock();
    return [...this.sessions.values()].map((s) => ({
      sessionId: s.id,
      agent: s.agent,
      manifestHash: s.manifestHash,
      state: s.revokedAt !== undefined ? 'revoked' : now >= s.expiresAt ? 'expired' : 'open',
      openedAt: s.openedAt,
      expiresAt: s.expiresAt,
      socketPath: s.socketPath,
      capabilities: [...s.capabilities].map(([name, c]) => ({
        name,
        scope: c.scope,
        usesLeft: c.usesLeft,
        maxUses: c.maxUses,
      })),
    }));
  }

  /** Forgets sessions revoked or expired more than `retentionMs` ago; returns their ids. */
  prune(retentionMs: number): string[] {
    const now = this.clock();
    const removed: string[] = [];
    for (const session of this.sessions.values()) {
      const endedAt = session.revokedAt ?? session.expiresAt;
      if (now - endedAt >= retentionMs) {
        wipeSession(session);
        this.sessions.delete(session.id);
        removed.push(session.id);
      }
    }
    return removed;
  }

  private require(sessionId: string): SessionRecord {
    const session = this.sessions.get(sessionId);
    if (!session)
      throw new ContainaiError('SESSION_UNKNOWN', `the broker does not know session ${quote(sessionId)}`);
    return session;
  }

  private pruneNonces(session: SessionRecord, now: number): void {
    if (now - session.lastNoncePrune < 1000) return;
    session.lastNoncePrune = now;
    for (const [nonce, forgetAt] of session.nonces) if (forgetAt < now) session.nonces.delete(nonce);
  }
}

function wipeSession(session: SessionRecord): void {
  wipe(session.key);
  for (const capability of session.capabilities.values()) wipe(capability.key);
  session.nonces.clear();
}
