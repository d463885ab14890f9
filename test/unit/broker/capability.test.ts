import { describe, expect, it } from 'vitest';
import { openCapability, sealCapability, type Capability } from '../../../broker/capability.js';
import { fromBase64, toBase64 } from '../../../broker/crypto.js';

const SECRET = 'sk-test-5f1c0ffee-value';

function capability(sealed: string): Capability {
  return { name: 'DEMO', scope: 'mcp', sealed, expiresAt: 0, maxUses: 1 };
}

describe('sealed capabilities', () => {
  it('opens with the broker-held key and nothing else', () => {
    const sealed = sealCapability(SECRET);
    expect(openCapability(capability(sealed.sealed), toBase64(sealed.key))).toBe(SECRET);
    const other = sealCapability(SECRET);
    expect(() => openCapability(capability(sealed.sealed), toBase64(other.key))).toThrow(
      expect.objectContaining({ code: 'CAP_TAMPERED' }),
    );
  });

  it('refuses a sealed text with one flipped bit', () => {
    const sealed = sealCapability(SECRET);
    const bytes = fromBase64(sealed.sealed)!;
    bytes[bytes.length - 1]! ^= 1;
    expect(() => openCapability(capability(toBase64(bytes)), toBase64(sealed.key))).toThrow(
      expect.objectContaining({ code: 'CAP_TAMPERED' }),
    );
  });

  it('seals the same value differently each time and never carries it in clear', () => {
    const a = sealCapability(SECRET);
    const b = sealCapability(SECRET);
    expect(a.sealed).not.toBe(b.sealed);
    const decoded = Buffer.from(a.sealed, 'base64').toString('latin1');
    expect(decoded).not.toContain(SECRET);
    expect(a.sealed).not.toContain(Buffer.from(SECRET).toString('base64'));
  });

  it('refuses a secret over the size limit', () => {
    expect(() => sealCapability('x'.repeat(16 * 1024 + 1))).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
