// Read-only questions about the user's repository on the host. git runs with
// argv arrays, hooks are never involved (nothing here writes), and the
// repository path is always passed with -C, never via a shell.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ContainaiError, quote } from '../../broker/errors.js';
import { runCommand } from '../process/run-command.js';

export interface HostRepo {
  root: string;
  currentBranch: string | undefined;
}

async function git(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  try {
    return await runCommand('git', args, { env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' } });
  } catch (err) {
    throw new ContainaiError('REPO_NOT_GIT', 'git is not installed on this machine', {
      actions: ['install git: sudo apt-get install -y git'],
      cause: err,
    });
  }
}

/** The repository containing `path` (any subdirectory works). */
export async function findRepoRoot(path: string): Promise<HostRepo> {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new ContainaiError('REPO_NOT_GIT', `${quote(abs)} is not a directory`, {
      actions: ['pass the path of a git repository, or run from inside one'],
    });
  }
  const top = await git(['-C', abs, 'rev-parse', '--show-toplevel']);
  if (top.exitCode !== 0) {
    throw new ContainaiError('REPO_NOT_GIT', `${quote(abs)} is not inside a git repository`, {
      causes: ['the directory was never initialised with git', 'it is a bare repository'],
      actions: [
        'run from inside your repository, or pass its path: run-shell ~/src/myrepo',
        'or start a repository: git init',
      ],
    });
  }
  const root = top.stdout.replace(/\n$/, '');
  const head = await git(['-C', root, 'symbolic-ref', '--quiet', '--short', 'HEAD']);
  return { root, currentBranch: head.exitCode === 0 ? head.stdout.trim() : undefined };
}

/** Uncommitted changes (staged, unstaged or untracked files), as `git status --porcelain` lines. */
export async function uncommittedChanges(root: string): Promise<string[]> {
  const status = await git(['-C', root, 'status', '--porcelain', '--untracked-files=normal']);
  if (status.exitCode !== 0) {
    throw new ContainaiError(
      'REPO_NOT_GIT',
      `cannot read the status of ${quote(root)}: ${status.stderr.trim()}`,
    );
  }
  return status.stdout.split('\n').filter(Boolean);
}

export async function refuseDirty(root: string, force: boolean): Promise<void> {
  if (force) return;
  const changes = await uncommittedChanges(root);
  if (changes.length === 0) return;
  throw new ContainaiError('REPO_DIRTY', `${quote(root)} has ${changes.length} uncommitted change(s)`, {
    causes: ['the session starts from the last commit; uncommitted work would not be in it'],
    actions: ['commit or stash your changes first', 'or pass --force to start from the last commit anyway'],
  });
}

/** Whether the repository has at least one commit to clone. */
export async function hasCommits(root: string): Promise<boolean> {
  return (await git(['-C', root, 'rev-parse', '--verify', '--quiet', 'HEAD'])).exitCode === 0;
}

/** Local branch names under `prefix/` (e.g. all `shell/…` branches). */
export async function branchesUnder(root: string, prefix: string): Promise<string[]> {
  const refs = await git(['-C', root, 'for-each-ref', '--format=%(refname:short)', `refs/heads/${prefix}/`]);
  return refs.stdout.split('\n').filter(Boolean);
}
