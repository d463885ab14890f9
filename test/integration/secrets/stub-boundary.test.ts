// Threat: a compromised agent goes after the secrets the stub holds — the
// bundle on its tmpfs, the stub's process environment, the broker socket
// that is mounted into the container, or the one-time start token.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, useTestEnv } from '../helpers/cli.js';

// Node in the image speaks to the mounted broker socket as an attacker would.
const FORGE = `
const net = require('net');
const send = (line) => new Promise((resolve) => {
  const s = net.connect('/run/containai-broker/redeem.sock');
  let out = '';
  s.on('data', (d) => { out += d; if (out.includes('\\n')) { s.end(); resolve(out.trim()); } });
  s.on('error', (e) => resolve('error ' + e.code));
  s.write(line + '\\n');
});
(async () => {
  const forged = { op: 'redeem', sessionId: 'A'.repeat(22), capability: 'CANARY', manifestHash: 'a'.repeat(64),
    sealedSha256: 'b'.repeat(64), nonce: 'c'.repeat(32), timestamp: Date.now(), mac: 'd'.repeat(64) };
  console.log('forged ' + await send(JSON.stringify(forged)));
  console.log('malformed ' + await send('{not json'));
})();
`;

describe('the agent user cannot reach what the stub holds', () => {
  it('cannot list or read /run/containai, read the stub environment, forge redemptions or reuse the start token', async () => {
    const t = useTestEnv({ CONTAINAI_KEYRING: '0' });
    const secret = `canary-${randomBytes(12).toString('hex')}`;
    expect(
      (await runCli('containai', ['secrets', 'set', 'CANARY'], { env: t.env, input: secret })).status,
    ).toBe(0);
    const script = [
      'ls /run/containai >/dev/null 2>&1 && echo "ls=ok" || echo "ls=denied"',
      'cat /run/containai/bundle.json >/dev/null 2>&1 && echo "read=ok" || echo "read=denied"',
      'pid=$(pgrep -u containai-stub -f "mcp-stub.js daemon" | head -1)',
      '[ -n "$pid" ] && echo "stub=running"',
      'cat /proc/$pid/environ >/dev/null 2>&1 && echo "environ=ok" || echo "environ=denied"',
      'touch /run/containai-broker/x 2>/dev/null && echo "socketdir-write=ok" || echo "socketdir-write=denied"',
      `node -e '${FORGE.replace(/'/g, "'\\''")}'`,
      // The start token is in the wrapper's argv (visible to the agent): it was used once already.
      'token=$(tr "\\0" "\\n" < /proc/$PPID/cmdline | sed -n "/--token/{n;p}")',
      'mcp-stub agent-exec --token "$token" -- env >/dev/null 2>&1 && echo "reuse=ok" || echo "reuse=denied"',
    ].join('\n');
    const result = await runCli('run-shell', ['--secret', 'CANARY', '--prompt', script], { env: t.env });
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'ls=denied',
      'read=denied',
      'stub=running',
      'environ=denied',
      'socketdir-write=denied',
    ]);
    const forged = lines.find((l) => l.startsWith('forged '));
    const malformed = lines.find((l) => l.startsWith('malformed '));
    expect(JSON.parse(forged!.slice('forged '.length))).toMatchObject({ ok: false });
    expect(JSON.parse(malformed!.slice('malformed '.length))).toMatchObject({ ok: false });
    expect(lines.at(-1)).toBe('reuse=denied');
    // Both attempts are in the host's audit log as denials, without the secret.
    const audit = readFileSync(join(t.home, 'state', 'audit.log'), 'utf8');
    const denials = audit
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string })
      .filter((e) => e.event === 'deny');
    expect(denials.length).toBeGreaterThanOrEqual(2);
    expect(audit).not.toContain(secret);
  });
});
