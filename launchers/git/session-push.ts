// Safe auto-push: imports a session's branch from its (untrusted) container
// into the host repository. The container only hands over data — a git
// bundle streamed out on `docker exec` stdout; the host decides everything:
//
// - only `refs/heads/<session branch>` is read from the bundle (an explicit
//   source refspec); every other ref it carries (main, tags, `../../x`) is
//   ignored, and incoming objects are fsck-checked;
// - no hook runs on the host (core.hooksPath=/dev/null also stops the
//   reference-transaction hook that fetch and update-ref would run);
// - nothing is checked out, no index or worktree is touched, FETCH_HEAD is
//   not written: the one change is one `update-ref` with the expected old
//   value (a compare-and-swap, so a concurrent move is never overwritten);
// - when the host branch moved meanwhile (its tip is not an ancestor of the
//   session's), or is checked out in a worktree, the import goes to
//   `{branch}-{timestamp}` instead.
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ContainaiError, quote } from '../../broker/errors.js';
import type { DockerEngine } from '../docker/engine.js';
import { runCommand } from '../process/run-command.js';
import { AGENT_HOME, AGENT_USER, WORKSPACE } from '../session/container-spec.js';

/** A compromised agent could stream forever; the launcher stops keeping bytes past this. */
export const MAX_BUNDLE_BYTES = 4 * 1024 ** 3;

export const AUTOCOMMIT_MESSAGE = 'containai: uncommitted work at session end';

export interface PushRequest {
  engine: DockerEngine;
  containerId: string;
  /** Host repository root. */
  repoRoot: string;
  /** The session branch, as labelled on the session (host-decided). */
  branch: string;
  /** Where the bundle is kept until imported (kept on failure, for recovery). */
  bundleDir: string;
  session: string;
  now?: () => Date;
  /** 'import' (the default); 'import-and-keep' also keeps the bundle file; 'keep-only' never touches the repository. */
  mode?: 'import' | 'import-and-keep' | 'keep-only';
}

export type PushResult =
  | {
      kind: 'imported';
      ref: string;
      commit: string;
      previous: string | undefined;
      redirected: boolean;
      /** With --keep-branch: the bundle file, kept. */
      bundle?: string;
    }
  | { kind: 'unchanged'; commit: string }
  | { kind: 'no-branch' }
  | { kind: 'kept'; bundle: string };

