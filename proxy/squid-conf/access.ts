// http_access rules and the denial pages they select. Order is the policy:
// cheap, DNS-free checks first, so a name that is not allowlisted is refused
// before Squid resolves it (no DNS lookups of arbitrary names on the agent's
// behalf), then the resolved-address check, then allow, then deny all.

import { ACL } from './acls.js';
import type { ResolvedSquidConfOptions } from './options.js';

/** Error page templates shipped in proxy/squid-errors/. */
export const ERROR_PAGES = {
  domain: 'ERR_CONTAINAI_DOMAIN',
  port: 'ERR_CONTAINAI_PORT',
  address: 'ERR_CONTAINAI_ADDRESS',
} as const;

export function renderAccess(opts: ResolvedSquidConfOptions): string[] {
  const exempt = opts.testOnlyReachableCidrs.length > 0 ? ` !${ACL.testReachable}` : '';
  return [
    'http_access deny manager',
    // Tunnels only to 443: CONNECT to anything else is a raw TCP pipe (SSH, SMTP…).
    `http_access deny ${ACL.connect} !${ACL.tlsPort}`,
    // Everything that is not CONNECT is plain http:// to port 80. `GET https://…`
    // would make Squid originate TLS itself; clients use CONNECT for HTTPS.
    `http_access deny !${ACL.connect} !${ACL.httpPort}`,
    `http_access deny !${ACL.connect} !${ACL.httpScheme}`,
    `http_access deny ${ACL.ipLiteral}`,
    // Every method, not only CONNECT, is gated by name.
    `http_access deny !${ACL.allowlist}`,
    `http_access deny ${ACL.blockedDestination}${exempt}`,
    `http_access allow ${ACL.allowlist}`,
    'http_access deny all',
    // deny_info keys on the last ACL evaluated on the denying line.
    `deny_info ${ERROR_PAGES.port} ${ACL.tlsPort}`,
    `deny_info ${ERROR_PAGES.port} ${ACL.httpPort}`,
    `deny_info ${ERROR_PAGES.port} ${ACL.httpScheme}`,
    `deny_info ${ERROR_PAGES.address} ${ACL.ipLiteral}`,
    `deny_info ${ERROR_PAGES.domain} ${ACL.allowlist}`,
    `deny_info ${ERROR_PAGES.address} ${ACL.blockedDestination}`,
    ...(exempt ? [`deny_info ${ERROR_PAGES.address} ${ACL.testReachable}`] : []),
    `deny_info ${ERROR_PAGES.domain} manager`,
    `deny_info ${ERROR_PAGES.domain} all`,
  ];
}
