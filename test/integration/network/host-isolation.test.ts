// Threat: the agent bypasses the proxy by talking to the host itself. An
// internal Docker network has no route out, but containers on it can still
// reach the host at the bridge's gateway address — and with it every host
// service bound to 0.0.0.0 (databases, dev servers, a TCP Docker API).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli, useTestEnv } from '../helpers/cli.js';

describe('the agent cannot reach the host', () => {
  it('a host service on 0.0.0.0 is unreachable at the internal network gateway and at the default bridge', async () => {
    const server = createServer((_req, res) => res.end('host-service-reached'));
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const t = useTestEnv();
    // From inside: every address of the default route's gateway and the
    // docker0 bridge the agent might guess, without the proxy.
    const script = [
      'gw=$(awk \'$2=="00000000"{print $3}\' /proc/net/route | head -1)',
      'gwip=$(printf "%d.%d.%d.%d" 0x${gw:6:2} 0x${gw:4:2} 0x${gw:2:2} 0x${gw:0:2})',
      'net=$(awk \'$2!="00000000"{print $2}\' /proc/net/route | head -1)',
      'first=$(printf "%d.%d.%d.1" 0x${net:6:2} 0x${net:4:2} 0x${net:2:2})',
      `for ip in "$gwip" "$first" 172.17.0.1; do`,
      `  out=$(curl -s -m 2 --noproxy '*' "http://$ip:${port}/" 2>/dev/null) && echo "reached $ip: $out" || echo "blocked $ip"`,
      'done',
    ].join('\n');
    const result = await runCli('run-shell', ['--prompt', script], { env: t.env });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('host-service-reached');
    expect(result.stdout.trim().split('\n')).toHaveLength(3);
    for (const line of result.stdout.trim().split('\n')) expect(line).toMatch(/^blocked /);
  });
});
