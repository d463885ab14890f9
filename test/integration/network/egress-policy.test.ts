// Threat: a prompt-injected agent tries to reach hosts that are not
// allowlisted, or to leave without the proxy. In the squid profile its only
// network is internal; Squid lets it reach allowlisted hosts only, on 80
// (http) or by CONNECT to 443, never an IP literal or a private/metadata
// address; and every request lands, as valid JSON, in the host log.
// Everything runs against local upstream containers: nothing leaves the host.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, runCli, type CliResult } from '../helpers/cli.js';
import { parseLogLines, startUpstreams } from './upstreams.js';

const HOSTILE_UA = 'evil "quoted" \\back\\slash\\ \\n fake-newline %0A{"type":"forged"} ünï';

function probeScript(allowedIp: string): string {
  return String.raw`
code() { curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$@" 2>/dev/null; }
connect() { curl -sS -p -o /dev/null -w '%{http_connect}' --max-time 5 "$@" 2>/dev/null; }
fails() { if "$@" >/dev/null 2>&1; then echo reached; else echo failed; fi; }
echo "allowed_body=$(curl -sS --max-time 5 http://allowed.test/)"
echo "allowed_status=$(code http://allowed.test/)"
headers=$(curl -sS -D - -o /dev/null --max-time 5 http://allowed.test/)
echo "upstream_saw_via=$(printf '%s' "$headers" | grep -i '^x-seen-via:' | cut -d' ' -f2 | tr -d '\r')"
echo "upstream_saw_xff=$(printf '%s' "$headers" | grep -i '^x-seen-xff:' | cut -d' ' -f2 | tr -d '\r')"
echo "connect_443=$(connect http://allowed.test:443/)"
echo "denied_status=$(code http://denied.test/)"
echo "denied_explains=$(curl -sS --max-time 5 http://denied.test/ | grep -c -- '--allow-domain denied.test')"
echo "absolute_uri_with_allowed_host_header=$(code -H 'Host: allowed.test' http://denied.test/)"
echo "post_denied=$(code -X POST --data x http://denied.test/)"
echo "connect_8443=$(connect http://allowed.test:8443/)"
echo "connect_ip_literal=$(connect http://${allowedIp}:443/)"
echo "get_ip_literal=$(code http://${allowedIp}/)"
echo "metadata=$(code http://169.254.169.254/latest/meta-data/)"
echo "metadata_connect=$(connect http://169.254.169.254:443/)"
echo "hostile_ua=$(code -A "$(echo ${Buffer.from(HOSTILE_UA).toString('base64')} | base64 -d)" http://denied.test/ua)"
echo "newline_ua=$(code -H $'User-Agent: a\r\nX-Injected: 1' http://denied.test/nl)"
echo "bypass_env=$(fails env -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy curl -sS --max-time 3 http://allowed.test/)"
echo "bypass_noproxy=$(fails curl -sS --max-time 3 --noproxy '*' http://${allowedIp}/)"
echo "bypass_devtcp=$(fails timeout 3 bash -c 'exec 3<>/dev/tcp/${allowedIp}/80')"
echo "dns_outside=$(fails timeout 3 getent hosts example.com)"
echo "dns_upstream=$(fails timeout 3 getent hosts allowed.test)"
echo "interfaces=$(ls /sys/class/net | tr '\n' ' ')"
echo "log_volume=$(fails ls /var/log/squid)"
`;
}

