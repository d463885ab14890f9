// `remove-agent NAME`: import the session branch (unless --no-push), drain
// the proxy log, revoke the broker session, remove every object labelled with
// the session. A failed import stops the removal: the session (and its work)
// stays, and the error says how to remove it without importing.
import { rmSync } from 'node:fs';
import type { ContainaiPaths } from '../../broker/paths.js';
import type { DockerEngine } from '../docker/engine.js';
import { LABEL } from '../docker/labels.js';
import type { PushResult } from '../git/session-push.js';
import { sessionLogPath, sessionLogsDir } from '../network/host-log-file.js';
import { LogForwarderSession } from '../network/log-forwarder-session.js';
import { revokeBrokerSession } from '../secrets/broker-session.js';
import { teardownSession } from '../session/teardown.js';
import { removeLaunchRecord } from './launch-record.js';
import { pushTarget } from './push-at-exit.js';
import { sessionNotFound, listSessions } from './sessions.js';

export interface RemoveOptions {
  noPush: boolean;
  /** Keep the session branch as a git bundle under <state>/bundles (with noPush: instead of importing it). */
  keepBranch?: boolean;
}

export interface RemoveResult {
  name: string;
  push: PushResult | undefined;
  removed: { containers: number; networks: number; volumes: number };
}

export async function removeSession(
  engine: DockerEngine,
  name: string,
  opts: RemoveOptions,
  deps: {
    paths: ContainaiPaths;
    env: Readonly<Record<string, string | undefined>>;
    log: (line: string) => void;
  },
): Promise<RemoveResult> {
  const found = await engine.findLabelled([`${LABEL.session}=${name}`]);
  if (found.containers.length + found.networks.length + found.volumes.length === 0)
    throw sessionNotFound(name, await listSessions(engine));
  const containers = await engine.listContainers([`${LABEL.session}=${name}`]);
  const agent = containers.find((c) => c.Labels[LABEL.role] === 'agent');
  let push: PushResult | undefined;
  if (agent && (!opts.noPush || opts.keepBranch)) {
    if (agent.State !== 'running') await engine.startContainer(agent.Id); // e.g. after a daemon restart
    push = await pushTarget(
      engine,
      {
        containerId: agent.Id,
        name,
        branch: agent.Labels[LABEL.branch] ?? '',
        repoRoot: agent.Labels[LABEL.repo] || undefined,
        mode: opts.noPush ? 'keep-only' : opts.keepBranch ? 'import-and-keep' : 'import',
      },
      deps,
    );
  }
  const logs = containers.find((c) => c.Labels[LABEL.role] === 'logs' && c.State === 'running');
  if (logs) await drainLogs(engine, logs.Id, name, deps);
  const brokerSession = containers.map((c) => c.Labels[LABEL.brokerSession]).find(Boolean);
  if (brokerSession) await revokeBrokerSession(deps.paths, brokerSession);
  const removed = await teardownSession(engine, name);
  for (const launch of new Set(containers.map((c) => c.Labels[LABEL.launch]).filter(Boolean)))
    removeLaunchRecord(deps.paths, launch!);
  if (brokerSession) await removeSocketDir(deps.paths, brokerSession);
  return {
    name,
    push,
    removed: {
      containers: removed.containers.length,
      networks: removed.networks.length,
      volumes: removed.volumes.length,
    },
  };
}

/**
 * A persistent session's proxy log after its launcher left: a fresh
 * forwarder ships the whole access log to the host file (lines the launcher
 * already shipped at start-up, the self-check's, appear twice). Best-effort.
 */
async function drainLogs(
  engine: DockerEngine,
  containerId: string,
  session: string,
  deps: { env: Readonly<Record<string, string | undefined>>; log: (line: string) => void },
): Promise<void> {
  try {
    const forwarder = await LogForwarderSession.start(engine, containerId, {
      session,
      logFile: sessionLogPath(sessionLogsDir(deps.env), session),
      httpEndpoint: undefined,
    });
    forwarder.event('session-end', { removedBy: 'remove-agent' });
    await forwarder.finish();
  } catch (err) {
    deps.log(`could not drain the session's proxy log: ${(err as Error).message}`);
  }
}

async function removeSocketDir(paths: ContainaiPaths, brokerSession: string): Promise<void> {
  const { brokerLayout, sessionDir } = await import('../../broker/socket-paths.js');
  if (!/^[A-Za-z0-9_-]+$/.test(brokerSession)) return;
  rmSync(sessionDir(brokerLayout(paths), brokerSession), { recursive: true, force: true });
}
