// Creates a session's network before its agent container and returns what the
// rest of the pipeline needs: the agent's network mode and proxy variables,
// the self-check, and the log flush at teardown.
//
// squid: an internal network (no route out) holding the agent and the proxy;
// the proxy also on an egress network (per session, or CONTAINAI_EGRESS_NETWORK);
// a log volume (tmpfs, uid 13) shared by the proxy and the log forwarder only.
// Every object carries the session's labels, so teardown by label removes it.
import { randomBytes } from 'node:crypto';
import { renderSquidConf } from '../../proxy/squid-conf/index.js';
import type { DockerEngine } from '../docker/engine.js';
import { sessionLabels, type SessionLabelInput } from '../docker/labels.js';
import { runEgressSelfCheck, selfCheckError, type SelfCheckResult } from './egress-self-check.js';
import { sessionLogPath } from './host-log-file.js';
import { LogForwarderSession } from './log-forwarder-session.js';
import type { NetworkPlan } from './network-plan.js';
import { forwarderContainerSpec, logVolumeOptions, proxyContainerSpec, PROXY_URL } from './sidecar-specs.js';

export interface StartedNetwork {
  /** HostConfig.NetworkMode of the agent container. */
  agentNetworkMode: string;
  /** Extra environment of the agent container (the proxy variables). */
  agentEnv: string[];
  /** The host log file, when the profile has one. */
  logFile: string | undefined;
  /** Throws EGRESS_CHECK_FAILED unless the policy holds inside the agent container. */
  selfCheck(agentContainerId: string): Promise<SelfCheckResult | undefined>;
  /** Records the session's end and flushes the logs; resolves to warnings for the user. Never throws. */
  finish(outcome: { failed: boolean }): Promise<string[]>;
  /** Removes what this network created (when the session name was lost to a race). */
  remove(): Promise<void>;
}

export const RESTRICTED_NETWORK: StartedNetwork = {
  agentNetworkMode: 'none',
  agentEnv: [],
  logFile: undefined,
  selfCheck: async () => undefined,
  finish: async () => [],
  remove: async () => undefined,
};