function values(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('squid profile: egress policy seen from inside the agent', () => {
  let result: CliResult;
  let seen: Record<string, string>;
  let logPath: string;
  let upstreamIp: string;

  beforeAll(async () => {
    // One session for the whole block; cleanup runs after it, by label.
    const { testEnv: t, cleanup } = createTestEnv();
    try {
      const up = await startUpstreams(t.engine, t.runId);
      upstreamIp = up.allowedIp;
      result = await runCli(
        'run-shell',
        ['--allow-domain', 'allowed.test', '--prompt', probeScript(up.allowedIp)],
        { env: { ...t.env, ...up.env } },
      );
      seen = values(result.stdout);
      const dir = join(t.home, 'state', 'logs');
      const files = readdirSync(dir);
      expect(files).toHaveLength(1);
      logPath = join(dir, files[0] ?? '');
    } catch (err) {
      await cleanup();
      throw err;
    }
    return cleanup;
  });

  it('runs the session (self-check passed) and exits 0', () => {
    expect(result.stderr).not.toContain('error');
    expect(result.status).toBe(0);
  });

  it('allows the allowlisted host over http and CONNECT 443, without Via or X-Forwarded-For', () => {
    expect(seen.allowed_body).toBe('hello from allowed-upstream 80');
    expect(seen.allowed_status).toBe('200');
    expect(seen.connect_443).toBe('200');
    expect(seen.upstream_saw_via).toBe('-');
    expect(seen.upstream_saw_xff).toBe('-');
  });

  it('denies a host that is not allowlisted with 403 and says how a human can allow it', () => {
    expect(seen.denied_status).toBe('403');
    expect(seen.denied_explains).toBe('1');
    expect(seen.post_denied).toBe('403');
    // Absolute URI to a denied host with an allowlisted Host header: the URI decides.
    expect(seen.absolute_uri_with_allowed_host_header).toBe('403');
  });

  it('denies CONNECT to any port but 443, IP literals and the metadata address', () => {
    expect(seen.connect_8443).toBe('403');
    expect(seen.connect_ip_literal).toBe('403');
    expect(seen.get_ip_literal).toBe('403');
    expect(seen.metadata).toBe('403');
    expect(seen.metadata_connect).toBe('403');
  });

  it('lets nothing out without the proxy, and resolves no outside name', () => {
    expect(seen.bypass_env).toBe('failed');
    expect(seen.bypass_noproxy).toBe('failed');
    expect(seen.bypass_devtcp).toBe('failed');
    expect(seen.dns_outside).toBe('failed');
    expect(seen.dns_upstream).toBe('failed');
    expect(seen.interfaces?.trim().split(' ').sort()).toEqual(['eth0', 'lo']);
    expect(seen.log_volume).toBe('failed');
  });

  it('writes every request to the host log, 0600 in a 0700 directory, each line valid JSON', () => {
    expect(statSync(logPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(logPath, '..')).mode & 0o777).toBe(0o700);
    const text = readFileSync(logPath, 'utf8');
    const records = parseLogLines(text); // throws on any invalid line
    const proxy = records.filter((r) => r.type === 'proxy');
    const session = String(records[0]?.session);
    expect(records.every((r) => r.session === session)).toBe(true);
    const urls = proxy.map((r) => `${r.method} ${r.url} ${r.status}`);
    expect(urls).toEqual(
      expect.arrayContaining([
        'GET http://allowed.test/ 200',
        'CONNECT allowed.test:443 200',
        'GET http://denied.test/ 403',
        'POST http://denied.test/ 403',
        'CONNECT allowed.test:8443 403',
        `CONNECT ${upstreamIp}:443 403`,
        `GET http://${upstreamIp}/ 403`,
        'GET http://169.254.169.254/latest/meta-data/ 403',
        'CONNECT 169.254.169.254:443 403',
        'GET http://denied.test/ua 403',
      ]),
    );
    const hostile = proxy.find((r) => r.url === 'http://denied.test/ua');
    expect(hostile?.user_agent).toBe(HOSTILE_UA);
    expect(records.some((r) => r.type === 'forged')).toBe(false);
    const events = records.filter((r) => r.type === 'session').map((r) => r.event);
    expect(events).toEqual(['session-start', 'egress-check', 'session-end']);
    const check = records.find((r) => r.event === 'egress-check');
    expect(check?.ok).toBe(true);
    expect(records.at(-1)).toMatchObject({ type: 'forwarder', event: 'summary' });
  });

  it('containai logs prints the same records, as JSON and as text with control characters escaped', async () => {
    const session = String(parseLogLines(readFileSync(logPath, 'utf8'))[0]?.session);
    const env = { ...process.env, CONTAINAI_HOME: join(logPath, '..', '..', '..') };
    const json = await runCli('containai', ['logs', session, '--json'], { env });
    expect(json.status).toBe(0);
    expect(json.stdout).toBe(readFileSync(logPath, 'utf8'));
    const text = await runCli('containai', ['logs', session], { env });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('proxy 403 TCP_DENIED GET http://denied.test/ ERR_CONTAINAI_DOMAIN');
    const traversal = await runCli('containai', ['logs', '../../etc/passwd'], { env });
    expect(traversal.status).toBe(65);
  });
});
