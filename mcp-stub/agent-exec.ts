// `mcp-stub agent-exec --token T -- CMD…`: the trusted wrapper that starts the
// agent (as the agent user) with its agent-scoped secrets in the environment
// of that process only. The secrets come from the stub daemon over its
// socket, never through `docker exec -e` (visible in inspect) or argv.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ContainaiError } from '../broker/errors.js';
import { AGENT_SOCKET } from '../broker/stub-install.js';
import { askStub } from './agent-protocol.js';

export async function agentExec(argv: string[]): Promise<number> {
  const sep = argv.indexOf('--');
  const tokenAt = argv.indexOf('--token');
  const token = tokenAt >= 0 && tokenAt < sep ? argv[tokenAt + 1] : undefined;
  const command = sep >= 0 ? argv.slice(sep + 1) : [];
  if (!token || command.length === 0 || !command[0]) {
    throw new ContainaiError('USAGE', 'usage: mcp-stub agent-exec --token TOKEN -- COMMAND [ARG…]');
  }
  const secrets = await askStub(AGENT_SOCKET, { op: 'agent-env', token });
  const child = spawn(command[0], command.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, ...secrets },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve, reject) => {
    child.once('error', (err) =>
      reject(new ContainaiError('USAGE', `cannot start ${command[0]}: ${err.message}`, { exitStatus: 127 })),
    );
    child.once('exit', (code, signal) =>
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 1) : 1)),
    );
  });
}
