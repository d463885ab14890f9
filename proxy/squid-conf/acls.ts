// ACL definitions: what each rule in access.ts tests. Names carry a
// `containai_` prefix so they never collide with Squid's predefined ACLs.

import { BLOCKED_DESTINATIONS, IP_LITERAL_PATTERNS } from './destinations.js';
import type { ResolvedSquidConfOptions } from './options.js';

export const ACL = {
  connect: 'containai_connect',
  tlsPort: 'containai_tls_port',
  httpPort: 'containai_http_port',
  httpScheme: 'containai_http_scheme',
  ipLiteral: 'containai_ip_literal',
  blockedDestination: 'containai_blocked_dst',
  testReachable: 'containai_test_reachable_dst',
  allowlist: 'containai_allowlist',
} as const;

export function renderAcls(opts: ResolvedSquidConfOptions): string[] {
  const lines = [
    `acl ${ACL.connect} method CONNECT`,
    `acl ${ACL.tlsPort} port 443`,
    `acl ${ACL.httpPort} port 80`,
    `acl ${ACL.httpScheme} proto HTTP`,
    // -i: hex digits in either case.
    `acl ${ACL.ipLiteral} dstdom_regex -n -i ${IP_LITERAL_PATTERNS.join(' ')}`,
    `acl ${ACL.blockedDestination} dst ${BLOCKED_DESTINATIONS.join(' ')}`,
  ];
  if (opts.testOnlyReachableCidrs.length > 0) {
    lines.push(
      '# TEST ONLY: lets integration tests reach their own upstream containers.',
      `acl ${ACL.testReachable} dst ${opts.testOnlyReachableCidrs.join(' ')}`,
    );
  }
  // -n: never reverse-resolve an IP-literal request to find a matching name.
  // An empty list is legal: Squid warns "empty ACL" and the ACL matches nothing.
  lines.push(`acl ${ACL.allowlist} dstdomain -n ${opts.domains.join(' ')}`.trimEnd());
  return lines;
}
