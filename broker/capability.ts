// The capability and bundle format, shared by broker, launcher and stub.
//
// A capability is one secret sealed under its own random key. The broker
// keeps the key; the bundle carries only the sealed text. So the bundle alone
// opens nothing, and the broker decides at every redemption whether to hand
// out the one key that opens one capability.
import { z } from 'zod';
import { SECRET_NAME_PATTERN } from './secret-name.js';

export { assertSecretName, SECRET_NAME_PATTERN } from './secret-name.js';
import { ContainaiError, quote } from './errors.js';
import { fromBase64, KEY_BYTES, open, randomBytes, seal, sha256Hex } from './crypto.js';

/** Large enough for any API key or PEM file; small enough to keep a bundle line bounded. */
export const MAX_SECRET_BYTES = 16 * 1024;

export const secretNameSchema = z.string().regex(SECRET_NAME_PATTERN);
export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/);
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/);
export const scopeSchema = z.enum(['agent', 'mcp']);
export type CapabilityScope = z.infer<typeof scopeSchema>;

export const capabilitySchema = z.strictObject({
  name: secretNameSchema,
  scope: scopeSchema,
  /** base64(nonce ‖ secretbox ciphertext). */
  sealed: z
    .string()
    .min(1)
    .max(32 * 1024),
  /** Informational: the broker's copy is authoritative, and renewals move it. */
  expiresAt: z.number().int(),
  maxUses: z.number().int().positive(),
});
export type Capability = z.infer<typeof capabilitySchema>;

export const bundleSchema = z.strictObject({
  version: z.literal(1),
  sessionId: sessionIdSchema,
  /** base64 of 32 random bytes; proves redemptions to the broker, opens nothing. */
  sessionKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  agent: z.string().min(1).max(64),
  manifestHash: sha256HexSchema,
  capabilities: z.array(capabilitySchema).max(64),
});
export type Bundle = z.infer<typeof bundleSchema>;

/** What the broker keeps per capability: never the plaintext. */
export interface SealedCapability {
  key: Uint8Array;
  sealed: string;
  sealedSha256: string;
}

export function sealCapability(value: string): SealedCapability {
  const plaintext = Buffer.from(value, 'utf8');
  if (plaintext.length > MAX_SECRET_BYTES) {
    throw new ContainaiError(
      'CONFIG_INVALID',
      `a secret is ${plaintext.length} bytes; the limit is ${MAX_SECRET_BYTES}`,
      {
        actions: ['store a shorter secret (a token or key, not a file of them)'],
      },
    );
  }
  const key = randomBytes(KEY_BYTES);
  const sealed = seal(plaintext, key);
  plaintext.fill(0);
  return { key, sealed, sealedSha256: sha256Hex(sealed) };
}

/** Opens a capability with the key a redemption returned. Throws CAP_TAMPERED on any mismatch. */
export function openCapability(capability: Capability, keyBase64: string): string {
  const key = fromBase64(keyBase64);
  const plaintext = key ? open(capability.sealed, key) : undefined;
  if (!plaintext) {
    throw new ContainaiError(
      'CAP_TAMPERED',
      `capability ${quote(capability.name)} does not open with the released key`,
      {
        causes: ['the bundle was modified after the broker issued it'],
        actions: ['end this session and start a new one'],
      },
    );
  }
  return Buffer.from(plaintext).toString('utf8');
}

export function parseBundle(input: unknown): Bundle {
  const parsed = bundleSchema.safeParse(input);
  if (!parsed.success) {
    throw new ContainaiError(
      'BROKER_BAD_REQUEST',
      `the session bundle is malformed: ${parsed.error.issues[0]?.message}`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}
