// The few primitives the broker, the launcher client and the stub share.
// Sealing is tweetnacl secretbox (XSalsa20-Poly1305); hashing, HMAC and
// randomness come from node:crypto so there is one CSPRNG in the process.
import { createHash, createHmac, randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';
import nacl from 'tweetnacl';

export const KEY_BYTES = nacl.secretbox.keyLength;
const NONCE_BYTES = nacl.secretbox.nonceLength;

export function randomBytes(length: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(length));
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Strict: rejects anything that does not round-trip, so a mangled field never decodes to other bytes. */
export function fromBase64(text: string): Uint8Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined;
}

/** base64(nonce ‖ secretbox(plaintext)); the nonce is random per seal. */
export function seal(plaintext: Uint8Array, key: Uint8Array): string {
  const nonce = randomBytes(NONCE_BYTES);
  const box = nacl.secretbox(plaintext, nonce, key);
  const out = new Uint8Array(NONCE_BYTES + box.length);
  out.set(nonce, 0);
  out.set(box, NONCE_BYTES);
  return toBase64(out);
}

/** Undefined when the key is wrong or a single bit of the sealed text changed. */
export function open(sealed: string, key: Uint8Array): Uint8Array | undefined {
  const bytes = fromBase64(sealed);
  if (!bytes || key.length !== KEY_BYTES || bytes.length < NONCE_BYTES + nacl.secretbox.overheadLength) {
    return undefined;
  }
  return nacl.secretbox.open(bytes.subarray(NONCE_BYTES), bytes.subarray(0, NONCE_BYTES), key) ?? undefined;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256Hex(key: Uint8Array, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}

/** Constant-time for equal lengths; length is not secret for the hex digests compared here. */
export function equalHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Overwrites key material the broker no longer needs (best effort: JS may have copies). */
export function wipe(bytes: Uint8Array): void {
  bytes.fill(0);
}
