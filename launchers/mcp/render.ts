// Renders the session's MCP servers into an agent CLI's own config format
// (launchers/agents/definitions.ts says where and how). Every server becomes
// `mcp-stub run NAME`: the file names servers, never a secret, a secret
// reference, the real command or its environment.
import { stringify } from 'smol-toml';
import type { McpConfigLocation } from '../agents/definitions.js';

/** The stub's command, by absolute path: the agent's PATH plays no part. */
export const MCP_STUB_COMMAND = '/usr/local/bin/mcp-stub';

export interface RenderedConfig {
  /** Under the agent's HOME. */
  homeFile: string;
  text: string;
}

export function stubArgs(name: string): string[] {
  return ['run', name];
}

/** The file for one agent, or undefined when the agent has no MCP config or no servers are declared. */
export function renderAgentMcpConfig(
  location: McpConfigLocation | undefined,
  agentName: string,
  serverNames: readonly string[],
): RenderedConfig | undefined {
  if (!location || serverNames.length === 0) return undefined;
  const servers: Record<string, Record<string, unknown>> = {};
  for (const name of serverNames) servers[name] = entryFor(agentName, name);
  const text =
    location.format === 'toml'
      ? stringify({ [location.serversKey]: servers })
      : `${JSON.stringify({ [location.serversKey]: servers }, null, 2)}\n`;
  return { homeFile: location.homeFile, text };
}

function entryFor(agentName: string, name: string): Record<string, unknown> {
  const base = { command: MCP_STUB_COMMAND, args: stubArgs(name) };
  switch (agentName) {
    // code.claude.com/docs/en/mcp: stdio servers are {type, command, args, env}.
    case 'claude':
      return { type: 'stdio', ...base, env: {} };
    // docs.github.com (Copilot CLI, "Adding an MCP server"): type local|stdio,
    // command, args, env, and `tools` ("*" for all) which the CLI requires.
    case 'copilot':
      return { type: 'local', ...base, env: {}, tools: ['*'] };
    // developers.openai.com/codex/mcp: [mcp_servers.NAME] command, args.
    default:
      return base;
  }
}
