// Knobs of the squid profile read from the environment (docs/proxy.md),
// parsed once at the edge. Test-only knobs carry TEST_ONLY in their names.
import { isIP } from 'node:net';
import { ContainaiError, quote } from '../../broker/errors.js';

export interface EgressSettings {
  /**
   * CONTAINAI_EGRESS_NETWORK: an existing Docker network the proxy uses to
   * reach the outside, instead of a per-session bridge network. containai
   * never removes it.
   */
  egressNetwork?: string;
  /** CONTAINAI_LOG_HTTP_ENDPOINT: an http(s) collector that also gets every log line. */
  httpEndpoint?: string;
  /**
   * CONTAINAI_TEST_ONLY_REACHABLE_CIDRS: comma-separated CIDRs exempt from
   * the proxy's private-destination block, so integration tests can reach
   * their own upstream containers. Never set it for a real session.
   */
  testOnlyReachableCidrs: string[];
  /** CONTAINAI_TEST_ONLY_PROXY_IMAGE: run this image as the proxy (tests break the proxy on purpose). */
  testOnlyProxyImage?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function egressSettings(env: Env): EgressSettings {
  const settings: EgressSettings = { testOnlyReachableCidrs: [] };
  if (env.CONTAINAI_EGRESS_NETWORK) settings.egressNetwork = env.CONTAINAI_EGRESS_NETWORK;
  if (env.CONTAINAI_LOG_HTTP_ENDPOINT) settings.httpEndpoint = httpEndpoint(env.CONTAINAI_LOG_HTTP_ENDPOINT);
  if (env.CONTAINAI_TEST_ONLY_PROXY_IMAGE) settings.testOnlyProxyImage = env.CONTAINAI_TEST_ONLY_PROXY_IMAGE;
  if (env.CONTAINAI_TEST_ONLY_REACHABLE_CIDRS) {
    settings.testOnlyReachableCidrs = env.CONTAINAI_TEST_ONLY_REACHABLE_CIDRS.split(',').map((c) => {
      const cidr = c.trim();
      if (isIP(cidr.split('/')[0] ?? '') === 0) {
        throw new ContainaiError(
          'CONFIG_INVALID',
          `CONTAINAI_TEST_ONLY_REACHABLE_CIDRS: ${quote(cidr)} is not a CIDR`,
          {
            actions: ['unset it (it is for integration tests only), or give e.g. 172.30.0.0/16'],
          },
        );
      }
      return cidr;
    });
  }
  return settings;
}

function httpEndpoint(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ContainaiError(
      'CONFIG_INVALID',
      `CONTAINAI_LOG_HTTP_ENDPOINT is not an http(s) URL: ${quote(value.replace(/\/\/[^@/]*@/, '//…@'))}`,
      { actions: ['for example: CONTAINAI_LOG_HTTP_ENDPOINT=https://logs.example.com/ingest'] },
    );
  }
  return url.toString();
}
