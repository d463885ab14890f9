// Config errors stop the launch before any container exists, and the rendered
// MCP configs are accepted by the real agent CLIs, offline, in their images
// (`claude mcp list`, `codex mcp list`, `copilot mcp list`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENTS } from '../../../launchers/agents/definitions.js';
import { DockerEngine } from '../../../launchers/docker/engine.js';
import { ensureAgentImage } from '../../../launchers/images/ensure-images.js';
import { renderAgentMcpConfig } from '../../../launchers/mcp/render.js';
import { leftovers, runCli, TEST_RUN_LABEL, useTestEnv } from '../helpers/cli.js';

function writeConfig(home: string, text: string): void {
  mkdirSync(join(home, 'config'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, 'config', 'config.toml'), text);
}

describe('MCP config errors stop the launch before any container starts', () => {
  it('an unknown secret', async () => {
    const t = useTestEnv({ CONTAINAI_KEYRING: '0' });
    writeConfig(
      t.home,
      '[mcp_servers.gh]\ncommand = "/usr/bin/true"\nenv = { T = "${secret:NOT_STORED_X}" }\n',
    );
    const result = await runCli('run-shell', ['--prompt', 'true'], { env: t.env });
    expect(result.stderr).toContain('error SECRET_NOT_FOUND: no secret named "NOT_STORED_X" is stored');
    expect(result.stderr).toContain('MCP server "gh" references it');
    expect(result.stderr).toContain('containai secrets set NOT_STORED_X');
    expect(result.status).toBe(83);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('bad TOML, with line and column', async () => {
    const t = useTestEnv({ CONTAINAI_KEYRING: '0' });
    writeConfig(t.home, '[mcp_servers.gh]\ncommand = "/usr/bin/true\n');
    const result = await runCli('run-shell', ['--prompt', 'true'], { env: t.env });
    expect(result.stderr).toMatch(/error CONFIG_INVALID: .*config\.toml: line 2, column \d+: /);
    expect(result.status).toBe(78);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('a remote server whose header names an unknown secret stops the launch before any container', async () => {
    const t = useTestEnv({ CONTAINAI_KEYRING: '0' });
    writeConfig(
      t.home,
      '[mcp_servers.remote]\nurl = "https://mcp.example.com/x"\nheaders = { Authorization = "Bearer ${secret:NOT_STORED_TOKEN}" }\n',
    );
    const result = await runCli('run-shell', ['--prompt', 'true'], { env: t.env });
    expect(result.stderr).toContain('error SECRET_NOT_FOUND:');
    expect(result.stderr).toContain('NOT_STORED_TOKEN');
    expect(result.status).toBe(83);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });
});

describe('the agent CLIs accept the rendered MCP config offline', () => {
  const images: Record<string, string> = {};
  beforeAll(async () => {
    const engine = DockerEngine.fromEnv(process.env);
    for (const agent of ['claude', 'codex', 'copilot'])
      images[agent] = (await ensureAgentImage(engine, agent, { env: process.env, log: () => undefined })).ref;
  });

  it.each([
    ['claude', 'claude mcp list', /github: \/usr\/local\/bin\/mcp-stub run github/],
    ['codex', 'codex mcp list', /github\s+\/usr\/local\/bin\/mcp-stub\s+run github\s+-\s+-\s+enabled/],
    ['copilot', 'copilot mcp list', /User servers:\s+github \(local\)/],
  ])('%s', (agent, command, expected) => {
    const t = useTestEnv();
    const rendered = renderAgentMcpConfig(AGENTS[agent]!.mcpConfig, agent, ['github'])!;
    // The real docker CLI (test side), labelled for cleanup; the config arrives on stdin.
    const out = execFileSync(
      'docker',
      [
        ...[
          'run',
          '--rm',
          '-i',
          '--network',
          'none',
          '--read-only',
          '--user',
          'agent',
          '-e',
          'HOME=/home/agent',
        ],
        ...['--tmpfs', '/home/agent:uid=1000,gid=1000,mode=0700', '--tmpfs', '/tmp'],
        ...['--label', `${TEST_RUN_LABEL}=${t.runId}`, '--label', `containai.session=test-${t.runId}`],
        images[agent]!,
        ...['sh', '-c', 'mkdir -p "$(dirname "$HOME/$1")" && cat > "$HOME/$1" && shift && exec "$@" 2>&1'],
        ...['write-config', rendered.homeFile, ...command.split(' ')],
      ],
      { input: rendered.text, encoding: 'utf8', timeout: 60_000 },
    );
    expect(out).toMatch(expected);
  });
});
