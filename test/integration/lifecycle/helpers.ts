// Helpers for the session lifecycle tests: host repository snapshots that
// prove "byte-identical" and "untouched", without running git (which could
// itself refresh the index) between the two snapshots.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, lstatSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { git } from '../helpers/git-repo.js';

/** path → sha256 (or symlink target) of every file under `dir`, `.git` included. */
export function treeHashes(dir: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      const rel = relative(dir, path);
      if (skip(rel)) continue;
      const st = lstatSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.isSymbolicLink()) out.set(rel, `-> ${readlinkSync(path)}`);
      else out.set(rel, createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

/** The parts of a repository a session must never change. */
export function userState(repo: string): Record<string, unknown> {
  return {
    head: readFileSync(join(repo, '.git', 'HEAD'), 'utf8'),
    index: createHash('sha256')
      .update(readFileSync(join(repo, '.git', 'index')))
      .digest('hex'),
    worktree: Object.fromEntries(treeHashes(repo, (rel) => rel === '.git' || rel.startsWith('.git/'))),
    hooks: Object.fromEntries(treeHashes(join(repo, '.git', 'hooks'))),
    config: readFileSync(join(repo, '.git', 'config'), 'utf8'),
  };
}

export function refs(repo: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of git(repo, 'for-each-ref', '--format=%(refname) %(objectname)').split('\n')) {
    const [ref, sha] = line.split(' ');
    if (ref && sha) out[ref] = sha;
  }
  return out;
}
