// The one place that decides where a session's bundle goes and tells the user
// what was imported: used by run-* at exit and by remove-agent.
import { join } from 'node:path';
import type { ContainaiPaths } from '../../broker/paths.js';
import type { DockerEngine } from '../docker/engine.js';
import { describePush, pushSession, type PushRequest, type PushResult } from '../git/session-push.js';

export function bundleDir(paths: ContainaiPaths): string {
  return join(paths.state, 'bundles');
}

export interface PushTarget {
  containerId: string;
  /** Session name. */
  name: string;
  branch: string;
  repoRoot: string | undefined;
  mode?: PushRequest['mode'];
}

export async function pushTarget(
  engine: DockerEngine,
  target: PushTarget,
  deps: { paths: ContainaiPaths; log: (line: string) => void },
): Promise<PushResult | undefined> {
  if (!target.repoRoot) return undefined; // empty workspace: nothing to import
  const result = await pushSession({
    engine,
    containerId: target.containerId,
    repoRoot: target.repoRoot,
    branch: target.branch,
    bundleDir: bundleDir(deps.paths),
    session: target.name,
    mode: target.mode,
  });
  const message = describePush(result, target.name);
  if (message) deps.log(message);
  return result;
}

/** run-* at exit: the session as started (its plan knows the repository). */
export function pushAtExit(
  engine: DockerEngine,
  session: { containerId: string; name: string; branch: string; plan: { repo?: { root: string } } },
  deps: { paths: ContainaiPaths; log: (line: string) => void },
): Promise<PushResult | undefined> {
  return pushTarget(
    engine,
    {
      containerId: session.containerId,
      name: session.name,
      branch: session.branch,
      repoRoot: session.plan.repo?.root,
    },
    deps,
  );
}
