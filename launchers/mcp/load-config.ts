// Reads the two config files MCP servers come from: the user's
// `<config dir>/config.toml` and the repository's `.containai/config.toml`
// (read from the host checkout, never from inside a container).
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainaiError, quote } from '../../broker/errors.js';
import type { ContainaiPaths } from '../../broker/paths.js';
import { resolveMcpConfig, type ConfigText, type McpConfig } from './config.js';

export const REPO_CONFIG = '.containai/config.toml';
/** A config file is a few KiB; a huge one is a mistake or an attack. */
const MAX_CONFIG_BYTES = 256 * 1024;

export function loadMcpConfig(paths: ContainaiPaths, repoRoot: string | undefined): McpConfig {
  return resolveMcpConfig(
    readConfig(join(paths.config, 'config.toml')),
    repoRoot ? readConfig(join(repoRoot, REPO_CONFIG)) : undefined,
  );
}

function readConfig(path: string): ConfigText | undefined {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return undefined;
  }
  // A symlink in a repository could point at any host file.
  if (!stat.isFile())
    throw new ContainaiError('CONFIG_INVALID', `${quote(path)} is not a regular file`, {
      actions: ['make it a plain file (symlinks are not followed)'],
    });
  if (stat.size > MAX_CONFIG_BYTES)
    throw new ContainaiError(
      'CONFIG_INVALID',
      `${quote(path)} is ${stat.size} bytes; the limit is ${MAX_CONFIG_BYTES}`,
    );
  return { path, text: readFileSync(path, 'utf8') };
}
