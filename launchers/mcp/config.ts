// MCP servers from config.toml, as values in, values out: parses the user's
// and the repository's files, validates them with one schema each, and merges
// them under the rule in docs/mcp.md (the repository can never widen what the
// user's config allows). IO lives in load-config.ts.
import { parse, TomlError } from 'smol-toml';
import { z } from 'zod';
import { SECRET_NAME_PATTERN } from '../../broker/secret-name.js';
import { ContainaiError, escapeControls, quote } from '../../broker/errors.js';
import { MAX_MCP_SERVERS, MCP_SERVER_NAME_PATTERN } from '../../broker/stub-install.js';

/** `${secret:NAME}`: the one way a config value refers to a stored secret. */
const SECRET_REF = /\$\{secret:([^}]*)\}/g;

/**
 * Variables that change how a process starts or loads code. The server runs
 * as containai-stub, which can read the bundle: a LD_PRELOAD or NODE_OPTIONS
 * from a config would be code running with every secret of the session.
 */
const RESERVED_ENV =
  /^(PATH|HOME|USER|LOGNAME|SHELL|LD_.*|BASH_ENV|ENV|IFS|PS4|NODE_OPTIONS|NODE_PATH|PYTHONPATH|PYTHONSTARTUP|PYTHONHOME|PERL5LIB|PERL5OPT|RUBYOPT|RUBYLIB|GIT_.*|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|CONTAINAI_.*)$/i;

export type ConfigSource = 'user' | 'repo';

/** One value: literal text around at most one stored secret. */
export type ConfigValue =
  { secret: undefined; text: string } | { secret: string; prefix: string; suffix: string };

export interface StdioServer {
  kind: 'stdio';
  name: string;
  source: ConfigSource;
  command: string;
  args: string[];
  env: Record<string, ConfigValue>;
}

export interface RemoteServer {
  kind: 'remote';
  name: string;
  source: ConfigSource;
  url: string;
  headers: Record<string, ConfigValue>;
}

export type McpServerConfig = StdioServer | RemoteServer;

export interface McpPolicy {
  /** Servers declared in the repository's .containai/config.toml are used at all. */
  allowRepoServers: boolean;
  /** The only secrets a repository-declared server may reference. */
  repoSecrets: string[];
}

export interface McpConfig {
  servers: McpServerConfig[];
  /** Repository servers left out because the user's config does not allow them. */
  ignoredRepoServers: string[];
}

const valueSchema = z.string().max(4096);
const serverSchema = z.union([
  z.strictObject({
    command: z.string().min(1).max(4096),
    args: z.array(z.string().max(4096)).max(256).default([]),
    env: z.record(z.string(), valueSchema).default({}),
  }),
  z.strictObject({
    url: z.string().max(4096),
    headers: z.record(z.string(), valueSchema).default({}),
  }),
]);
const serversSchema = z.record(z.string(), serverSchema).default({});
const policySchema = z
  .strictObject({
    allow_repo_servers: z.boolean().default(false),
    repo_secrets: z.array(z.string()).max(64).default([]),
  })
  .default({ allow_repo_servers: false, repo_secrets: [] });

const userFileSchema = z.looseObject({ mcp: policySchema, mcp_servers: serversSchema });
const repoFileSchema = z.looseObject({ mcp_servers: serversSchema });

export interface ConfigText {
  /** Shown in errors: the file's path. */
  path: string;
  text: string;
}

/** Parses and merges both files (either may be absent). Throws CONFIG_INVALID with the file and the fix. */
export function resolveMcpConfig(user: ConfigText | undefined, repo: ConfigText | undefined): McpConfig {
  const userFile = validate(user, user ? parseToml(user) : {}, userFileSchema);
  const policy: McpPolicy = {
    allowRepoServers: userFile.mcp.allow_repo_servers,
    repoSecrets: userFile.mcp.repo_secrets,
  };
  for (const name of policy.repoSecrets) {
    if (!SECRET_NAME_PATTERN.test(name))
      throw invalid(user?.path ?? '', `[mcp] repo_secrets: ${quote(name)} is not a secret name`);
  }
  const servers = toServers(user?.path ?? '', 'user', userFile.mcp_servers);
  if (!repo) return { servers, ignoredRepoServers: [] };
  const raw = parseToml(repo);
  if (raw.mcp !== undefined) {
    throw invalid(
      repo.path,
      'the [mcp] table (policy) belongs in your own config.toml, not in a repository',
      ['remove [mcp] from the repository config'],
    );
  }
  const repoServers = toServers(repo.path, 'repo', validate(repo, raw, repoFileSchema).mcp_servers);
  if (!policy.allowRepoServers) return { servers, ignoredRepoServers: repoServers.map((s) => s.name) };
  for (const server of repoServers) {
    if (servers.some((s) => s.name === server.name)) {
      throw invalid(repo.path, `MCP server ${quote(server.name)} is also declared in your own config.toml`, [
        'a repository cannot replace one of your servers: rename one of them',
      ]);
    }
    for (const secret of referencedSecrets(server)) {
      if (!policy.repoSecrets.includes(secret)) {
        throw invalid(
          repo.path,
          `MCP server ${quote(server.name)} references secret ${quote(secret)}, which your config does not allow repositories to use`,
          [
            `if you trust this repository with it, add it to your config.toml: [mcp] repo_secrets = [${JSON.stringify(secret)}]`,
          ],
        );
      }
    }
  }
  const merged = [...servers, ...repoServers];
  if (merged.length > MAX_MCP_SERVERS)
    throw invalid(repo.path, `${merged.length} MCP servers are declared; the limit is ${MAX_MCP_SERVERS}`);
  return { servers: merged, ignoredRepoServers: [] };
}

