// Threat model: squid.conf is the whole egress policy. These tests pin the
// lines that carry it (assertions on meaning, not a snapshot), and check that
// no input can add a line. That Squid accepts the result is checked against a
// real Squid in the integration tests (`containai-proxy parse`).

import { describe, expect, it } from 'vitest';
import { ContainaiError } from '../../../broker/errors.js';
import { mergeAllowlist, type Allowlist } from '../../../proxy/allowlist.js';
import { renderSquidConf, type SquidConfOptions } from '../../../proxy/squid-conf/index.js';

const allowlist = mergeAllowlist([
  { origin: 'claude defaults', values: ['api.anthropic.com', '.npmjs.org'] },
  { origin: '--allow-domain', values: ['registry.npmjs.org', 'example.com'] },
]);
const base: SquidConfOptions = { sessionId: 'sess-42', allowlist };
const lines = (opts: Partial<SquidConfOptions> = {}): string[] =>
  renderSquidConf({ ...base, ...opts }).split('\n');
const directive = (conf: string[], name: string): string[] => conf.filter((l) => l.startsWith(`${name} `));

describe('renderSquidConf: access policy', () => {
  const conf = lines();
  const access = directive(conf, 'http_access');

  it('gates every method by the allowlist, with -n so IP literals never reverse-resolve', () => {
    expect(conf).toContain('acl containai_allowlist dstdomain -n api.anthropic.com example.com .npmjs.org');
    expect(access).toContain('http_access deny !containai_allowlist');
    // The only allow rule is the allowlist, with no method qualifier.
    expect(access.filter((l) => l.includes(' allow '))).toEqual(['http_access allow containai_allowlist']);
  });

  it('ends with deny all', () => {
    expect(access.at(-1)).toBe('http_access deny all');
  });

  it('allows CONNECT only to 443 and other methods only to http:// on 80', () => {
    expect(conf).toContain('acl containai_tls_port port 443');
    expect(conf).toContain('acl containai_http_port port 80');
    expect(access).toContain('http_access deny containai_connect !containai_tls_port');
    expect(access).toContain('http_access deny !containai_connect !containai_http_port');
    expect(access).toContain('http_access deny !containai_connect !containai_http_scheme');
  });

  it('denies IP literals (v4 in every spelling, v6) and private, metadata and CGNAT destinations', () => {
    const ipLiteral = conf.find((l) => l.startsWith('acl containai_ip_literal dstdom_regex -n -i '));
    const patterns = (ipLiteral ?? '')
      .split(' ')
      .slice(5)
      .map((p) => new RegExp(p, 'i'));
    for (const host of [
      '127.0.0.1',
      '2130706433',
      '0x7f.1',
      '0177.0.0.1',
      '::1',
      '[fd00:ec2::254]',
      '::ffff:10.0.0.1',
    ]) {
      expect(
        patterns.some((p) => p.test(host)),
        host,
      ).toBe(true);
    }
    for (const host of ['example.com', '1.2.3.4.example.com', 'a1b2.dev', 'deadbeef.com']) {
      expect(
        patterns.some((p) => p.test(host)),
        host,
      ).toBe(false);
    }
    const dst = conf.find((l) => l.startsWith('acl containai_blocked_dst dst ')) ?? '';
    for (const range of [
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '127.0.0.0/8',
      '169.254.0.0/16',
      '100.64.0.0/10',
      '::1/128',
      'fc00::/7',
      'fe80::/10',
    ]) {
      expect(dst.split(' ')).toContain(range);
    }
    expect(access).toContain('http_access deny containai_ip_literal');
    expect(access).toContain('http_access deny containai_blocked_dst');
  });

  it('checks names before resolving them: the allowlist rule precedes the dst rule', () => {
    expect(access.indexOf('http_access deny !containai_allowlist')).toBeLessThan(
      access.indexOf('http_access deny containai_blocked_dst'),
    );
  });

  it('serves the explanatory page for each kind of denial', () => {
    const info = directive(conf, 'deny_info');
    expect(info).toContain('deny_info ERR_CONTAINAI_DOMAIN containai_allowlist');
    expect(info).toContain('deny_info ERR_CONTAINAI_PORT containai_tls_port');
    expect(info).toContain('deny_info ERR_CONTAINAI_ADDRESS containai_ip_literal');
    expect(info).toContain('deny_info ERR_CONTAINAI_ADDRESS containai_blocked_dst');
    expect(conf).toContain('error_directory /usr/share/containai/squid-errors');
  });

  it('exempts test CIDRs only when asked, and only from the private-destination rule', () => {
    expect(conf.join('\n')).not.toContain('containai_test_reachable_dst');
    const test = lines({ testOnlyReachableCidrs: ['172.31.231.0/24'] });
    expect(test).toContain('acl containai_test_reachable_dst dst 172.31.231.0/24');
    expect(test).toContain('http_access deny containai_blocked_dst !containai_test_reachable_dst');
    expect(test).toContain('http_access deny containai_ip_literal');
  });
});

