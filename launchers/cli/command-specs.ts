// Every command and flag, once. --help text and the documentation test read
// this table, so help, docs and parser cannot drift apart.
import { DEFAULT_LIMITS } from '../session/limits.js';

export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  /** Placeholder shown in help, e.g. TEXT. */
  value?: string;
  short?: string;
  /** Repeatable: every occurrence is kept, in order. */
  multiple?: boolean;
  description: string;
}

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  flags: FlagSpec[];
  /** False: the command exists and says "not implemented yet". */
  implemented: boolean;
}

const help: FlagSpec = { name: 'help', type: 'boolean', short: 'h', description: 'show this help and exit' };
const json: FlagSpec = { name: 'json', type: 'boolean', description: 'print data and errors as JSON' };

export const RUN_FLAGS: FlagSpec[] = [
  {
    name: 'prompt',
    type: 'string',
    value: 'TEXT',
    description: 'run the agent non-interactively on TEXT ("-" reads it from stdin) and exit with its status',
  },
  {
    name: 'prompt-file',
    type: 'string',
    value: 'PATH',
    description: 'like --prompt, reading the prompt from a file (any size)',
  },
  {
    name: 'branch',
    type: 'string',
    value: 'B',
    description: 'work on branch {agent}/B instead of {agent}/session-N',
  },
  {
    name: 'use-current-branch',
    type: 'boolean',
    description: "work on the host's checked-out branch (not with --branch; refused on a detached HEAD)",
  },
  {
    name: 'no-push',
    type: 'boolean',
    description: 'do not import the session branch into the host repository at the end',
  },
  {
    name: 'force',
    type: 'boolean',
    description: 'start even if the repository has uncommitted changes (they are not copied)',
  },
  {
    name: 'timeout',
    type: 'string',
    value: 'SECONDS',
    description: 'stop and remove the session after SECONDS; exit status 124',
  },
  {
    name: 'memory',
    type: 'string',
    value: 'SIZE',
    description: `memory limit, e.g. 512m, 4g (default ${DEFAULT_LIMITS.memory})`,
  },
  {
    name: 'cpus',
    type: 'string',
    value: 'N',
    description: `CPU limit, e.g. 1.5 (default ${DEFAULT_LIMITS.cpus})`,
  },
  { name: 'pids', type: 'string', value: 'N', description: `process limit (default ${DEFAULT_LIMITS.pids})` },
  {
    name: 'image',
    type: 'string',
    value: 'IMAGE',
    description: 'use this agent image instead of the built-in one',
  },
  {
    name: 'secret',
    type: 'string',
    value: 'NAME[=ENV]',
    multiple: true,
    description:
      'give the agent process the stored secret NAME as $ENV (default $NAME), through the broker; repeatable',
  },
  {
    name: 'allow-tampered',
    type: 'boolean',
    description:
      'launch even if trusted files differ from the build or from git HEAD (written to the audit log)',
  },
  {
    name: 'network-proxy',
    type: 'string',
    value: 'PROFILE',
    description:
      'network profile: squid (default: only allowlisted hosts, through a logging proxy) or restricted (no network)',
  },
  {
    name: 'allow-domain',
    type: 'string',
    value: 'D',
    multiple: true,
    description: 'also allow host D through the proxy (.D: D and its subdomains); repeatable',
  },
  json,
  help,
];

function runCommand(agent: string, implemented: boolean): CommandSpec {
  return {
    name: `run-${agent}`,
    usage: `run-${agent} [REPO] [flags]`,
    summary: `ephemeral ${agent} session in a hardened container, removed when the agent exits; interactive on your terminal unless --prompt is given`,
    flags: RUN_FLAGS,
    implemented,
  };
}

