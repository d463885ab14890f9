// Session branch names. A user's `--branch B` becomes `{agent}/B`; B is
// validated here, before anything is created, with a clear error. We accept
// a strict subset of what git allows: letters (any script), digits, and
// `. _ - /`, so a branch can never smuggle shell syntax, option flags or
// path traversal into anything downstream.
import { ContainaiError, quote } from '../../broker/errors.js';

export const MAX_BRANCH_LENGTH = 200;

export function validateBranchSuffix(branch: string): string {
  const refuse = (why: string): never => {
    throw new ContainaiError('NAME_INVALID', `--branch ${quote(branch)} is not acceptable: ${why}`, {
      causes: ['the branch name contains characters or patterns containai does not allow'],
      actions: ['use letters, digits, ".", "_", "-" and "/", e.g. --branch fix-login-bug'],
    });
  };
  if (branch.length === 0) refuse('it is empty');
  if (branch.length > MAX_BRANCH_LENGTH) refuse(`it is longer than ${MAX_BRANCH_LENGTH} characters`);
  if (!/^[\p{L}\p{M}\p{N}._/-]+$/u.test(branch))
    refuse('only letters, digits, ".", "_", "-" and "/" are allowed');
  if (branch.startsWith('-')) refuse('it starts with "-" (it would read as an option)');
  if (branch.includes('..')) refuse('it contains ".."');
  if (branch.includes('//')) refuse('it contains "//"');
  if (/(^|\/)\./.test(branch)) refuse('a path component starts with "."');
  if (/(^\/|\/$)/.test(branch)) refuse('it starts or ends with "/"');
  if (/\.lock(\/|$)/.test(branch) || branch.endsWith('.')) refuse('it ends with ".lock" or "."');
  // Each component is a file name under .git/refs (255 bytes, with ".lock" while written).
  if (branch.split('/').some((part) => Buffer.byteLength(part) > 240))
    refuse('a part between "/" is longer than 240 bytes (a file name in .git/refs)');
  return branch;
}

/** `{agent}/session-N` for the smallest N not in `taken`. */
export function nextSessionBranch(agent: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const candidate = `${agent}/session-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
