// Which files containai trusts: everything that runs on the host or is built
// into an image. Their hashes make up the session manifest.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Installed files, relative to the install root (what actually runs or is built). */
const INSTALLED_ROOTS = [
  'dist/launchers',
  'dist/broker',
  'dist/proxy',
  'dist/bundles',
  'images',
  'proxy',
  'scripts',
];
const INSTALLED_FILES = ['package.json'];
/** Build output that is not code, or is derived from the list itself. */
const EXCLUDED = [/\.map$/, /\.d\.ts$/, /\.test\.[jt]s$/, /^dist\/trusted-checksums\.json$/];

/** Source paths that must be clean against HEAD when the install is a git checkout. */
export const TRUSTED_SOURCE_PATHS = [
  'launchers',
  'broker',
  'mcp-stub',
  'images',
  'proxy',
  'scripts',
  'package.json',
  'package-lock.json',
];

export const CHECKSUMS_FILE = 'dist/trusted-checksums.json';

/** Every trusted installed file, sorted, as '/'-separated paths relative to `root`. */
export function trustedFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile()) found.push(relative(root, abs).split('\\').join('/'));
    }
  };
  for (const dir of INSTALLED_ROOTS) walk(join(root, dir));
  for (const file of INSTALLED_FILES) if (existsSync(join(root, file))) found.push(file);
  return found.filter((p) => !EXCLUDED.some((re) => re.test(p))).sort();
}