export const COMMANDS: CommandSpec[] = [
  runCommand('shell', true),
  runCommand('copilot', true),
  runCommand('codex', true),
  runCommand('claude', true),
  {
    name: 'launch-agent',
    usage: 'launch-agent AGENT [REPO] [flags]',
    summary: 'persistent agent session in tmux that survives the launcher exiting',
    flags: RUN_FLAGS.filter((f) => !['prompt', 'prompt-file', 'timeout', 'no-push'].includes(f.name)),
    implemented: true,
  },
  {
    name: 'connect-agent',
    usage: 'connect-agent [-n NAME]',
    summary: "attach to a persistent session's tmux (the only one, or the one named)",
    flags: [
      { name: 'name', type: 'string', short: 'n', value: 'NAME', description: 'the session to attach to' },
      help,
    ],
    implemented: true,
  },
  {
    name: 'list-agents',
    usage: 'list-agents [--json]',
    summary: 'list sessions found by their Docker labels (renews persistent sessions)',
    flags: [json, help],
    implemented: true,
  },
  {
    name: 'remove-agent',
    usage: 'remove-agent NAME [--no-push] [--keep-branch] [--json]',
    summary: 'import the session branch into the host repository and tear the session down',
    flags: [
      {
        name: 'no-push',
        type: 'boolean',
        description: 'remove without importing the session branch (the host repository is not touched)',
      },
      {
        name: 'keep-branch',
        type: 'boolean',
        description:
          'also keep the session branch as a git bundle under the state dir (with --no-push: instead of importing it)',
      },
      json,
      help,
    ],
    implemented: true,
  },
  {
    name: 'containai doctor',
    usage: 'containai doctor [--json]',
    summary: 'run every preflight check and print its status and, when failing, what to do',
    flags: [json, help],
    implemented: true,
  },
  {
    name: 'containai images build',
    usage: 'containai images build [AGENT] [--json]',
    summary:
      'build (or find, by content hash) the Debian base, the containai base and an agent image (default shell)',
    flags: [json, help],
    implemented: true,
  },
  {
    name: 'containai logs',
    usage: 'containai logs SESSION [--follow] [--json]',
    summary: "show a session's network log: every proxy request and lifecycle event (squid profile)",
    flags: [
      {
        name: 'follow',
        type: 'boolean',
        short: 'f',
        description: 'keep printing new records until the session has ended',
      },
      { name: 'json', type: 'boolean', description: 'print the records as JSON lines, as stored' },
      help,
    ],
    implemented: true,
  },
];

function subcommand(name: string, usage: string, summary: string): CommandSpec {
  return {
    name: `containai ${name}`,
    usage: `containai ${usage}`,
    summary,
    flags: [json, help],
    implemented: true,
  };
}

COMMANDS.push(
  subcommand(
    'secrets set',
    'secrets set NAME [--json]',
    'store a secret; the value is read from stdin, or from a hidden prompt on a terminal, never from the command line',
  ),
  subcommand(
    'secrets list',
    'secrets list [--json]',
    'list stored secret names and the backend holding each (never values)',
  ),
  subcommand('secrets rm', 'secrets rm NAME [--json]', 'remove a secret from every writable backend'),
  subcommand(
    'broker start',
    'broker start [--json]',
    'start the broker daemon if it is not running (launchers do this themselves)',
  ),
  subcommand(
    'broker stop',
    'broker stop [--json]',
    'stop the broker daemon; every session it holds dies with it',
  ),
  subcommand('broker status', 'broker status [--json]', "show the broker's pid, audit log and open sessions"),
  subcommand(
    'broker revoke',
    'broker revoke ID [--json]',
    'revoke a broker session at once; later redemptions are denied',
  ),
  {
    name: 'containai gc',
    usage: 'containai gc [--dry-run] [--json]',
    summary:
      'remove the objects, broker sessions and sockets of launches whose launcher died; never a persistent session',
    flags: [{ name: 'dry-run', type: 'boolean', description: 'list what would be removed' }, json, help],
    implemented: true,
  },
  subcommand(
    'audit verify',
    'audit verify [PATH] [--json]',
    "check the audit log's hash chain; fails on an edited, deleted or reordered line",
  ),
);

export function commandSpec(name: string): CommandSpec {
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) throw new Error(`no command spec for ${name}`);
  return spec;
}

export function renderHelp(spec: CommandSpec): string {
  const lines = [`usage: ${spec.usage}`, '', spec.summary];
  if (!spec.implemented) lines.push('', 'not implemented yet: running it exits with error NOT_IMPLEMENTED.');
  if (spec.flags.length > 0) {
    lines.push('', 'flags:');
    const label = flagLabel;
    const width = Math.max(...spec.flags.map((f) => label(f).length));
    for (const f of spec.flags) lines.push(`  ${label(f).padEnd(width)}  ${f.description}`);
  }
  lines.push('', 'docs: docs/cli.md; errors and exit statuses: docs/troubleshooting.md');
  return `${lines.join('\n')}\n`;
}

/** How a flag is shown in help and docs: `-h, --prompt TEXT …`. */
export function flagLabel(f: FlagSpec): string {
  return `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.value ? ` ${f.value}` : ''}${f.multiple ? ' …' : ''}`;
}
