// mcp-stub: the trusted in-container helper, run as the containai-stub user.
// Built into one JS file (dist/bundles/mcp-stub.js) that the base image ships
// as /usr/local/bin/mcp-stub.
import { ContainaiError, asContainaiError, formatError } from '../broker/errors.js';
import { agentExec } from './agent-exec.js';
import { auditFollow } from './audit-follow.js';
import { daemon } from './daemon.js';
import { remoteBridge } from './remote-bridge.js';
import { install } from './install.js';
import { runRelayClient } from './run.js';

type Subcommand = (argv: string[]) => Promise<number>;

const SUBCOMMANDS: Record<string, Subcommand> = {
  install: (argv) => install(argv),
  daemon,
  'agent-exec': agentExec,
  run: (argv) => runRelayClient(argv),
  'audit-follow': (argv) => auditFollow(argv),
  'remote-bridge': (argv) => remoteBridge(argv),
};

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const sub = name === undefined ? undefined : SUBCOMMANDS[name];
  if (!sub) {
    throw new ContainaiError('USAGE', `mcp-stub: unknown subcommand ${JSON.stringify(name ?? '')}`, {
      actions: [`available: ${Object.keys(SUBCOMMANDS).join(', ') || '(none yet)'}`],
    });
  }
  return sub(rest);
}

run(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    const e = asContainaiError(err);
    process.stderr.write(`${formatError(e)}\n`);
    process.exitCode = e.exitStatus;
  },
);
