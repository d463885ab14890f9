// What differs between agents, as data. Adding an agent means adding one
// definition here and one images/<name>/Dockerfile.
import type { PromptDelivery } from '../session/prompt-delivery.js';

export interface AgentDefinition {
  name: string;
  /** Directory under images/ holding the agent's Dockerfile. */
  imageDir: string;
  /** The interactive command (a TTY session; launch-agent's tmux window). */
  interactiveCommand: string[];
  /**
   * The non-interactive command for --prompt. An argv prompt is one argv
   * element after the options (never parsed as one); a file prompt (over
   * 128 KiB, NUL, invalid UTF-8) reaches the CLI on its stdin.
   */
  promptCommand(prompt: PromptDelivery): string[];
  /** False until the agent's image and credentials exist (issue 6). */
  available: boolean;
  /**
   * Secrets the agent CLI itself needs (agent-scoped capabilities), each with
   * the environment variable the CLI reads it from. The launcher must not
   * start the agent without them; they arrive through the broker, never `-e`.
   */
  credentials: AgentCredential[];
  /** Where the CLI reads its MCP servers from; absent when it has none. */
  mcpConfig?: McpConfigLocation;
  /**
   * Hosts the squid profile allows without --allow-domain: the agent's own
   * API and what it needs to run (proxy/allowlist.ts syntax: a leading dot
   * includes subdomains). Every entry widens what a prompt-injected agent can
   * reach, so list only what the agent cannot work without.
   */
  defaultDomains: string[];
}

export interface AgentCredential {
  /** The secret's name in the host store (`containai secrets set NAME`). */
  secret: string;
  /** The environment variable the agent CLI reads it from. */
  env: string;
}

export interface McpConfigLocation {
  /** Path under the agent's HOME (a tmpfs, written fresh each session). */
  homeFile: string;
  format: 'json' | 'toml';
  /** The top-level key holding the servers, by name. */
  serversKey: string;
}

/**
 * argv that runs `argv` with the prompt file on its stdin. The script is
 * fixed; the path and argv arrive as "$@", so no shell parses either.
 */
export function withPromptOnStdin(path: string, argv: readonly string[]): string[] {
  return ['sh', '-c', 'f=$1; shift; exec "$@" < "$f"', 'containai-prompt', path, ...argv];
}

const shell: AgentDefinition = {
  name: 'shell',
  imageDir: 'shell',
  interactiveCommand: ['bash', '-l'],
  // The prompt is a bash command line, run as a login shell so PATH and
  // profile are what a user expects. A file prompt is run as a script. `--`
  // keeps a prompt that starts with "-" from being read as a bash option.
  promptCommand: (p) => (p.kind === 'argv' ? ['bash', '-lc', '--', p.text] : ['bash', '-l', '--', p.path]),
  available: true,
  credentials: [],
  // None: a plain shell has no API of its own. Package registries
  // (deb.debian.org, registry.npmjs.org…) are the user's call: --allow-domain.
  defaultDomains: [],
};

// The vendor CLIs (images/<name>, pinned versions in docs/images.md). Flags
// were read from each CLI's --help inside its image and checked against a
// local fake API server: the prompt arrives both ways, the key in the header.
//
// Non-interactive runs skip the CLIs' own approval prompts and sandboxes:
// nobody is there to approve, codex's bubblewrap sandbox cannot create the
// user namespaces the hardened container forbids, and the container (plus
// the proxy's allowlist) is the boundary these sessions rely on.

