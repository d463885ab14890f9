// config.toml → MCP servers: validation with clear errors, and the merge rule
// (a repository can never widen what the user's config allows).
import { describe, expect, it } from 'vitest';
import { ContainaiError } from '../../../broker/errors.js';
import { resolveMcpConfig } from '../../../launchers/mcp/config.js';

const user = (text: string) => ({ path: '/u/config.toml', text });
const repo = (text: string) => ({ path: '/r/.containai/config.toml', text });
function error(fn: () => unknown): ContainaiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ContainaiError);
    return err as ContainaiError;
  }
  throw new Error('expected an error');
}

const GITHUB = `
[mcp_servers.github]
command = "/usr/local/bin/github-mcp"
args = ["stdio", "--read-only"]
env = { GITHUB_PERSONAL_ACCESS_TOKEN = "Bearer \${secret:GITHUB_TOKEN}", LOG_LEVEL = "info" }
`;

describe('MCP config', () => {
  it('parses servers, plain env and secret references with prefix', () => {
    const config = resolveMcpConfig(user(GITHUB), undefined);
    expect(config.servers).toEqual([
      {
        kind: 'stdio',
        name: 'github',
        source: 'user',
        command: '/usr/local/bin/github-mcp',
        args: ['stdio', '--read-only'],
        env: {
          GITHUB_PERSONAL_ACCESS_TOKEN: { secret: 'GITHUB_TOKEN', prefix: 'Bearer ', suffix: '' },
          LOG_LEVEL: { secret: undefined, text: 'info' },
        },
      },
    ]);
  });

  it('reports bad TOML with line and column', () => {
    const e = error(() => resolveMcpConfig(user('[mcp_servers.a]\ncommand = "x\n'), undefined));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/^\/u\/config\.toml: line 2, column \d+: /);
  });

  it.each([
    ['bad name', '[mcp_servers."a b"]\ncommand = "x"', 'NAME_INVALID'],
    ['injection in name', '[mcp_servers."x\\"]\\nevil"]\ncommand = "x"', 'NAME_INVALID'],
    ['unknown key', '[mcp_servers.a]\ncommand = "x"\nshell = true', 'CONFIG_INVALID'],
    ['secret in args', '[mcp_servers.a]\ncommand = "x"\nargs = ["${secret:A}"]', 'CONFIG_INVALID'],
    ['bad secret name', '[mcp_servers.a]\ncommand = "x"\nenv = { T = "${secret:lower}" }', 'NAME_INVALID'],
    [
      'two secrets in one value',
      '[mcp_servers.a]\ncommand = "x"\nenv = { T = "${secret:A}${secret:B}" }',
      'CONFIG_INVALID',
    ],
    ['LD_PRELOAD', '[mcp_servers.a]\ncommand = "x"\nenv = { LD_PRELOAD = "/x.so" }', 'CONFIG_INVALID'],
    [
      'NODE_OPTIONS',
      '[mcp_servers.a]\ncommand = "x"\nenv = { NODE_OPTIONS = "--require /x" }',
      'CONFIG_INVALID',
    ],
    ['newline in value', '[mcp_servers.a]\ncommand = "x"\nenv = { A = "1\\n2" }', 'CONFIG_INVALID'],
    ['http url', '[mcp_servers.a]\nurl = "http://example.com/mcp"', 'CONFIG_INVALID'],
    ['credentials in url', '[mcp_servers.a]\nurl = "https://u:p@example.com/mcp"', 'CONFIG_INVALID'],
    ['both command and url', '[mcp_servers.a]\ncommand = "x"\nurl = "https://example.com"', 'CONFIG_INVALID'],
  ])('refuses %s', (_, text, code) => {
    expect(error(() => resolveMcpConfig(user(text), undefined)).code).toBe(code);
  });

  it('accepts a remote server with a secret header (started only when supported)', () => {
    const config = resolveMcpConfig(
      user(
        '[mcp_servers.r]\nurl = "https://mcp.example.com/x"\nheaders = { Authorization = "Bearer ${secret:R_TOKEN}" }',
      ),
      undefined,
    );
    expect(config.servers[0]).toMatchObject({ kind: 'remote', url: 'https://mcp.example.com/x' });
  });

  describe('merge rule', () => {
    const repoServer = '[mcp_servers.tool]\ncommand = "/usr/bin/tool"\nenv = { T = "${secret:REPO_OK}" }';

    it('ignores repository servers unless the user allows them', () => {
      const config = resolveMcpConfig(user(GITHUB), repo(repoServer));
      expect(config.servers.map((s) => s.name)).toEqual(['github']);
      expect(config.ignoredRepoServers).toEqual(['tool']);
      expect(resolveMcpConfig(undefined, repo(repoServer)).ignoredRepoServers).toEqual(['tool']);
    });

    it('lets an allowed repository reference only allowlisted secrets', () => {
      const allow = '[mcp]\nallow_repo_servers = true\nrepo_secrets = ["REPO_OK"]\n';
      expect(resolveMcpConfig(user(allow), repo(repoServer)).servers.map((s) => s.source)).toEqual(['repo']);
      const e = error(() =>
        resolveMcpConfig(
          user(allow),
          repo('[mcp_servers.t]\ncommand = "x"\nenv = { T = "${secret:GITHUB_TOKEN}" }'),
        ),
      );
      expect(e.message).toContain('GITHUB_TOKEN');
      expect(e.actions.join(' ')).toContain('repo_secrets');
    });

    it('refuses a repository [mcp] table and a repository server that shadows a user server', () => {
      expect(
        error(() => resolveMcpConfig(user(''), repo('[mcp]\nallow_repo_servers = true'))).message,
      ).toContain('belongs in your own config.toml');
      const allow = '[mcp]\nallow_repo_servers = true\n' + GITHUB;
      expect(
        error(() => resolveMcpConfig(user(allow), repo('[mcp_servers.github]\ncommand = "/bin/evil"')))
          .message,
      ).toContain('also declared in your own config.toml');
    });
  });
});
