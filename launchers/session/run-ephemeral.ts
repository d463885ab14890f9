// An ephemeral session (`run-* --prompt`): plan, start, run the agent's
// non-interactive command with live output, tear everything down on every
// exit path, and return the agent's exit status.
import { once } from 'node:events';
import { ContainaiError } from '../../broker/errors.js';
import type { ContainaiPaths } from '../../broker/paths.js';
import type { DockerEngine } from '../docker/engine.js';
import type { CommandWrapper } from '../secrets/start-stub.js';
import { finishNetwork, type StartedNetwork } from '../network/start-network.js';
import { AGENT_HOME, AGENT_USER, WORKSPACE } from './container-spec.js';
import { InterruptGuard, stopError } from './interrupts.js';
import { planSession, type PlanDeps, type SessionRequest } from './plan-session.js';
import { choosePromptDelivery, writePromptFileCommand, type PromptDelivery } from './prompt-delivery.js';
import {
  precheckSecrets,
  recordManifest,
  revokeSecured,
  secureSession,
  type SecuredSession,
  type SecureSessionInput,
} from './secure-session.js';
import { startSession, type StartedSession } from './start-session.js';
import { LABEL } from '../docker/labels.js';

export interface EphemeralRequest extends SessionRequest, SecureSessionInput {
  prompt: Buffer;
  timeoutSeconds: number | undefined;
}

export interface EphemeralDeps extends PlanDeps {
  paths: ContainaiPaths;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function runEphemeral(req: EphemeralRequest, deps: EphemeralDeps): Promise<number> {
  const { engine } = deps;
  let launchId: string | undefined;
  let containerId: string | undefined;
  const guard = new InterruptGuard(() => {
    // Killing the container ends any exec streaming from it; the pipeline
    // below then unwinds into its own teardown.
    if (containerId) void engine.removeContainer(containerId).catch(() => undefined);
  });
  let failed = false;
  let secured: SecuredSession | undefined;
  let network: StartedNetwork | undefined;
  try {
    await precheckSecrets(req.grants, deps.paths);
    // Planning creates nothing (an image build may run): a stop abandons it at once.
    const plan = await guard.race(planSession(req, deps));
    launchId = plan.launchId;
    secured = await secureSession(plan, req, deps);
    guard.check();
    const session: StartedSession = await startSession(engine, plan, {
      brokerSocketDir: secured.broker?.socketDir,
    });
    containerId = session.containerId;
    network = session.network;
    recordManifest(deps.paths, session.name, secured);
    guard.check();
    // Fail closed before anything else runs in the container (docs/proxy.md).
    await session.network.selfCheck(session.containerId);
    guard.check();
    // The stub's modules load only for sessions that use the broker (startup time).
    const wrap: CommandWrapper = secured.broker
      ? await (
          await import('../secrets/start-stub.js')
        ).startStub(engine, session.containerId, secured.broker, secured.grants)
      : (cmd) => cmd;
    guard.check();
    guard.armTimeout(req.timeoutSeconds);
    const exitCode = await runPrompt(engine, session, choosePromptDelivery(req.prompt), deps, wrap);
    guard.check();
    return exitCode;
  } catch (err) {
    failed = true;
    // A stop request explains any engine error it caused (exec cut short…).
    if (guard.stopped) throw stopError(guard.stopped);
    throw err;
  } finally {
    guard.dispose();
    // Revoke first: even if removing containers fails, the capabilities are dead.
    await revokeSecured(deps.paths, secured).catch((err: unknown) => {
      deps.log(`could not revoke the broker session: ${(err as Error).message}`);
    });
    await finishNetwork(network, { failed }, deps.log);
    if (launchId) await teardownLaunch(engine, launchId, failed, deps.log);
  }
}

async function runPrompt(
  engine: DockerEngine,
  session: StartedSession,
  prompt: PromptDelivery,
  deps: EphemeralDeps,
  wrap: CommandWrapper,
): Promise<number> {
  const env = [`HOME=${AGENT_HOME}`, `USER=${AGENT_USER}`, `LOGNAME=${AGENT_USER}`, 'LANG=C.UTF-8'];
  env.push(`CONTAINAI_SESSION=${session.name}`);
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
async function teardownLaunch(
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
