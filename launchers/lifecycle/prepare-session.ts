// Launch steps shared by run-* and launch-agent: preflight, plan, seal, start,
// self-check and stub. Each step records what it created in `progress`, so the
// caller's teardown (and, after a kill -9, `containai gc` through the launch
// record) can remove exactly that, whichever step failed.
import type { ContainaiPaths } from '../../broker/paths.js';
import { LABEL } from '../docker/labels.js';
import type { StartedNetwork } from '../network/start-network.js';
import type { CommandWrapper } from '../secrets/start-stub.js';
import type { InterruptGuard } from '../session/interrupts.js';
import { planSession, type PlanDeps, type SessionRequest } from '../session/plan-session.js';
import {
  precheckSecrets,
  recordManifest,
  secureSession,
  type SecuredSession,
  type SecureSessionInput,
} from '../session/secure-session.js';
import { startSession, type StartedSession } from '../session/start-session.js';
import { launcherIdentity } from './launcher-identity.js';
import { prepareSessionMcp, startSessionMcp, type StartedMcp } from '../mcp/session-hooks.js';
import { writeLaunchRecord, type LaunchRecord } from './launch-record.js';

export type SessionMode = 'ephemeral' | 'persistent';

export interface LaunchProgress {
  launchId?: string;
  containerId?: string;
  secured?: SecuredSession;
  network?: StartedNetwork;
  record?: LaunchRecord;
  /** The MCP audit stream; its finish() stops the servers and flushes the log (before revoke). */
  mcp?: StartedMcp;
}

export interface PreparedSession {
  session: StartedSession;
  secured: SecuredSession;
  /** Wraps the agent's command so its agent-scoped secrets reach it (mcp-stub agent-exec). */
  wrap: CommandWrapper;
}

export interface PrepareDeps extends PlanDeps {
  paths: ContainaiPaths;
}

export async function prepareSession(
  req: SessionRequest & SecureSessionInput,
  deps: PrepareDeps,
  guard: InterruptGuard,
  progress: LaunchProgress,
  mode: SessionMode,
): Promise<PreparedSession> {
  const { engine } = deps;
  await precheckSecrets(req.grants, deps.paths);
  // Planning creates nothing (an image build may run): a stop abandons it at once.
  const plan = await guard.race(planSession(req, deps));
  progress.launchId = plan.launchId;
  const launcher = launcherIdentity();
  // Before the broker is asked: a kill -9 from here on leaves a record gc can follow.
  progress.record = { launchId: plan.launchId, launcher, mode, phase: 'launching' };
  writeLaunchRecord(deps.paths, progress.record);
  // MCP config and its secrets are checked before anything is created (docs/mcp.md).
  const mcp = await prepareSessionMcp(plan.agent, plan.repo?.root, deps);
  const secured = await secureSession(plan, mcp ? { ...req, mcpSecrets: mcp.secrets } : req, deps);
  progress.secured = secured;
  if (secured.broker) {
    progress.record = {
      ...progress.record,
      brokerSessionId: secured.broker.bundle.sessionId,
      brokerSocketDir: secured.broker.socketDir,
    };
    writeLaunchRecord(deps.paths, progress.record);
  }
  guard.check();
  const session = await startSession(engine, plan, {
    brokerSocketDir: secured.broker?.socketDir,
    lifecycle: {
      [LABEL.mode]: mode,
      [LABEL.launcher]: launcher,
      ...(secured.broker ? { [LABEL.brokerSession]: secured.broker.bundle.sessionId } : {}),
    },
  });
  progress.containerId = session.containerId;
  progress.network = session.network;
  progress.record = { ...progress.record, session: session.name };
  writeLaunchRecord(deps.paths, progress.record);
  recordManifest(deps.paths, session.name, secured);
  guard.check();
  // Fail closed before anything else runs in the container (docs/proxy.md).
  await session.network.selfCheck(session.containerId);
  guard.check();
  // The stub's modules load only for sessions that use the broker (startup time).
  const wrap: CommandWrapper = secured.broker
    ? await (
        await import('../secrets/start-stub.js')
      ).startStub(
        engine,
        session.containerId,
        secured.broker,
        secured.grants,
        mcp ? { session: session.name, servers: mcp.stubServers } : undefined,
      )
    : (cmd) => cmd;
  if (mcp)
    progress.mcp = await startSessionMcp(engine, session.containerId, mcp, {
      paths: deps.paths,
      session: session.name,
    });
  guard.check();
  return { session, secured, wrap };
}
