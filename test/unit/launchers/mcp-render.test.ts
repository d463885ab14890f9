// Rendered agent MCP configs, checked against each CLI's documented format
// (fixtures below); the integration test feeds the same text to the CLIs.
import { describe, expect, it } from 'vitest';
import { AGENTS } from '../../../launchers/agents/definitions.js';
import { renderAgentMcpConfig } from '../../../launchers/mcp/render.js';

const render = (agent: string) =>
  renderAgentMcpConfig(AGENTS[agent]!.mcpConfig, agent, ['github', 'my_tool-2']);

describe('agent MCP configs', () => {
  it('claude: ~/.claude.json mcpServers, stdio entries', () => {
    expect(render('claude')).toEqual({
      homeFile: '.claude.json',
      text: `${JSON.stringify(
        {
          mcpServers: {
            github: { type: 'stdio', command: '/usr/local/bin/mcp-stub', args: ['run', 'github'], env: {} },
            'my_tool-2': {
              type: 'stdio',
              command: '/usr/local/bin/mcp-stub',
              args: ['run', 'my_tool-2'],
              env: {},
            },
          },
        },
        null,
        2,
      )}\n`,
    });
  });

  it('codex: ~/.codex/config.toml [mcp_servers.NAME]', () => {
    expect(render('codex')).toEqual({
      homeFile: '.codex/config.toml',
      text:
        '[mcp_servers.github]\ncommand = "/usr/local/bin/mcp-stub"\nargs = [ "run", "github" ]\n\n' +
        '[mcp_servers.my_tool-2]\ncommand = "/usr/local/bin/mcp-stub"\nargs = [ "run", "my_tool-2" ]\n',
    });
  });

  it('copilot: ~/.copilot/mcp-config.json mcpServers, local entries with tools', () => {
    const parsed = JSON.parse(render('copilot')!.text) as { mcpServers: Record<string, unknown> };
    expect(render('copilot')!.homeFile).toBe('.copilot/mcp-config.json');
    expect(parsed.mcpServers.github).toEqual({
      type: 'local',
      command: '/usr/local/bin/mcp-stub',
      args: ['run', 'github'],
      env: {},
      tools: ['*'],
    });
  });

  it('shell has no MCP config; no servers renders nothing', () => {
    expect(render('shell')).toBeUndefined();
    expect(renderAgentMcpConfig(AGENTS.claude!.mcpConfig, 'claude', [])).toBeUndefined();
  });
});
