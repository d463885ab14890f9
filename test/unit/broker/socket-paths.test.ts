import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokerLayout, ensurePrivateDir, sessionSocketPath } from '../../../broker/socket-paths.js';
import { resolvePaths } from '../../../broker/paths.js';

describe('broker layout', () => {
  it('keeps sockets in the runtime dir when they fit', () => {
    const layout = brokerLayout(resolvePaths({ CONTAINAI_HOME: '/tmp/ch' }), 1000);
    expect(layout.controlSocket).toBe('/tmp/ch/run/broker.sock');
    expect(layout.auditLog).toBe('/tmp/ch/state/audit.log');
  });

  it('moves sockets to a short, stable per-user dir when a session socket would exceed 107 bytes', () => {
    const deep = `/tmp/${'d'.repeat(120)}`;
    const a = brokerLayout(resolvePaths({ CONTAINAI_HOME: deep }), 1000);
    const b = brokerLayout(resolvePaths({ CONTAINAI_HOME: deep }), 1000);
    expect(a.socketDir).toMatch(/^\/tmp\/containai-1000-[0-9a-f]{12}$/);
    expect(a.socketDir).toBe(b.socketDir);
    expect(Buffer.byteLength(sessionSocketPath(a, 'x'.repeat(22)))).toBeLessThanOrEqual(107);
    expect(sessionSocketPath(a, 'x'.repeat(22))).toBe(
      `${a.socketDir}/sessions/${'x'.repeat(22)}/redeem.sock`,
    );
    expect(a.auditLog.startsWith(deep)).toBe(true);
    expect(brokerLayout(resolvePaths({ CONTAINAI_HOME: `${deep}x` }), 1000).socketDir).not.toBe(a.socketDir);
  });

  it('refuses a socket dir others can enter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'containai-sock-'));
    try {
      chmodSync(dir, 0o755);
      expect(() => ensurePrivateDir(dir)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
      chmodSync(dir, 0o700);
      expect(() => ensurePrivateDir(dir)).not.toThrow();
      expect(() => ensurePrivateDir(dir, 12345)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
