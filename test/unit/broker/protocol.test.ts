import { describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE_BYTES, redeemRequestSchema, signRedeem } from '../../../broker/protocol.js';

describe('LineSplitter', () => {
  it('reassembles lines split across chunks', () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push(Buffer.from('{"op":'))).toEqual([]);
    expect(splitter.push(Buffer.from('"ping"}\n{"a":1}\n{"b"'))).toEqual(['{"op":"ping"}', '{"a":1}']);
    expect(splitter.push(Buffer.from(':2}\n'))).toEqual(['{"b":2}']);
  });

  it('reports overflow for a 10 MiB line after at most the limit is buffered', () => {
    const splitter = new LineSplitter();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let result: string[] | 'overflow' = [];
    let fed = 0;
    while (result !== 'overflow' && fed < 10 * 1024 * 1024) {
      result = splitter.push(chunk);
      fed += chunk.length;
    }
    expect(result).toBe('overflow');
    expect(fed).toBeLessThanOrEqual(MAX_LINE_BYTES + chunk.length);
    expect(splitter.push(Buffer.from('\n{"op":"ping"}\n'))).toBe('overflow');
  });

  it('accepts a line of exactly the limit', () => {
    const splitter = new LineSplitter(10);
    expect(splitter.push(Buffer.from('0123456789\n'))).toEqual(['0123456789']);
  });
});

describe('redeem requests', () => {
  const fields = {
    sessionId: 'A'.repeat(22),
    capability: 'DEMO',
    manifestHash: 'a'.repeat(64),
    sealedSha256: 'b'.repeat(64),
  };
  const key = new Uint8Array(32).fill(7);

  it('are signed over every field, with a fresh nonce each time', () => {
    const one = signRedeem(fields, key, 1000);
    const two = signRedeem(fields, key, 1000);
    expect(one.nonce).not.toBe(two.nonce);
    expect(one.mac).not.toBe(two.mac);
    expect(signRedeem(fields, key, 1000, one.nonce).mac).toBe(one.mac);
    expect(signRedeem({ ...fields, capability: 'OTHER' }, key, 1000, one.nonce).mac).not.toBe(one.mac);
    expect(redeemRequestSchema.safeParse(one).success).toBe(true);
  });

  it('reject fields that could smuggle a newline into the signed text', () => {
    const signed = signRedeem(fields, key, 1000);
    expect(redeemRequestSchema.safeParse({ ...signed, capability: 'DEMO\nX' }).success).toBe(false);
    expect(redeemRequestSchema.safeParse({ ...signed, extra: 1 }).success).toBe(false);
  });
});
