// Fail-closed check of the squid profile, run inside the agent container as
// the agent user before the agent starts (docs/proxy.md, "Self-check"):
//   proxy   the proxy answers at http://proxy:3128 (retried while Squid starts)
//   denied  a host that is not allowlisted gets the proxy's 403 page
//   direct  a TCP connection that bypasses the proxy fails: the target is the
//           proxy's own address on the egress network, which would answer
//           if the agent could route there
//   dns     an outside name does not resolve
// All four must pass; any other outcome is EGRESS_CHECK_FAILED.
import { randomBytes } from 'node:crypto';
import { ContainaiError } from '../../broker/errors.js';
import { allowlistMatches, type Allowlist } from '../../proxy/allowlist.js';
import type { DockerEngine } from '../docker/engine.js';
import { AGENT_USER } from '../session/container-spec.js';
import { PROXY_PORT, PROXY_URL } from './sidecar-specs.js';

export const CHECKS = ['proxy', 'denied', 'direct', 'dns'] as const;
export type CheckName = (typeof CHECKS)[number];

export interface SelfCheckResult {
  ok: boolean;
  ms: number;
  /** 'ok', or what was seen instead. */
  checks: Record<CheckName, string>;
}

/** A name that exists publicly; it must not resolve inside the agent container. */
export const OUTSIDE_NAME = 'example.com';

// A constant script; every variable part is a positional argument ($1…),
// never spliced into the text. The slow negative probes run in parallel.
const SCRIPT = String.raw`
set -u
proxy_url=$1 denied_host=$2 egress_ip=$3 proxy_port=$4 outside_name=$5
( if timeout 0.7 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$egress_ip" "$proxy_port" 2>/dev/null
  then echo "direct=connected to $egress_ip:$proxy_port without the proxy"
  else echo direct=ok; fi ) &
( if out=$(timeout 1 getent hosts "$outside_name"); then echo "dns=$outside_name resolved: $out" | head -1
  else echo dns=ok; fi ) &
headers= status=
for _ in $(seq 1 150); do
  headers=$(curl -sS -o /dev/null -D - --max-time 3 --proxy "$proxy_url" "http://$denied_host/" 2>&1) && break
  headers=
  sleep 0.1
done
if [ -z "$headers" ]; then
  echo "proxy=no answer from $proxy_url within 15 s"; echo "denied=not checked"
else
  echo proxy=ok
  status=$(printf '%s\n' "$headers" | head -1 | tr -d '\r')
  if printf '%s' "$headers" | grep -qi '^X-Squid-Error: ERR_CONTAINAI_DOMAIN' && [ "$(echo "$status" | cut -d' ' -f2)" = 403 ]
  then echo denied=ok; else echo "denied=got $status"; fi
fi
wait
`;

export interface SelfCheckInput {
  agentContainerId: string;
  allowlist: Allowlist;
  proxyEgressIp: string;
}

export async function runEgressSelfCheck(
  engine: DockerEngine,
  input: SelfCheckInput,
): Promise<SelfCheckResult> {
  const started = Date.now();
  const denied = deniedProbeHost(input.allowlist);
  const result = await engine.execCapture(input.agentContainerId, {
    cmd: [
      'bash',
      '-c',
      SCRIPT,
      'egress-self-check',
      PROXY_URL,
      denied,
      input.proxyEgressIp,
      String(PROXY_PORT),
      OUTSIDE_NAME,
    ],
    user: AGENT_USER,
    workdir: '/',
    // Not the agent's proxy variables: each probe says exactly how it connects.
    env: ['http_proxy=', 'https_proxy=', 'HTTP_PROXY=', 'HTTPS_PROXY=', 'no_proxy=', 'NO_PROXY='],
  });
  const checks = Object.fromEntries(CHECKS.map((c) => [c, 'did not run'])) as Record<CheckName, string>;
  for (const line of result.stdout.split('\n')) {
    const eq = line.indexOf('=');
    const name = line.slice(0, eq) as CheckName;
    if (eq > 0 && CHECKS.includes(name)) checks[name] = line.slice(eq + 1);
  }
  const ok = result.exitCode === 0 && CHECKS.every((c) => checks[c] === 'ok');
  return { ok, ms: Date.now() - started, checks };
}

export function selfCheckError(result: SelfCheckResult): ContainaiError {
  const failed = CHECKS.filter((c) => result.checks[c] !== 'ok').map((c) => `${c}: ${result.checks[c]}`);
  return new ContainaiError(
    'EGRESS_CHECK_FAILED',
    `the network policy self-check failed (${failed.join('; ') || 'the check itself failed'}); the session was not started`,
    {
      causes: [
        'the proxy container did not start or exited (see: docker logs of the -proxy container, or CONTAINAI_DEBUG=1)',
        'the Docker engine does not isolate internal networks (iptables disabled, or a rootless/remote engine)',
      ],
      actions: ['check the engine: containai doctor', 'see docs/troubleshooting.md (EGRESS_CHECK_FAILED)'],
    },
  );
}

/** A host name that is certainly not allowlisted, so the proxy must deny it without DNS. */
function deniedProbeHost(allowlist: Allowlist): string {
  for (;;) {
    // Two random labels: no allowlist entry can anticipate them.
    const [a, b] = [randomBytes(4).toString('hex'), randomBytes(4).toString('hex')];
    const host = `egress-self-check-${a}.c${b}.invalid`;
    if (!allowlistMatches(allowlist, host)) return host;
  }
}