type Git = (args: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

/** Host git with every config knob that could run code or write extra state turned off. */
export function hostGit(repoRoot: string): Git {
  const safety = [
    '-c',
    'core.hooksPath=/dev/null',
    '-c',
    'core.fsmonitor=false',
    '-c',
    'fetch.fsckObjects=true',
    '-c',
    'transfer.fsckObjects=true',
    '-c',
    'fetch.writeCommitGraph=false',
    '-c',
    'gc.auto=0',
    '-c',
    'maintenance.auto=false',
  ];
  return (args) =>
    runCommand('git', ['-C', repoRoot, ...safety, ...args], {
      env: {
        ...process.env,
        LC_ALL: 'C',
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
      },
    });
}

/** Commits anything uncommitted in the container's /workspace, as the agent. */
export async function commitPendingWork(engine: DockerEngine, containerId: string): Promise<boolean> {
  const result = await engine.execCapture(containerId, {
    // Fixed script; the message arrives as "$1". --no-verify: the agent's own
    // hooks are not ours to run at teardown (they run in the container anyway).
    cmd: [
      'sh',
      '-c',
      'git add -A && if git diff --cached --quiet; then echo clean; else git -c core.hooksPath=/dev/null commit --quiet --no-verify -m "$1" && echo committed; fi',
      'containai-autocommit',
      AUTOCOMMIT_MESSAGE,
    ],
    user: AGENT_USER,
    workdir: WORKSPACE,
    env: [`HOME=${AGENT_HOME}`, 'LANG=C.UTF-8'],
  });
  if (result.exitCode !== 0) {
    throw pushError(`could not commit the uncommitted work in ${WORKSPACE}: ${result.stderr.trim()}`);
  }
  return result.stdout.includes('committed');
}

/** Streams `git bundle create - refs/heads/<branch>` out of the container into `file`. */
export async function exportBundle(
  engine: DockerEngine,
  containerId: string,
  branch: string,
  file: string,
): Promise<{ exitCode: number; stderr: string; bytes: number; truncated: boolean }> {
  const out = createWriteStream(file, { mode: 0o600 });
  let bytes = 0;
  let truncated = false;
  let stderr = '';
  const exitCode = await engine.exec(
    containerId,
    {
      cmd: [
        'git',
        '-c',
        'core.hooksPath=/dev/null',
        'bundle',
        'create',
        '--quiet',
        '-',
        `refs/heads/${branch}`,
      ],
      user: AGENT_USER,
      workdir: WORKSPACE,
      env: [`HOME=${AGENT_HOME}`, 'LANG=C.UTF-8'],
    },
    async (kind, chunk) => {
      if (kind === 'stderr') {
        stderr = (stderr + chunk.toString('utf8')).slice(-4096);
        return;
      }
      bytes += chunk.length;
      if (bytes > MAX_BUNDLE_BYTES) {
        truncated = true;
        return;
      }
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    },
  );
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return { exitCode, stderr, bytes, truncated };
}

/** The bundle's tip for exactly `refs/heads/<branch>`; every other head is ignored. */
export async function bundleHead(git: Git, file: string, branch: string): Promise<string | undefined> {
  const verify = await git(['bundle', 'verify', '--quiet', file]);
  if (verify.exitCode !== 0) throw pushError(`the session's bundle did not verify: ${verify.stderr.trim()}`);
  const heads = await git(['bundle', 'list-heads', file]);
  if (heads.exitCode !== 0) throw pushError(`cannot read the bundle's refs: ${heads.stderr.trim()}`);
  const wanted = `refs/heads/${branch}`;
  const tips = heads.stdout
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, ref]) => ref === wanted)
    .map(([sha]) => sha ?? '');
  if (tips.length > 1) throw pushError(`the bundle lists ${wanted} ${tips.length} times; refusing it`);
  const [sha] = tips;
  if (sha === undefined) return undefined;
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha))
    throw pushError(`the bundle's ${wanted} is not an object name`);
  return sha;
}

/** Full pipeline: commit, export, verify, import. The bundle is removed only after success. */
export async function pushSession(req: PushRequest): Promise<PushResult> {
  await refuseBadBranch(req.repoRoot, req.branch);
  await commitPendingWork(req.engine, req.containerId);
  mkdirSync(req.bundleDir, { recursive: true, mode: 0o700 });
  const stamp = timestamp((req.now ?? (() => new Date()))());
  const file = join(req.bundleDir, `${req.session}-${stamp}.bundle`);
  const exported = await exportBundle(req.engine, req.containerId, req.branch, file);
  if (exported.truncated) {
    rmSync(file, { force: true });
    throw pushError(`the session's bundle is larger than ${MAX_BUNDLE_BYTES} bytes; nothing was imported`);
  }
  if (exported.exitCode !== 0) {
    rmSync(file, { force: true });
    // The agent deleted or renamed its branch: there is nothing to import.
    if (/bad revision|unknown revision|Refusing to create empty bundle|does not point/i.test(exported.stderr))
      return { kind: 'no-branch' };
    throw pushError(`exporting the session branch failed: ${exported.stderr.trim()}`);
  }
  // --keep-branch without importing: the bundle is the branch, for later review.
  if (req.mode === 'keep-only') return { kind: 'kept', bundle: file };
  const result = await importBundle(req.repoRoot, file, req.branch, stamp).catch((err: unknown) => {
    throw pushError(`importing the session branch failed: ${(err as Error).message}`, file, err);
  });
  if (req.mode === 'import-and-keep')
    return result.kind === 'imported' ? { ...result, bundle: file } : result;
  rmSync(file, { force: true });
  return result;
}

