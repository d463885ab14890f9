// A session's MCP servers, launcher side. prepareMcp (after planning, before
// anything is created) loads and checks the config and every secret it
// names; startMcp (after the stub daemon is up) writes the agent's MCP config
// into its HOME and starts collecting the stub's audit lines into the host
// session log.
import { join } from 'node:path';
import { ContainaiError, quote } from '../../broker/errors.js';
import type { ContainaiPaths } from '../../broker/paths.js';
import type { StubMcpServer } from '../../broker/stub-install.js';
import type { AgentDefinition } from '../agents/definitions.js';
import type { DockerEngine } from '../docker/engine.js';
import { STUB_USER } from '../secrets/deliver-bundle.js';
import { AGENT_HOME, AGENT_USER } from '../session/container-spec.js';
import { AuditCollector } from './audit-collector.js';
import { requireStoredSecrets } from '../secrets/require-stored.js';
import { referencedSecrets, type McpServerConfig } from './config.js';
import { loadMcpConfig } from './load-config.js';
import { renderAgentMcpConfig, type RenderedConfig } from './render.js';

export interface PreparedMcp {
  /** What the stub starts (install payload). */
  stubServers: StubMcpServer[];
  /** Stored secrets the servers need: MCP-scoped capabilities. */
  secrets: string[];
  /** The agent's MCP config file, if the agent has one. */
  rendered: RenderedConfig | undefined;
}

export interface StartedMcp {
  /** Stops the servers (their stop lines are logged) and closes the log. Never throws. */
  finish(): Promise<void>;
}

/** undefined when no MCP server is declared. Throws before any container exists. */
export async function prepareMcp(
  agent: AgentDefinition,
  repoRoot: string | undefined,
  deps: { paths: ContainaiPaths; log: (line: string) => void },
): Promise<PreparedMcp | undefined> {
  const config = loadMcpConfig(deps.paths, repoRoot);
  if (config.ignoredRepoServers.length > 0)
    deps.log(
      `ignoring MCP servers declared by the repository (${config.ignoredRepoServers.map((n) => quote(n)).join(', ')}): ` +
        'your config.toml does not set [mcp] allow_repo_servers = true (docs/mcp.md)',
    );
  if (config.servers.length === 0) return undefined;
  const secrets = [...new Set(config.servers.flatMap(referencedSecrets))];
  await requireStoredSecrets(secrets, deps.paths, (name) => {
    const users = config.servers.filter((s) => referencedSecrets(s).includes(name)).map((s) => quote(s.name));
    return `MCP server ${users.join(', ')} references it as \${secret:${name}}`;
  });
  return {
    stubServers: config.servers.map(toStubServer),
    secrets,
    rendered: renderAgentMcpConfig(
      agent.mcpConfig,
      agent.name,
      config.servers.map((s) => s.name),
    ),
  };
}

export async function startMcp(
  engine: DockerEngine,
  containerId: string,
  prepared: PreparedMcp,
  opts: { paths: ContainaiPaths; session: string },
): Promise<StartedMcp> {
  const audit = await AuditCollector.start(engine, containerId, {
    user: STUB_USER,
    logFile: join(opts.paths.state, 'logs', `${opts.session}.jsonl`),
  });
  try {
    if (prepared.rendered) await writeAgentFile(engine, containerId, prepared.rendered);
  } catch (err) {
    await audit.finish();
    throw err;
  }
  return { finish: () => audit.finish() };
}

/** Written as the agent user through exec stdin: the file is the agent's own, on its HOME tmpfs. */
async function writeAgentFile(
  engine: DockerEngine,
  containerId: string,
  file: RenderedConfig,
): Promise<void> {
  const path = `${AGENT_HOME}/${file.homeFile}`;
  const result = await engine.execCapture(containerId, {
    cmd: ['sh', '-c', 'umask 077 && mkdir -p "${1%/*}" && cat > "$1"', 'containai-mcp-config', path],
    user: AGENT_USER,
    workdir: '/',
    stdin: Buffer.from(file.text, 'utf8'),
  });
  if (result.exitCode !== 0) {
    throw new ContainaiError(
      'SESSION_SETUP_FAILED',
      `could not write the agent's MCP config ${path}: ${result.stderr.trim()}`,
      {
        actions: ['rebuild the images: containai images build'],
      },
    );
  }
}

/**
 * A stub server entry. A remote server becomes the trusted stdio bridge
 * (`mcp-stub remote-bridge URL HEADER…`) with its header values, secrets
 * included, in that process's environment as CONTAINAI_MCP_HEADER_<i>.
 */
function toStubServer(server: McpServerConfig): StubMcpServer {
  const env: StubMcpServer['env'] = [];
  const secretEnv: StubMcpServer['secretEnv'] = [];
  const values = server.kind === 'stdio' ? server.env : server.headers;
  Object.entries(values).forEach(([key, value], i) => {
    const name = server.kind === 'stdio' ? key : `CONTAINAI_MCP_HEADER_${i}`;
    if (value.secret === undefined) env.push({ name, value: value.text });
    else secretEnv.push({ name, capability: value.secret, prefix: value.prefix, suffix: value.suffix });
  });
  if (server.kind === 'stdio')
    return { name: server.name, command: server.command, args: server.args, env, secretEnv };
  return {
    name: server.name,
    command: REMOTE_BRIDGE,
    args: ['remote-bridge', server.url, ...Object.keys(server.headers)],
    env,
    secretEnv,
  };
}

/** The stub's own command, root-owned in the image: a trusted server command. */
const REMOTE_BRIDGE = '/usr/local/bin/mcp-stub';
