// Destinations the proxy never connects to, whatever name the agent used.
// The allowlist gates names; these ACLs gate where a name *resolves*, so an
// allowlisted domain whose DNS points at the host, the Docker bridge or the
// cloud metadata service is still refused.

/** Matched against resolved addresses with a `dst` ACL (any address of the name). */
export const BLOCKED_DESTINATIONS: readonly string[] = [
  '0.0.0.0/8', // "this network"; 0.0.0.0 reaches the local host on Linux
  '10.0.0.0/8', // RFC 1918
  '100.64.0.0/10', // carrier-grade NAT (RFC 6598), also Tailscale
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local, includes the 169.254.169.254 metadata service
  '172.16.0.0/12', // RFC 1918, Docker's default bridge pools
  '192.0.0.0/24', // IETF protocol assignments (includes 192.0.0.192 Oracle metadata)
  '192.168.0.0/16', // RFC 1918
  '198.18.0.0/15', // benchmarking
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved and 255.255.255.255 broadcast
  '::/128', // unspecified
  '::1/128', // loopback
  'fc00::/7', // unique local, includes fd00:ec2::254 (AWS metadata over IPv6)
  'fe80::/10', // link-local
  'fec0::/10', // deprecated site-local
  'ff00::/8', // multicast
  '100::/64', // discard-only
];

// Host names that are IP literals: dotted or bare decimal/octal/hex IPv4
// spellings ('2130706433', '0x7f.1', '0177.0.0.1') and IPv6 with or without
// brackets. Squid resolves numeric spellings without DNS, so a literal would
// otherwise bypass the name allowlist's intent even where no entry matches.
export const IP_LITERAL_PATTERNS: readonly string[] = [
  '^(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+)){0,3}\\.?$',
  '^\\[?[0-9a-f:.]*:[0-9a-f:.%]*\\]?$',
];
