// SHA-256 of the trusted files, and the checksum list the build writes so a
// packaged install (no .git) can tell whether anything changed after build.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKSUMS_FILE, trustedFiles } from './trusted-files.js';

export type FileHashes = Record<string, string>;

export function hashTrustedFiles(root: string): FileHashes {
  const hashes: FileHashes = {};
  for (const path of trustedFiles(root)) {
    hashes[path] = createHash('sha256')
      .update(readFileSync(join(root, path)))
      .digest('hex');
  }
  return hashes;
}

export function readChecksums(root: string): FileHashes | undefined {
  const path = join(root, CHECKSUMS_FILE);
  if (!existsSync(path)) return undefined;
  return (JSON.parse(readFileSync(path, 'utf8')) as { files: FileHashes }).files;
}

/** Paths whose content differs from the list, plus files added or removed since. */
export function compareChecksums(expected: FileHashes, actual: FileHashes): string[] {
  const problems: string[] = [];
  for (const [path, hash] of Object.entries(expected)) {
    if (actual[path] === undefined) problems.push(`${path}: removed since build`);
    else if (actual[path] !== hash) problems.push(`${path}: modified since build`);
  }
  for (const path of Object.keys(actual))
    if (expected[path] === undefined) problems.push(`${path}: added since build`);
  return problems.sort();
}
