// The broker's wire protocol: one JSON object per line, each way, over a Unix
// socket. Shared by the daemon, the launcher's client and the in-container
// stub, so every request and reply has exactly one schema, here.
import { z } from 'zod';
import {
  bundleSchema,
  scopeSchema,
  secretNameSchema,
  sessionIdSchema,
  sha256HexSchema,
} from './capability.js';
import { hmacSha256Hex, randomBytes } from './crypto.js';
import type { ErrorCode } from './errors.js';

/** A line longer than this is refused and its connection closed; a bundle is far smaller. */
export const MAX_LINE_BYTES = 64 * 1024;
/** How far a redemption's timestamp may be from the broker's clock; nonces are remembered this long. */
export const REDEEM_WINDOW_MS = 60_000;

const capabilityRequestSchema = z.strictObject({ name: secretNameSchema, scope: scopeSchema });

export const controlRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('ping') }),
  z.strictObject({ op: z.literal('status') }),
  z.strictObject({ op: z.literal('list-sessions') }),
  z.strictObject({
    op: z.literal('open-session'),
    agent: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
    manifestHash: sha256HexSchema,
    capabilities: z.array(capabilityRequestSchema).max(64),
    ttlSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 3600),
    maxUses: z.number().int().min(1).max(1_000_000),
  }),
  z.strictObject({ op: z.literal('revoke-session'), sessionId: sessionIdSchema }),
  z.strictObject({
    op: z.literal('renew-session'),
    sessionId: sessionIdSchema,
    ttlSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 3600),
  }),
  // Lets the launcher put its own decisions (e.g. a tampered-manifest override) into the one audit chain.
  z.strictObject({
    op: z.literal('audit-note'),
    event: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
    detail: z.string().max(1024),
  }),
  z.strictObject({ op: z.literal('shutdown') }),
]);
export type ControlRequest = z.infer<typeof controlRequestSchema>;
export type OpenSessionRequest = Extract<ControlRequest, { op: 'open-session' }>;

export const redeemRequestSchema = z.strictObject({
  op: z.literal('redeem'),
  sessionId: sessionIdSchema,
  capability: secretNameSchema,
  manifestHash: sha256HexSchema,
  /** SHA-256 of the sealed text the stub holds, so a swapped or altered capability is refused. */
  sealedSha256: sha256HexSchema,
  nonce: z.string().regex(/^[0-9a-f]{32}$/),
  timestamp: z.number().int().nonnegative(),
  mac: sha256HexSchema,
});
export type RedeemRequest = z.infer<typeof redeemRequestSchema>;

export const sessionRequestSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('ping') }),
  redeemRequestSchema,
]);
export type SessionRequest = z.infer<typeof sessionRequestSchema>;

export const sessionSummarySchema = z.strictObject({
  sessionId: sessionIdSchema,
  agent: z.string(),
  manifestHash: sha256HexSchema,
  state: z.enum(['open', 'revoked', 'expired']),
  openedAt: z.number().int(),
  expiresAt: z.number().int(),
  socketPath: z.string(),
  capabilities: z.array(
    z.strictObject({
      name: secretNameSchema,
      scope: scopeSchema,
      usesLeft: z.number().int(),
      maxUses: z.number().int(),
    }),
  ),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export const errorReplySchema = z.object({ ok: z.literal(false), code: z.string(), message: z.string() });
export interface ErrorReply {
  ok: false;
  code: ErrorCode;
  message: string;
}

/** Success replies, by request op. */
export const replySchemas = {
  ping: z.strictObject({ ok: z.literal(true), pong: z.literal(true) }),
  status: z.strictObject({
    ok: z.literal(true),
    pid: z.number().int(),
    startedAt: z.number().int(),
    sessions: z.number().int(),
    controlSocket: z.string(),
    auditLog: z.string(),
  }),
  'list-sessions': z.strictObject({ ok: z.literal(true), sessions: z.array(sessionSummarySchema) }),
  'open-session': z.strictObject({
    ok: z.literal(true),
    bundle: bundleSchema,
    socketPath: z.string(),
    expiresAt: z.number().int(),
  }),
  'revoke-session': z.strictObject({ ok: z.literal(true), sessionId: sessionIdSchema }),
  'renew-session': z.strictObject({
    ok: z.literal(true),
    sessionId: sessionIdSchema,
    expiresAt: z.number().int(),
  }),
  'audit-note': z.strictObject({ ok: z.literal(true) }),
  shutdown: z.strictObject({ ok: z.literal(true) }),
  redeem: z.strictObject({
    ok: z.literal(true),
    capability: secretNameSchema,
    /** base64 secretbox key that opens this one capability. */
    key: z.string(),
    usesLeft: z.number().int().nonnegative(),
  }),
} as const;
export type ReplyOf<Op extends keyof typeof replySchemas> = z.infer<(typeof replySchemas)[Op]>;

/**
 * The exact bytes the session key authenticates. Every field is schema-checked
 * to contain no newline, so the joined form is unambiguous.
 */
export function canonicalRedeem(request: Omit<RedeemRequest, 'mac'>): string {
  return [
    'containai-redeem-v1',
    request.sessionId,
    request.capability,
    request.manifestHash,
    request.sealedSha256,
    request.nonce,
    String(request.timestamp),
  ].join('\n');
}

export function signRedeem(
  fields: Omit<RedeemRequest, 'op' | 'mac' | 'nonce' | 'timestamp'>,
  sessionKey: Uint8Array,
  now: number = Date.now(),
  nonce: string = Buffer.from(randomBytes(16)).toString('hex'),
): RedeemRequest {
  const unsigned = { op: 'redeem' as const, ...fields, nonce, timestamp: now };
  return { ...unsigned, mac: hmacSha256Hex(sessionKey, canonicalRedeem(unsigned)) };
}

export function encodeLine(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Splits a byte stream into lines without ever buffering more than `maxBytes`
 * of one line: a 10 MiB line costs 64 KiB of memory, then an overflow.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;

  constructor(private readonly maxBytes: number = MAX_LINE_BYTES) {}

  /** Returns the complete lines in `chunk`, or 'overflow' once a line exceeds the limit. */
  push(chunk: Buffer): string[] | 'overflow' {
    if (this.overflowed) return 'overflow';
    const lines: string[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, newline);
      if (this.pendingBytes + part.length > this.maxBytes) return this.overflow();
      lines.push(Buffer.concat([...this.pending, part]).toString('utf8'));
      this.pending = [];
      this.pendingBytes = 0;
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    if (this.pendingBytes + rest.length > this.maxBytes) return this.overflow();
    if (rest.length > 0) {
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
    }
    return lines;
  }

  private overflow(): 'overflow' {
    this.overflowed = true;
    this.pending = [];
    this.pendingBytes = 0;
    return 'overflow';
  }
}
