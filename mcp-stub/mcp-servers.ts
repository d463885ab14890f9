// Starts one instance of a configured MCP server, as containai-stub, with its
// redeemed secrets in that process's environment only (never argv, never the
// daemon's own environment). The command must be code the agent cannot
// change (trusted-path.ts).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { StubMcpServer } from '../broker/stub-install.js';
import { assertTrustedArgs, resolveTrustedCommand, SERVER_PATH } from './trusted-path.js';

/** Redeems one capability; the daemon asks the broker each time (revocation applies at once). */
export type Redeem = (capability: string) => Promise<string>;

const PASSED_THROUGH = /^(HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy|NODE_EXTRA_CA_CERTS|TZ)$/;

export async function spawnServer(
  server: StubMcpServer,
  redeem: Redeem,
  inherited: NodeJS.ProcessEnv = process.env,
): Promise<ChildProcessWithoutNullStreams> {
  const executable = resolveTrustedCommand(server.name, server.command);
  assertTrustedArgs(server.name, server.args);
  const env: Record<string, string> = { PATH: SERVER_PATH, HOME: '/nonexistent', LANG: 'C.UTF-8' };
  for (const [name, value] of Object.entries(inherited))
    if (value !== undefined && PASSED_THROUGH.test(name)) env[name] = value;
  for (const { name, value } of server.env) env[name] = value;
  for (const { name, capability, prefix, suffix } of server.secretEnv)
    env[name] = `${prefix}${await redeem(capability)}${suffix}`;
  const child = spawn(executable, server.args, {
    cwd: '/',
    env,
    // stderr is dropped: a server may print its environment, and the agent
    // could read anything the stub forwarded.
    stdio: ['pipe', 'pipe', 'ignore'],
  }) as unknown as ChildProcessWithoutNullStreams;
  // Listen at once: 'spawn' fires on the next tick.
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return child;
}
