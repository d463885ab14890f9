// An ephemeral session (`run-* --prompt`): plan, start, run the agent's
// non-interactive command with live output, tear everything down on every
// exit path, and return the agent's exit status.
import { once } from 'node:events';
import { ContainaiError } from '../../broker/errors.js';
import type { ContainaiPaths } from '../../broker/paths.js';
import type { DockerEngine } from '../docker/engine.js';
import type { CommandWrapper } from '../secrets/start-stub.js';
import { finishNetwork } from '../network/start-network.js';
import { AGENT_HOME, AGENT_USER, WORKSPACE } from './container-spec.js';
import { InterruptGuard, stopError } from './interrupts.js';
import type { PlanDeps, SessionRequest } from './plan-session.js';
import { choosePromptDelivery, writePromptFileCommand, type PromptDelivery } from './prompt-delivery.js';
import { revokeSecured, type SecureSessionInput } from './secure-session.js';
import type { StartedSession } from './start-session.js';
import { prepareSession, type LaunchProgress } from '../lifecycle/prepare-session.js';
import { removeLaunchRecord } from '../lifecycle/launch-record.js';
import { pushAtExit } from '../lifecycle/push-at-exit.js';
import { LABEL } from '../docker/labels.js';

export interface EphemeralRequest extends SessionRequest, SecureSessionInput {
  /** Undefined: an interactive session on the user's terminal. */
  prompt: Buffer | undefined;
  timeoutSeconds: number | undefined;
  /** --no-push: the host repository is left byte-identical. */
  noPush?: boolean;
}

export interface EphemeralDeps extends PlanDeps {
  paths: ContainaiPaths;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function runEphemeral(req: EphemeralRequest, deps: EphemeralDeps): Promise<number> {
  const { engine } = deps;
  const progress: LaunchProgress = {};
  const guard = new InterruptGuard(() => {
    // Killing the container ends any exec streaming from it; the pipeline
    // below then unwinds into its own teardown.
    if (progress.containerId) void engine.removeContainer(progress.containerId).catch(() => undefined);
  });
  let failed = false;
  try {
    const { session, wrap } = await prepareSession(req, deps, guard, progress, 'ephemeral');
    guard.armTimeout(req.timeoutSeconds);
    const exitCode =
      req.prompt === undefined
        ? await runInteractive(engine, session, wrap)
        : await runPrompt(engine, session, choosePromptDelivery(req.prompt), deps, wrap);
    guard.check();
    // The agent has exited; its work goes to the host before the container does.
    if (!req.noPush) await pushAtExit(engine, session, deps);
    return exitCode;
  } catch (err) {
    failed = true;
    // A stop request explains any engine error it caused (exec cut short…).
    if (guard.stopped) throw stopError(guard.stopped);
    throw err;
  } finally {
    guard.dispose();
    // MCP servers stop (their audit lines reach the host log) while the session is still valid.
    await progress.mcp?.finish();
    // Revoke first: even if removing containers fails, the capabilities are dead.
    await revokeSecured(deps.paths, progress.secured).catch((err: unknown) => {
      deps.log(`could not revoke the broker session: ${(err as Error).message}`);
    });
    await finishNetwork(progress.network, { failed }, deps.log);
    if (progress.launchId) {
      await teardownLaunch(engine, progress.launchId, failed, deps.log);
      removeLaunchRecord(deps.paths, progress.launchId);
    }
  }
}

function agentEnv(session: StartedSession): string[] {
  return [
    `HOME=${AGENT_HOME}`,
    `USER=${AGENT_USER}`,
    `LOGNAME=${AGENT_USER}`,
    'LANG=C.UTF-8',
    `CONTAINAI_SESSION=${session.name}`,
  ];
}

/** The agent's interactive command on the user's terminal (raw mode, resized with it). */
async function runInteractive(
  engine: DockerEngine,
  session: StartedSession,
  wrap: CommandWrapper,
): Promise<number> {
  const env = [...agentEnv(session), `TERM=${process.env.TERM || 'xterm-256color'}`];
  return engine.execTty(
    session.containerId,
    { cmd: wrap(session.plan.agent.interactiveCommand), user: AGENT_USER, workdir: WORKSPACE, env },
    { stdin: process.stdin, stdout: process.stdout },
  );
}

async function runPrompt(
  engine: DockerEngine,
  session: StartedSession,
  prompt: PromptDelivery,
  deps: EphemeralDeps,
  wrap: CommandWrapper,
): Promise<number> {
  const env = agentEnv(session);
  if (prompt.kind === 'file') {
    const written = await engine.execCapture(session.containerId, {
      cmd: writePromptFileCommand(prompt.path),
      user: AGENT_USER,
      stdin: prompt.bytes,
    });
    if (written.exitCode !== 0) {
      throw new ContainaiError(
        'SESSION_SETUP_FAILED',
        `could not hand the prompt to the agent: ${written.stderr.trim()}`,
        {
          causes: ['the prompt is larger than the container /tmp (512 MiB)'],
        },
      );
    }
    env.push(`CONTAINAI_PROMPT_FILE=${prompt.path}`);
  }
  const cmd = wrap(session.plan.agent.promptCommand(prompt));
  return engine.exec(
    session.containerId,
    { cmd, user: AGENT_USER, workdir: WORKSPACE, env },
    async (kind, chunk) => {
      const out = kind === 'stdout' ? deps.stdout : deps.stderr;
      if (!out.write(chunk)) await once(out, 'drain');
    },
  );
}

/**
 * Removes everything this launch created. A teardown failure is an error of
 * its own, unless the run already failed: then the first error is the one
 * the user needs, and the leftover is reported beside it.
 */
export async function teardownLaunch(
  engine: DockerEngine,
  launchId: string,
  alreadyFailed: boolean,
  log: (line: string) => void,
): Promise<void> {
  try {
    await engine.removeLabelled([`${LABEL.launch}=${launchId}`]);
  } catch (err) {
    const leftover = new ContainaiError('DOCKER_ERROR', `could not remove every object of this session`, {
      actions: [
        `remove leftovers: containai gc, or docker rm -f $(docker ps -aq --filter label=${LABEL.launch}=${launchId})`,
      ],
      cause: err,
    });
    if (!alreadyFailed) throw leftover;
    log(`${leftover.message}: ${(err as Error).message}`);
  }
}