describe('renderSquidConf: privacy, cache, process', () => {
  const conf = lines();
  it.each([
    'via off',
    'forwarded_for delete',
    'cache deny all',
    'http_port 3128',
    'pid_filename /run/squid/squid.pid',
    'read_timeout 60 minutes',
    'shutdown_lifetime 1 seconds',
  ])('%s', (line) => {
    expect(conf).toContain(line);
  });

  it('has no cache_dir and no helper processes', () => {
    expect(directive(conf, 'cache_dir')).toEqual([]);
    expect(conf).toContain('pinger_enable off');
    expect(directive(conf, 'access_log')).toEqual([
      'access_log stdio:/var/log/squid/access.log logformat=containai_json',
    ]);
  });

  it('takes the port and paths it is given', () => {
    const custom = lines({
      port: 3129,
      paths: { accessLog: '/logs/access.jsonl', pidFile: '/tmp/squid.pid' },
    });
    expect(custom).toContain('http_port 3129');
    expect(custom).toContain('pid_filename /tmp/squid.pid');
    expect(custom).toContain('access_log stdio:/logs/access.jsonl logformat=containai_json');
  });
});

describe('renderSquidConf refuses values that could add directives', () => {
  const forged = [{ host: 'evil.com\nhttp_access allow all', subdomains: false }] as Allowlist;
  it.each<[string, Partial<SquidConfOptions>, string]>([
    ['hand-built allowlist entry', { allowlist: forged }, 'ALLOWLIST_INVALID'],
    ['session id with a newline', { sessionId: 'a\nhttp_access allow all' }, 'CONFIG_INVALID'],
    ['session id with a quote (breaks the JSON log)', { sessionId: 'a","x":"y' }, 'CONFIG_INVALID'],
    ['path with a space', { paths: { accessLog: '/var/log/a b' } }, 'CONFIG_INVALID'],
    ['relative path', { paths: { pidFile: 'squid.pid' } }, 'CONFIG_INVALID'],
    ['path escaping upwards', { paths: { accessLog: '/var/log/../../etc/passwd' } }, 'CONFIG_INVALID'],
    ['port 0', { port: 0 }, 'CONFIG_INVALID'],
    [
      'test CIDR with a newline',
      { testOnlyReachableCidrs: ['10.0.0.0/8\nhttp_access allow all'] },
      'CONFIG_INVALID',
    ],
    ['test CIDR prefix out of range', { testOnlyReachableCidrs: ['10.0.0.0/33'] }, 'CONFIG_INVALID'],
  ])('%s', (_what, opts, code) => {
    expect(() => renderSquidConf({ ...base, ...opts })).toThrow(
      expect.objectContaining({ code }) as ContainaiError,
    );
  });

  it('renders only comments, blank lines and known directives', () => {
    const known =
      /^(http_port|visible_hostname|pid_filename|cache_log|coredump_dir|error_directory|pinger_enable|netdb_filename|shutdown_lifetime|via|forwarded_for|httpd_suppress_version_string|reply_header_access|cache|cache_mem|read_timeout|connect_timeout|request_timeout|strip_query_terms|logformat|access_log|buffered_logs|logfile_rotate|acl|http_access|deny_info) /;
    for (const line of lines({ testOnlyReachableCidrs: ['fd00::/8'] })) {
      expect(line === '' || line.startsWith('# ') || known.test(line), line).toBe(true);
    }
  });

  it('merges a hand-built allowlist so Squid never sees overlapping entries', () => {
    const overlapping = [
      { host: 'a.example.com', subdomains: false },
      { host: 'example.com', subdomains: true },
    ] as Allowlist;
    expect(lines({ allowlist: overlapping })).toContain('acl containai_allowlist dstdomain -n .example.com');
  });
});
