// Preflight for one session, before anything is created: validates names,
// finds the repository, refuses a dirty tree, picks the branch and name, and
// makes sure the image exists. Nothing here starts a container.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { ContainaiError, quote } from '../../broker/errors.js';
import type { AgentDefinition } from '../agents/definitions.js';
import type { DockerEngine } from '../docker/engine.js';
import { LABEL } from '../docker/labels.js';
import { branchesUnder, findRepoRoot, refuseDirty, type HostRepo } from '../git/host-repo.js';
import type { ResolvedImage } from '../images/debian-base.js';
import { ensureAgentImage } from '../images/ensure-images.js';
import { planNetwork, type NetworkPlan } from '../network/network-plan.js';
import type { Allowlist } from '../../proxy/allowlist.js';
import { validateBranchSuffix } from './branch.js';
import type { ResourceLimits } from './limits.js';

export type NetworkProfile = 'squid' | 'restricted';

export interface SessionRequest {
  agent: AgentDefinition;
  /** Explicit REPO argument; when absent the current directory's repository, if any. */
  repoPath: string | undefined;
  cwd: string;
  branch: string | undefined;
  /** --use-current-branch: work on (and import into) the host's checked-out branch. */
  useCurrentBranch?: boolean;
  force: boolean;
  limits: ResourceLimits;
  image: string | undefined;
  profile: NetworkProfile;
  /** Validated --allow-domain values plus the agent's defaults (squid only). */
  allowlist: Allowlist;
}

export interface SessionPlan {
  agent: AgentDefinition;
  /** The user's --branch as `{agent}/B`; undefined: the next free `{agent}/session-N`. */
  fixedBranch: string | undefined;
  /** Branches already in use (host repo and live sessions), skipped when numbering. */
  takenBranches: ReadonlySet<string>;
  /** The repository part of session names. */
  repoLabel: string;
  repo: HostRepo | undefined;
  image: ResolvedImage;
  limits: ResourceLimits;
  profile: NetworkProfile;
  network: NetworkPlan;
  created: Date;
  /**
   * This launch's own ID, on every object it creates: teardown removes by it,
   * so a launch that lost a name race never removes the winner's objects.
   */
  launchId: string;
}

export interface PlanDeps {
  engine: DockerEngine;
  env: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
  now?: () => Date;
}

export async function planSession(req: SessionRequest, deps: PlanDeps): Promise<SessionPlan> {
  const branchSuffix = req.branch === undefined ? undefined : validateBranchSuffix(req.branch);
  await deps.engine.checkReady();
  const repo = await resolveRepo(req, deps.log);
  if (repo) await refuseDirty(repo.root, req.force);
  const currentBranch = req.useCurrentBranch ? requireCurrentBranch(repo, req.branch) : undefined;
  const image = await resolveImage(req, deps);
  const network = await planNetwork(req.profile, req.allowlist, deps);
  return {
    agent: req.agent,
    fixedBranch:
      currentBranch ?? (branchSuffix === undefined ? undefined : `${req.agent.name}/${branchSuffix}`),
    takenBranches: await takenBranches(deps.engine, req.agent.name, repo),
    repoLabel: repo ? basename(repo.root) : 'scratch',
    repo,
    image,
    limits: req.limits,
    profile: req.profile,
    network,
    created: (deps.now ?? (() => new Date()))(),
    launchId: randomBytes(8).toString('hex'),
  };
}

/** The host's checked-out branch, for --use-current-branch (usage errors, before anything exists). */
function requireCurrentBranch(repo: HostRepo | undefined, branch: string | undefined): string {
  if (branch !== undefined) {
    throw new ContainaiError('USAGE', '--use-current-branch and --branch cannot be combined', {
      actions: ['pass one of them: --branch B works on {agent}/B, --use-current-branch on your branch'],
    });
  }
  if (!repo) {
    throw new ContainaiError('USAGE', '--use-current-branch needs a git repository', {
      actions: ['run from inside your repository, or pass its path'],
    });
  }
  if (!repo.currentBranch) {
    throw new ContainaiError('USAGE', `${quote(repo.root)} has a detached HEAD: there is no current branch`, {
      causes: ['a commit or tag is checked out, or a rebase/bisect is in progress'],
      actions: ['check out a branch first: git switch BRANCH', 'or leave out --use-current-branch'],
    });
  }
  return repo.currentBranch;
}

async function resolveRepo(req: SessionRequest, log: (line: string) => void): Promise<HostRepo | undefined> {
  if (req.repoPath !== undefined) return findRepoRoot(req.repoPath);
  try {
    return await findRepoRoot(req.cwd);
  } catch (err) {
    if (err instanceof ContainaiError && err.code === 'REPO_NOT_GIT') {
      log(`${quote(req.cwd)} is not in a git repository: starting with an empty workspace`);
      return undefined;
    }
    throw err;
  }
}

async function resolveImage(req: SessionRequest, deps: PlanDeps): Promise<ResolvedImage> {
  if (req.image === undefined)
    return ensureAgentImage(deps.engine, req.agent.imageDir, { env: deps.env, log: deps.log });
  const id = await deps.engine.imageId(req.image);
  if (!id) {
    throw new ContainaiError('USAGE', `--image ${quote(req.image)} is not present on the Docker engine`, {
      causes: ['the image name is misspelt, or it was never built or pulled here'],
      actions: ['list images: docker images', 'or leave out --image to use the built-in agent image'],
    });
  }
  return { ref: req.image, id };
}

/** Branches already used: on the host, and by live sessions of the same repository. */
async function takenBranches(
  engine: DockerEngine,
  agent: string,
  repo: HostRepo | undefined,
): Promise<Set<string>> {
  const taken = new Set(repo ? await branchesUnder(repo.root, agent) : []);
  const live = await engine.listContainers([`${LABEL.agent}=${agent}`, `${LABEL.repo}=${repo?.root ?? ''}`]);
  for (const c of live) {
    const branch = c.Labels[LABEL.branch];
    if (branch) taken.add(branch);
  }
  return taken;
}
