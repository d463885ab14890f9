// The launch pipeline's entry points for MCP, kept cheap: the config parser
// and its schemas load only when a config.toml exists (launch start-up time).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainaiPaths } from '../../broker/paths.js';
import type { AgentDefinition } from '../agents/definitions.js';
import type { DockerEngine } from '../docker/engine.js';
import type { PreparedMcp, StartedMcp } from './session-mcp.js';

export type { PreparedMcp, StartedMcp } from './session-mcp.js';

const REPO_CONFIG = '.containai/config.toml';

/** Loads and checks the session's MCP servers; undefined when none are declared. */
export async function prepareSessionMcp(
  agent: AgentDefinition,
  repoRoot: string | undefined,
  deps: { paths: ContainaiPaths; log: (line: string) => void },
): Promise<PreparedMcp | undefined> {
  const present =
    existsSync(join(deps.paths.config, 'config.toml')) ||
    (repoRoot !== undefined && existsSync(join(repoRoot, REPO_CONFIG)));
  if (!present) return undefined;
  return (await import('./session-mcp.js')).prepareMcp(agent, repoRoot, deps);
}

export async function startSessionMcp(
  engine: DockerEngine,
  containerId: string,
  prepared: PreparedMcp,
  opts: { paths: ContainaiPaths; session: string },
): Promise<StartedMcp> {
  return (await import('./session-mcp.js')).startMcp(engine, containerId, prepared, opts);
}