/** Imports `refs/heads/<branch>` from a bundle file into the host repository. */
export async function importBundle(
  repoRoot: string,
  file: string,
  branch: string,
  stamp: string,
): Promise<PushResult> {
  const git = hostGit(repoRoot);
  if (statSync(file).size === 0) return { kind: 'no-branch' };
  const head = await bundleHead(git, file, branch);
  if (!head) return { kind: 'no-branch' };
  // Objects only: an explicit source refspec, no destination, no FETCH_HEAD, no tags.
  const fetched = await git([
    'fetch',
    '--quiet',
    '--no-tags',
    '--no-write-fetch-head',
    '--no-recurse-submodules',
    '--no-auto-gc',
    '--no-auto-maintenance',
    file,
    `refs/heads/${branch}`,
  ]);
  if (fetched.exitCode !== 0) throw new Error(fetched.stderr.trim());
  const type = await git(['cat-file', '-t', head]);
  if (type.stdout.trim() !== 'commit')
    throw new Error(`the session branch points to a ${type.stdout.trim() || 'missing object'}, not a commit`);
  // Already in the user's HEAD (the agent made no commits): nothing to import.
  if ((await git(['merge-base', '--is-ancestor', head, 'HEAD'])).exitCode === 0)
    return { kind: 'unchanged', commit: head };
  let target = branch;
  let previous = await refTip(git, `refs/heads/${target}`);
  if (previous === head) return { kind: 'unchanged', commit: head };
  const moved =
    previous !== undefined && (await git(['merge-base', '--is-ancestor', previous, head])).exitCode !== 0;
  if (moved || (await checkedOut(git)).has(`refs/heads/${target}`)) {
    target = `${branch}-${stamp}`;
    previous = await refTip(git, `refs/heads/${target}`);
    if (previous !== undefined) throw new Error(`refs/heads/${target} already exists`);
  }
  const zero = '0'.repeat(head.length);
  const update = await git([
    'update-ref',
    '-m',
    'containai: import session branch',
    `refs/heads/${target}`,
    head,
    previous ?? zero,
  ]);
  if (update.exitCode !== 0) throw new Error(update.stderr.trim());
  return { kind: 'imported', ref: target, commit: head, previous, redirected: target !== branch };
}

async function refTip(git: Git, ref: string): Promise<string | undefined> {
  const r = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

/** Branches checked out in any worktree of the repository. */
async function checkedOut(git: Git): Promise<Set<string>> {
  const r = await git(['worktree', 'list', '--porcelain']);
  const refs = new Set<string>();
  for (const line of r.stdout.split('\n')) if (line.startsWith('branch ')) refs.add(line.slice(7));
  return refs;
}

async function refuseBadBranch(repoRoot: string, branch: string): Promise<void> {
  const ok = await runCommand('git', ['check-ref-format', '--branch', branch], { env: process.env });
  if (ok.exitCode !== 0 || branch.startsWith('-') || ok.stdout.trim() !== branch)
    throw pushError(`the session branch ${quote(branch)} is not a valid branch name for ${quote(repoRoot)}`);
}

/** `20250101-120000`: sortable, valid in a branch name. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** What to tell the user; nothing when the session made no commits (no news). */
export function describePush(result: PushResult, session: string): string | undefined {
  if (result.kind === 'no-branch') return `${session}: the session branch no longer exists; nothing imported`;
  if (result.kind === 'unchanged') return undefined;
  if (result.kind === 'kept')
    return `${session}: kept the session branch as ${result.bundle} (not imported; to import later: git fetch ${result.bundle} <branch>:<branch>)`;
  const short = result.commit.slice(0, 12);
  return result.redirected
    ? `${session}: imported ${short} as ${result.ref} (the original branch moved or is checked out; merge by hand: git merge ${result.ref})`
    : `${session}: imported ${short} as ${result.ref}`;
}

function pushError(message: string, keptBundle?: string, cause?: unknown): ContainaiError {
  return new ContainaiError('PUSH_FAILED', message, {
    causes: ['the session branch in the container is damaged or was rewritten by the agent'],
    actions: keptBundle
      ? [
          `the bundle is kept: ${keptBundle}`,
          `inspect it: git bundle list-heads ${keptBundle}`,
          'remove the session without importing: remove-agent NAME --no-push',
        ]
      : ['remove the session without importing: remove-agent NAME --no-push'],
    cause,
  });
}
