// Session names: `{agent}-{repo}-{branch}`, lowercased, [a-z0-9-], at most 63
// characters (a DNS label, so the name also works as a hostname). Anything a
// user supplies is folded into that alphabet; nothing is rejected here
// (branch names are validated separately, before they get this far).
import { createHash } from 'node:crypto';

export const MAX_NAME_LENGTH = 63;

/** Folds arbitrary text into [a-z0-9-]: accents dropped, other runs become '-'. */
export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Builds a valid, readable session name. When the parts are too long, or fold
 * to nothing (an all-unicode repo name), a short hash of the original text
 * keeps distinct inputs distinct.
 */
export function sessionName(agent: string, repo: string, branch: string): string {
  const parts = [
    slug(agent) || 'agent',
    slug(repo) || `repo-${shortHash(repo)}`,
    slug(branch) || `branch-${shortHash(branch)}`,
  ];
  const joined = parts.join('-');
  if (joined.length <= MAX_NAME_LENGTH) return joined;
  const suffix = shortHash(`${agent}\0${repo}\0${branch}`);
  const room = MAX_NAME_LENGTH - suffix.length - 1;
  return `${joined.slice(0, room).replace(/-+$/, '')}-${suffix}`;
}

/** Appends `-N` for the Nth attempt at a unique name, staying within the limit. */
export function withOrdinal(name: string, n: number): string {
  if (n <= 1) return name;
  const suffix = `-${n}`;
  return `${name.slice(0, MAX_NAME_LENGTH - suffix.length).replace(/-+$/, '')}${suffix}`;
}

export function isValidSessionName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name);
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