export async function startNetwork(
  engine: DockerEngine,
  plan: NetworkPlan,
  labelInput: SessionLabelInput,
): Promise<StartedNetwork> {
  if (plan.profile === 'restricted') return RESTRICTED_NETWORK;
  const session = labelInput.session;
  // Random suffixes: names of a lost race must not collide with the winner's.
  const suffix = randomBytes(4).toString('hex');
  const internal = `${session}-int-${suffix}`;
  const egress = plan.settings.egressNetwork ?? `${session}-egress-${suffix}`;
  const logVolume = `${session}-logs-${suffix}`;
  const proxyLabels = sessionLabels(labelInput, 'proxy');
  const logsLabels = sessionLabels(labelInput, 'logs');
  const created = { containers: [] as string[], networks: [] as string[], volumes: [] as string[] };
  const remove = async (): Promise<void> => {
    await Promise.all(created.containers.map((id) => engine.removeContainer(id)));
    await Promise.all([
      ...created.networks.map((n) => engine.removeNetwork(n)),
      ...created.volumes.map((v) => engine.removeVolume(v)),
    ]);
  };

  // Rendered first: an invalid value stops the launch before anything exists.
  const squidConf = renderSquidConf({
    sessionId: session,
    allowlist: plan.allowlist,
    testOnlyReachableCidrs: plan.settings.testOnlyReachableCidrs,
  });
  await Promise.all([
    engine
      .createNetwork({
        Name: internal,
        Driver: 'bridge',
        Internal: true,
        CheckDuplicate: true,
        Labels: proxyLabels,
        // No address on the host's side of the bridge: an internal network
        // still lets containers reach the host at its gateway IP (any host
        // service bound to 0.0.0.0). Agent and proxy talk over layer 2.
        Options: { 'com.docker.network.bridge.inhibit_ipv4': 'true' },
      })
      .then(() => created.networks.push(internal)),
    plan.settings.egressNetwork
      ? Promise.resolve()
      : engine
          .createNetwork({ Name: egress, Driver: 'bridge', CheckDuplicate: true, Labels: proxyLabels })
          .then(() => created.networks.push(egress)),
    engine
      .createVolume(logVolume, logsLabels, logVolumeOptions())
      .then(() => created.volumes.push(logVolume)),
  ]);
  const forwarderNetwork = plan.settings.httpEndpoint ? egress : undefined;
  const logFile = sessionLogPath(plan.logsDir, session);
  // The sidecars start in the background while the caller creates and starts
  // the agent container (Squid needs about a second to come up); the
  // self-check, the log flush and removal each wait for them first.
  const sidecars = (async () => {
    const [proxyId, forwarderId] = await Promise.all([
      engine.createContainer(
        proxyContainerSpec({
          name: `${session}-proxy-${suffix}`,
          image: plan.proxyImage,
          labels: proxyLabels,
          internalNetwork: internal,
          logVolume,
          squidConf,
        }),
      ),
      engine.createContainer(
        forwarderContainerSpec({
          name: `${session}-logs-${suffix}`,
          image: plan.forwarderImage,
          labels: logsLabels,
          logVolume,
          network: forwarderNetwork,
        }),
      ),
    ]);
    created.containers.push(proxyId, forwarderId);
    await engine.connectNetwork(egress, proxyId);
    await Promise.all([engine.startContainer(proxyId), engine.startContainer(forwarderId)]);
    const forwarder = await LogForwarderSession.start(engine, forwarderId, {
      session,
      logFile,
      httpEndpoint: plan.settings.httpEndpoint,
    });
    forwarder.event('session-start', {
      agent: labelInput.agent,
      branch: labelInput.branch,
      profile: 'squid',
      allowlist: plan.allowlist.map((e) => (e.subdomains ? `.${e.host}` : e.host)),
    });
    return { proxyId, forwarder };
  })();
  // Observed by selfCheck/finish/remove; never an unhandled rejection meanwhile.
  sidecars.catch(() => undefined);

  return {
    agentNetworkMode: internal,
    agentEnv: [
      `HTTP_PROXY=${PROXY_URL}`,
      `HTTPS_PROXY=${PROXY_URL}`,
      `http_proxy=${PROXY_URL}`,
      `https_proxy=${PROXY_URL}`,
      'NO_PROXY=localhost,127.0.0.1',
      'no_proxy=localhost,127.0.0.1',
    ],
    logFile,
    async selfCheck(agentContainerId) {
      const { proxyId, forwarder } = await sidecars;
      const info = await engine.inspectContainer(proxyId);
      const proxyEgressIp = info.NetworkSettings.Networks[egress]?.IPAddress || '0.0.0.0';
      const result = await runEgressSelfCheck(engine, {
        agentContainerId,
        allowlist: plan.allowlist,
        proxyEgressIp,
      });
      forwarder.event('egress-check', { ok: result.ok, ms: result.ms, checks: result.checks });
      if (!result.ok) throw selfCheckError(result);
      return result;
    },
    async finish(outcome) {
      let forwarder: Awaited<typeof sidecars>['forwarder'];
      try {
        ({ forwarder } = await sidecars);
      } catch {
        return []; // the sidecars never started: nothing was logged to flush
      }
      forwarder.event('session-end', outcome);
      const summary = await forwarder.finish();
      const warnings: string[] = [];
      const http = summary?.http;
      if (http && http.dropped > 0) {
        warnings.push(
          `log forwarder: ${http.dropped} log lines could not be delivered to ${http.endpoint}` +
            ` (${http.failedPosts} failed posts, last error: ${http.lastError ?? 'none'}); all are in ${logFile}`,
        );
      }
      if (!summary) warnings.push(`log forwarder: no final summary; ${logFile} may be incomplete`);
      return warnings;
    },
    async remove() {
      await sidecars.catch(() => undefined);
      await remove();
    },
  };
}

/** Flushes a session's logs before teardown; tolerates a network that never started. */
export async function finishNetwork(
  network: StartedNetwork | undefined,
  outcome: { failed: boolean },
  log: (line: string) => void,
): Promise<void> {
  if (!network) return;
  try {
    for (const warning of await network.finish(outcome)) log(warning);
  } catch (err) {
    log(`could not flush the session logs: ${(err as Error).message}`);
  }
}