/** Every stored secret a server needs, in order, without duplicates. */
export function referencedSecrets(server: McpServerConfig): string[] {
  const values = Object.values(server.kind === 'stdio' ? server.env : server.headers);
  return [...new Set(values.flatMap((v) => (v.secret === undefined ? [] : [v.secret])))];
}

function parseToml(file: ConfigText): Record<string, unknown> {
  try {
    return parse(file.text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = escapeControls(err.message.split('\n')[0] ?? 'invalid TOML');
      throw invalid(
        file.path,
        `line ${err.line}, column ${err.column}: ${reason}`,
        ['fix the TOML syntax there'],
        err,
      );
    }
    throw err;
  }
}

function validate<T extends z.ZodType>(file: ConfigText | undefined, raw: unknown, schema: T): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.') ?? '';
  throw invalid(file?.path ?? '', `${escapeControls(where)}: ${issue?.message ?? 'invalid'}`, [
    'a server has either command (+ args, env) or url (+ headers); see docs/mcp.md',
  ]);
}

function toServers(
  path: string,
  source: ConfigSource,
  table: z.infer<typeof serversSchema>,
): McpServerConfig[] {
  const servers: McpServerConfig[] = [];
  for (const [name, entry] of Object.entries(table)) {
    if (!MCP_SERVER_NAME_PATTERN.test(name)) {
      throw new ContainaiError('NAME_INVALID', `${path}: MCP server name ${quote(name)} is not acceptable`, {
        causes: ['server names are 1-64 characters: a letter or digit, then letters, digits, - or _'],
        actions: ['rename the [mcp_servers.NAME] table, e.g. [mcp_servers.github]'],
      });
    }
    const where = `[mcp_servers.${name}]`;
    if ('command' in entry) {
      for (const arg of entry.args)
        if (arg.includes('${secret:'))
          throw invalid(
            path,
            `${where} args: a secret may not be an argument (argv is visible to every process)`,
            ['pass it through env instead: env = { TOKEN = "${secret:NAME}" }'],
          );
      servers.push({
        kind: 'stdio',
        name,
        source,
        command: entry.command,
        args: entry.args,
        env: values(path, `${where} env`, entry.env, true),
      });
    } else {
      let url: URL;
      try {
        url = new URL(entry.url);
      } catch {
        throw invalid(path, `${where} url ${quote(entry.url)} is not a URL`);
      }
      if (url.protocol !== 'https:' || url.username || url.password || entry.url.includes('${'))
        throw invalid(path, `${where} url must be https://, without credentials or secrets in it`, [
          'put the credential in a header: headers = { Authorization = "Bearer ${secret:NAME}" }',
        ]);
      servers.push({
        kind: 'remote',
        name,
        source,
        url: url.href,
        headers: values(path, `${where} headers`, entry.headers, false),
      });
    }
  }
  return servers;
}

function values(
  path: string,
  where: string,
  table: Record<string, string>,
  isEnv: boolean,
): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const [key, raw] of Object.entries(table)) {
    const keyOk = isEnv ? /^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(key) : /^[A-Za-z0-9-]{1,128}$/.test(key);
    if (!keyOk)
      throw invalid(path, `${where}: ${quote(key)} is not a valid ${isEnv ? 'variable' : 'header'} name`);
    if (isEnv && RESERVED_ENV.test(key))
      throw invalid(path, `${where}: ${key} changes how the server starts and cannot be set here`, [
        'the stub sets PATH, HOME and the proxy variables itself',
      ]);
    if (/[\0\r\n]/.test(raw)) throw invalid(path, `${where} ${key}: control characters are not allowed`);
    const refs = [...raw.matchAll(SECRET_REF)];
    if (refs.length === 0) {
      if (raw.includes('${')) throw invalid(path, `${where} ${key}: write a secret as \${secret:NAME}`);
      out[key] = { secret: undefined, text: raw };
      continue;
    }
    if (refs.length > 1) throw invalid(path, `${where} ${key}: at most one secret per value`);
    const ref = refs[0]!;
    const secret = ref[1] ?? '';
    if (!SECRET_NAME_PATTERN.test(secret))
      throw new ContainaiError(
        'NAME_INVALID',
        `${path}: ${where} ${key}: secret name ${quote(secret)} is not acceptable`,
        {
          causes: ['secret names are 1-64 characters: an upper-case letter, then A-Z, 0-9 or _'],
          actions: ['use a name like ${secret:GITHUB_TOKEN}'],
        },
      );
    const prefix = raw.slice(0, ref.index);
    const suffix = raw.slice((ref.index ?? 0) + ref[0].length);
    if (prefix.includes('${') || suffix.includes('${'))
      throw invalid(path, `${where} ${key}: write a secret as \${secret:NAME}`);
    out[key] = { secret, prefix, suffix };
  }
  return out;
}

function invalid(path: string, message: string, actions: string[] = [], cause?: unknown): ContainaiError {
  return new ContainaiError('CONFIG_INVALID', `${path ? `${path}: ` : ''}${message}`, {
    actions: [...actions, 'see docs/mcp.md for the format'],
    cause,
  });
}
