// Launch step 2: the session manifest. SHA-256 of every trusted file plus the
// agent image ID, checked for tampering before the broker is asked for
// anything: against the build's checksum list always, and, in a git
// checkout, against HEAD.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainaiError } from '../../broker/errors.js';
import { runCommand } from '../process/run-command.js';
import { compareChecksums, hashTrustedFiles, readChecksums, type FileHashes } from './file-hashes.js';
import { TRUSTED_SOURCE_PATHS } from './trusted-files.js';

export interface SessionManifest {
  version: 1;
  createdAt: string;
  installRoot: string;
  install: 'git-checkout' | 'package';
  image: { ref: string; id: string };
  files: FileHashes;
  /** What differed from the build or from HEAD; non-empty only with the override. */
  tampered: string[];
  /** SHA-256 over files and image ID: what the broker binds the session to. */
  hash: string;
}

export interface ManifestInput {
  installRoot: string;
  image: { ref: string; id: string };
  now?: Date;
}

export async function buildManifest(input: ManifestInput): Promise<SessionManifest> {
  const files = hashTrustedFiles(input.installRoot);
  const isCheckout = existsSync(join(input.installRoot, '.git'));
  const expected = readChecksums(input.installRoot);
  const tampered = expected
    ? compareChecksums(expected, files)
    : ['dist/trusted-checksums.json: missing (containai was not built with npm run build)'];
  if (isCheckout) tampered.push(...(await dirtyTrustedSources(input.installRoot)));
  return {
    version: 1,
    createdAt: (input.now ?? new Date()).toISOString(),
    installRoot: input.installRoot,
    install: isCheckout ? 'git-checkout' : 'package',
    image: input.image,
    files,
    tampered,
    hash: manifestHash(files, input.image.id),
  };
}

export function manifestHash(files: FileHashes, imageId: string): string {
  const hash = createHash('sha256');
  for (const path of Object.keys(files).sort()) hash.update(`${path}\0${files[path]}\n`);
  hash.update(`image\0${imageId}\n`);
  return hash.digest('hex');
}

async function dirtyTrustedSources(root: string): Promise<string[]> {
  const status = await runCommand(
    'git',
    ['-C', root, 'status', '--porcelain', '--untracked-files=all', '--', ...TRUSTED_SOURCE_PATHS],
    {
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
    },
  );
  if (status.exitCode !== 0) return [`git status failed in ${root}: ${status.stderr.trim()}`];
  return status.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => `${line.slice(3)}: differs from HEAD (${line.slice(0, 2).trim()})`);
}

/** Refuses a tampered install unless the user overrode it (the caller audits the override). */
export function refuseTampered(manifest: SessionManifest, allowTampered: boolean): void {
  if (manifest.tampered.length === 0 || allowTampered) return;
  const shown = manifest.tampered.slice(0, 10);
  const more = manifest.tampered.length - shown.length;
  throw new ContainaiError(
    'MANIFEST_TAMPERED',
    `${manifest.tampered.length} trusted file(s) differ from the installed build: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
    {
      causes: [
        'a launcher, broker, stub, Dockerfile or proxy file was edited after it was built or committed',
        'an incomplete upgrade',
      ],
      actions: [
        'restore the files (git checkout -- <path>) or reinstall, then npm run build',
        'if you changed them on purpose: commit and rebuild, or pass --allow-tampered (audited)',
        'developing containai itself: set CONTAINAI_ALLOW_TAMPERED=1 (audited on every launch)',
      ],
    },
  );
}

/** Writes the manifest under <state>/manifests/, 0600; returns the path. */
export function writeManifest(stateDir: string, session: string, manifest: SessionManifest): string {
  const dir = join(stateDir, 'manifests');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${session}-${manifest.createdAt.replace(/[:.]/g, '')}.json`);
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return path;
}
