// What a session's network needs, decided before anything is created: the
// profile, the validated allowlist, the knobs, and (squid) the sidecar images,
// built here like the agent image when missing.
import { ContainaiError, quote } from '../../broker/errors.js';
import type { Allowlist } from '../../proxy/allowlist.js';
import type { DockerEngine } from '../docker/engine.js';
import { ensureImage } from '../images/ensure-images.js';
import { egressSettings, type EgressSettings } from './egress-settings.js';
import { sessionLogsDir } from './host-log-file.js';

export type NetworkProfileName = 'squid' | 'restricted';

export type NetworkPlan =
  | { profile: 'restricted' }
  | {
      profile: 'squid';
      allowlist: Allowlist;
      settings: EgressSettings;
      proxyImage: string;
      forwarderImage: string;
      /** Host directory of the per-session JSON-lines log files. */
      logsDir: string;
    };

export interface NetworkPlanDeps {
  engine: DockerEngine;
  env: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
}

export async function planNetwork(
  profile: NetworkProfileName,
  allowlist: Allowlist,
  deps: NetworkPlanDeps,
): Promise<NetworkPlan> {
  if (profile === 'restricted') return { profile };
  const settings = egressSettings(deps.env);
  const opts = { env: deps.env, log: deps.log };
  const proxyImage = settings.testOnlyProxyImage ?? (await ensureImage(deps.engine, 'proxy', opts)).ref;
  if (settings.testOnlyProxyImage && !(await deps.engine.imageId(settings.testOnlyProxyImage))) {
    throw new ContainaiError(
      'CONFIG_INVALID',
      `CONTAINAI_TEST_ONLY_PROXY_IMAGE ${quote(settings.testOnlyProxyImage)} is not present on the engine`,
      { actions: ['unset CONTAINAI_TEST_ONLY_PROXY_IMAGE (it is for tests only)'] },
    );
  }
  const forwarderImage = (await ensureImage(deps.engine, 'log-forwarder', opts)).ref;
  if (settings.egressNetwork && !(await deps.engine.inspectNetwork(settings.egressNetwork))) {
    throw new ContainaiError(
      'CONFIG_INVALID',
      `CONTAINAI_EGRESS_NETWORK names no network: ${quote(settings.egressNetwork)}`,
      { actions: ['list networks: docker network ls', 'or unset CONTAINAI_EGRESS_NETWORK'] },
    );
  }
  return { profile, allowlist, settings, proxyImage, forwarderImage, logsDir: sessionLogsDir(deps.env) };
}
