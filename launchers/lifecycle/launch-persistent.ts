// `launch-agent`: the run-* pipeline (prepare-session.ts), then the agent's
// interactive command in a detached tmux session owned by the agent user,
// so it outlives the launcher. Returns once tmux reports the session.
import type { ContainaiPaths } from '../../broker/paths.js';
import { ContainaiError } from '../../broker/errors.js';
import { finishNetwork } from '../network/start-network.js';
import { AGENT_HOME, AGENT_USER, WORKSPACE } from '../session/container-spec.js';
import { InterruptGuard, stopError } from '../session/interrupts.js';
import type { PlanDeps, SessionRequest } from '../session/plan-session.js';
import { revokeSecured, type SecureSessionInput } from '../session/secure-session.js';
import { teardownLaunch } from '../session/run-ephemeral.js';
import { removeLaunchRecord } from './launch-record.js';
import { prepareSession, type LaunchProgress } from './prepare-session.js';
import { PERSISTENT_TTL_SECONDS } from './renewal.js';

export const TMUX_SESSION = 'agent';

export interface PersistentRequest extends SessionRequest, SecureSessionInput {}

export interface LaunchedSession {
  name: string;
  containerId: string;
  agent: string;
  branch: string;
  repo: string | undefined;
  profile: string;
}

export async function launchPersistent(
  req: PersistentRequest,
  deps: PlanDeps & { paths: ContainaiPaths },
): Promise<LaunchedSession> {
  const { engine } = deps;
  const progress: LaunchProgress = {};
  const guard = new InterruptGuard(() => {
    if (progress.containerId) void engine.removeContainer(progress.containerId).catch(() => undefined);
  });
  let ready = false;
  try {
    const { session, wrap } = await prepareSession(
      { ...req, ttlSeconds: PERSISTENT_TTL_SECONDS },
      deps,
      guard,
      progress,
      'persistent',
    );
    const env = [
      `HOME=${AGENT_HOME}`,
      `USER=${AGENT_USER}`,
      `LOGNAME=${AGENT_USER}`,
      'LANG=C.UTF-8',
      'TERM=xterm-256color',
      `CONTAINAI_SESSION=${session.name}`,
    ];
    // tmux ≥ 3 runs a multi-argument command directly: no shell parses it.
    const cmd = wrap(session.plan.agent.interactiveCommand);
    const started = await engine.execCapture(session.containerId, {
      cmd: ['tmux', 'new-session', '-d', '-s', TMUX_SESSION, '-x', '200', '-y', '50', '--', ...cmd],
      user: AGENT_USER,
      workdir: WORKSPACE,
      env,
    });
    const alive = await engine.execCapture(session.containerId, {
      cmd: ['tmux', 'has-session', '-t', TMUX_SESSION],
      user: AGENT_USER,
      env,
    });
    if (started.exitCode !== 0 || alive.exitCode !== 0) {
      throw new ContainaiError(
        'SESSION_SETUP_FAILED',
        `the agent did not start in tmux: ${(started.stderr || alive.stderr).trim() || 'it exited at once'}`,
        { actions: ['try it without a session: run-' + session.plan.agent.name + ' --prompt …'] },
      );
    }
    guard.check();
    ready = true;
    return {
      name: session.name,
      containerId: session.containerId,
      agent: session.plan.agent.name,
      branch: session.branch,
      repo: session.plan.repo?.root,
      profile: session.plan.profile,
    };
  } catch (err) {
    if (guard.stopped) throw stopError(guard.stopped);
    throw err;
  } finally {
    guard.dispose();
    // Persistent or not, the launcher's forwarder exec ends with it: flush what
    // it has (start, self-check); remove-agent drains the rest (docs/cli.md).
    await finishNetwork(progress.network, { failed: !ready }, deps.log);
    if (!ready) {
      await revokeSecured(deps.paths, progress.secured).catch((err: unknown) => {
        deps.log(`could not revoke the broker session: ${(err as Error).message}`);
      });
      if (progress.launchId) {
        await teardownLaunch(engine, progress.launchId, true, deps.log);
        removeLaunchRecord(deps.paths, progress.launchId);
      }
    } else if (progress.launchId) {
      // Ready: from here the container's labels describe the session, and gc
      // never touches a persistent one (gc.ts).
      removeLaunchRecord(deps.paths, progress.launchId);
    }
  }
}