const copilot: AgentDefinition = {
  name: 'copilot',
  imageDir: 'copilot',
  interactiveCommand: ['copilot'],
  // `--allow-all-tools` is "required for non-interactive mode" (copilot
  // --help). `--prompt=TEXT`, not `-p TEXT`: the attached form keeps a prompt
  // that starts with "-" a value. Without -p, copilot reads piped stdin.
  promptCommand: (p) =>
    p.kind === 'argv'
      ? ['copilot', '--allow-all-tools', `--prompt=${p.text}`]
      : withPromptOnStdin(p.path, ['copilot', '--allow-all-tools']),
  available: true,
  // Precedence COPILOT_GITHUB_TOKEN > GH_TOKEN > GITHUB_TOKEN (`copilot help
  // environment`); the most specific name, so git and gh in the container do
  // not pick the token up. The broker's `gh auth token` source is GITHUB_TOKEN.
  credentials: [{ secret: 'GITHUB_TOKEN', env: 'COPILOT_GITHUB_TOKEN' }],
  // docs.github.com copilot-allowlist-reference: api.github.com (user and
  // token checks, /copilot_internal/*) and *.githubcopilot.com (the model
  // API: api., api.individual., api.business., api.enterprise.). Telemetry
  // hosts and github.com (browser login) are left out.
  defaultDomains: ['api.github.com', '.githubcopilot.com'],
  // `copilot mcp --help`: user config ~/.copilot/mcp-config.json (under
  // COPILOT_HOME); the workspace's .mcp.json / .github/mcp.json also load.
  mcpConfig: { homeFile: '.copilot/mcp-config.json', format: 'json', serversKey: 'mcpServers' },
};

const codex: AgentDefinition = {
  name: 'codex',
  imageDir: 'codex',
  // Interactive: the user approves commands; only the unusable bwrap
  // sandbox is turned off.
  interactiveCommand: ['codex', '--sandbox', 'danger-full-access', '--ask-for-approval', 'on-request'],
  // `codex exec [PROMPT]`: "If not provided as an argument (or if `-` is
  // used), instructions are read from stdin". --skip-git-repo-check: a
  // --prompt session without a repo has a plain empty /workspace.
  promptCommand: (p) => {
    const exec = ['codex', 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox'];
    return p.kind === 'argv' ? [...exec, '--', p.text] : withPromptOnStdin(p.path, [...exec, '-']);
  },
  available: true,
  // codex exec 0.169 authenticates with CODEX_API_KEY and ignores
  // OPENAI_API_KEY (checked: only the former reaches the Authorization
  // header). The stored secret keeps the name users know.
  credentials: [{ secret: 'OPENAI_API_KEY', env: 'CODEX_API_KEY' }],
  // The Responses API (WebSocket, then HTTPS fallback) for API-key auth;
  // ChatGPT sign-in (chatgpt.com, auth.openai.com) is not used here.
  defaultDomains: ['api.openai.com'],
  // developers.openai.com/codex/mcp: [mcp_servers.NAME] in
  // $CODEX_HOME/config.toml (~/.codex). /etc/codex/config.toml (system
  // layer, lower precedence) is the image's own.
  mcpConfig: { homeFile: '.codex/config.toml', format: 'toml', serversKey: 'mcp_servers' },
};

const claude: AgentDefinition = {
  name: 'claude',
  imageDir: 'claude',
  interactiveCommand: ['claude'],
  // `-p/--print`: "Print response and exit"; the prompt is the positional
  // argument (after "--"), or stdin when there is none.
  promptCommand: (p) => {
    const print = ['claude', '--print', '--dangerously-skip-permissions'];
    return p.kind === 'argv' ? [...print, '--', p.text] : withPromptOnStdin(p.path, print);
  },
  available: true,
  // code.claude.com/docs/en/env-vars: sent as the X-Api-Key header; in -p
  // mode always used when present.
  credentials: [{ secret: 'ANTHROPIC_API_KEY', env: 'ANTHROPIC_API_KEY' }],
  // code.claude.com/docs/en/network-config: api.anthropic.com; the other
  // listed hosts (statsig.anthropic.com, sentry.io) are telemetry and error
  // reports, which the image turns off.
  defaultDomains: ['api.anthropic.com'],
  // code.claude.com/docs/en/mcp (scopes): user scope is `mcpServers` in
  // ~/.claude.json; project scope is .mcp.json in the repository.
  mcpConfig: { homeFile: '.claude.json', format: 'json', serversKey: 'mcpServers' },
};

export const AGENTS: Readonly<Record<string, AgentDefinition>> = { shell, copilot, codex, claude };
