// Creates and starts a planned session: labelled workspace volume, hardened
// agent container, and (with a repository) the clone on the session branch.
import { randomBytes } from 'node:crypto';
import { ContainaiError } from '../../broker/errors.js';
import type { DockerEngine } from '../docker/engine.js';
import { LABEL, sessionLabels } from '../docker/labels.js';
import { statusCodeOf } from '../docker/engine-errors.js';
import { agentContainerSpec, AGENT_USER, REPO_MOUNT, WORKSPACE } from './container-spec.js';
import { nextSessionBranch } from './branch.js';
import { sessionName, withOrdinal } from './names.js';
import { startNetwork, type StartedNetwork } from '../network/start-network.js';
import type { SessionPlan } from './plan-session.js';

export interface StartedSession {
  plan: SessionPlan;
  name: string;
  branch: string;
  containerId: string;
  /** The session's network: self-check and log flush (launchers/network/). */
  network: StartedNetwork;
}

const MAX_NAME_ATTEMPTS = 20;

/** Everything created carries `plan.launchId`; the caller tears down by it. */
export async function startSession(
  engine: DockerEngine,
  plan: SessionPlan,
  extras: { brokerSocketDir?: string; lifecycle?: Record<string, string> } = {},
): Promise<StartedSession> {
  const tried = new Set(plan.takenBranches);
  const nextBranch = (): string => {
    const next = plan.fixedBranch ?? nextSessionBranch(plan.agent.name, tried);
    tried.add(next);
    return next;
  };
  let branch = nextBranch();
  let ordinal = 1;
  for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
    const name = withOrdinal(sessionName(plan.agent.name, plan.repoLabel, branch), ordinal);
    const holders = await engine.listContainers([`${LABEL.session}=${name}`]);
    if (holders.length > 0) {
      // A live session of this repository holds that session-N (a concurrent
      // launch): take the next N. Anything else (another repository with the
      // same directory name, or --branch): keep the branch, vary the name.
      const sameRepo = holders.some((h) => h.Labels[LABEL.repo] === (plan.repo?.root ?? ''));
      if (!plan.fixedBranch && sameRepo) {
        branch = nextBranch();
        ordinal = 1;
      } else {
        ordinal++;
      }
      continue;
    }
    const labelInput = {
      session: name,
      launch: plan.launchId,
      agent: plan.agent.name,
      repo: plan.repo?.root ?? '',
      branch,
      profile: plan.profile,
      created: plan.created,
      lifecycle: extras.lifecycle,
    };
    const labels = sessionLabels(labelInput, 'agent');
    // A random suffix: `docker volume create` silently reuses an existing
    // volume of the same name, which could be another session's workspace.
    const volume = `${name}-ws-${randomBytes(4).toString('hex')}`;
    await engine.createVolume(volume, labels);
    const network = await startNetwork(engine, plan.network, labelInput);
    let containerId: string;
    try {
      // The sidecars are still starting (start-network.ts): any failure from
      // here on waits for them and removes them, so nothing is created after
      // the caller's teardown has run.
      containerId = await engine.createContainer(
        agentContainerSpec({
          name,
          image: plan.image.ref,
          labels,
          limits: plan.limits,
          workspaceVolume: volume,
          repoRoot: plan.repo?.root,
          brokerSocketDir: extras.brokerSocketDir,
          networkMode: network.agentNetworkMode,
          extraEnv: network.agentEnv,
        }),
      );
      await engine.startContainer(containerId);
      if (plan.repo) await cloneWorkspace(engine, containerId, branch);
    } catch (err) {
      await network.remove();
      if (statusCodeOf((err as ContainaiError).cause) !== 409) throw err;
      // Lost a race for the name: drop our volume; the next pass sees the holder.
      await engine.removeVolume(volume);
      continue;
    }
    return { plan, name, branch, containerId, network };
  }
  throw new ContainaiError(
    'SESSION_SETUP_FAILED',
    `no free session name after ${MAX_NAME_ATTEMPTS} attempts`,
    {
      actions: ['list sessions: list-agents; remove stale ones: containai gc'],
    },
  );
}

async function cloneWorkspace(engine: DockerEngine, containerId: string, branch: string): Promise<void> {
  const result = await engine.execCapture(containerId, {
    cmd: ['/usr/local/lib/containai/init-workspace', REPO_MOUNT, branch],
    user: AGENT_USER,
    workdir: '/',
  });
  if (result.exitCode !== 0) {
    throw new ContainaiError(
      'SESSION_SETUP_FAILED',
      `cloning the repository into ${WORKSPACE} failed: ${result.stderr.trim()}`,
      {
        causes: [
          'the repository files are not readable by uid 1000 inside the container',
          'the repository is corrupt',
        ],
        actions: [
          'check: git fsck',
          'make the repository world-readable, or run from a checkout your user owns',
        ],
      },
    );
  }
}
