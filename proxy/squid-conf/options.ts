// The typed inputs of squid.conf and their validation. Everything here is
// written into squid.conf, where a newline starts a new directive, so each
// value is checked against a strict pattern rather than escaped.

import { isIP } from 'node:net';
import { ContainaiError, quote } from '../../broker/errors.js';
import { formatAllowlistEntry, mergeAllowlist, type Allowlist } from '../allowlist.js';

/** Paths inside the proxy container; the writable ones are tmpfs or volumes. */
export interface SquidPaths {
  readonly pidFile: string;
  readonly accessLog: string;
  /** Squid's diagnostics; /dev/stderr makes them `docker logs` output. */
  readonly cacheLog: string;
  readonly coredumpDir: string;
  /** Shipped in the image by proxy/Dockerfile (proxy/squid-errors/). */
  readonly errorDirectory: string;
}

export const DEFAULT_SQUID_PATHS: SquidPaths = {
  pidFile: '/run/squid/squid.pid',
  accessLog: '/var/log/squid/access.log',
  cacheLog: '/dev/stderr',
  coredumpDir: '/var/spool/squid',
  errorDirectory: '/usr/share/containai/squid-errors',
};

export const DEFAULT_PROXY_PORT = 3128;

export interface SquidConfOptions {
  /** Embedded in every access-log line. */
  readonly sessionId: string;
  /** From mergeAllowlist(); merged again here because it is the injection point. */
  readonly allowlist: Allowlist;
  readonly port?: number;
  readonly paths?: Partial<SquidPaths>;
  /**
   * TEST ONLY: CIDRs exempt from the private-destination block, so integration
   * tests can reach upstream containers on a private Docker subnet. Never set
   * in a real session: it reopens exactly what the block closes.
   */
  readonly testOnlyReachableCidrs?: readonly string[];
}

export interface ResolvedSquidConfOptions {
  readonly sessionId: string;
  readonly domains: readonly string[];
  readonly port: number;
  readonly paths: SquidPaths;
  readonly testOnlyReachableCidrs: readonly string[];
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const PATH = /^\/[A-Za-z0-9._/-]*$/;

function invalid(what: string, value: unknown): never {
  throw new ContainaiError('CONFIG_INVALID', `proxy config: invalid ${what} ${quote(String(value))}`, {
    causes: ['a bug in the caller of renderSquidConf: values must be validated before rendering'],
  });
}

function checkCidr(cidr: string): string {
  const [address = '', prefix, ...rest] = cidr.split('/');
  const family = isIP(address);
  const max = family === 6 ? 128 : 32;
  const bits = prefix === undefined ? max : Number(prefix);
  if (
    family === 0 ||
    rest.length > 0 ||
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > max ||
    !/^\d*$/.test(prefix ?? '')
  ) {
    invalid('test-only CIDR', cidr);
  }
  return cidr;
}

export function resolveSquidConfOptions(opts: SquidConfOptions): ResolvedSquidConfOptions {
  if (!SESSION_ID.test(opts.sessionId)) invalid('session id', opts.sessionId);
  const port = opts.port ?? DEFAULT_PROXY_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) invalid('port', port);
  const paths = { ...DEFAULT_SQUID_PATHS, ...opts.paths };
  for (const [name, path] of Object.entries(paths)) {
    if (typeof path !== 'string' || !PATH.test(path) || path.split('/').includes('..'))
      invalid(`path ${name}`, path);
  }
  // Merged again, not trusted: a hand-built Allowlist could carry a newline,
  // and overlapping entries make Squid refuse to start.
  const values = opts.allowlist.map(formatAllowlistEntry);
  const domains = mergeAllowlist([{ origin: 'allowlist', values }]).map(formatAllowlistEntry);
  return {
    sessionId: opts.sessionId,
    domains,
    port,
    paths,
    testOnlyReachableCidrs: (opts.testOnlyReachableCidrs ?? []).map(checkCidr),
  };
}
