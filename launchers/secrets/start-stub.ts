// Launch steps 5–6 for a session with secrets: deliver the bundle to the stub,
// start the stub daemon, and return how to wrap the agent's command so its
// agent-scoped secrets reach that process's environment only.
import { ContainaiError } from '../../broker/errors.js';
import type { DockerEngine } from '../docker/engine.js';
import type { OpenedBrokerSession } from './broker-session.js';
import { deliverBundle, STUB_USER } from './deliver-bundle.js';
import type { SecretGrant } from './secret-grants.js';
import type { StubMcpServer } from '../../broker/stub-install.js';

export type CommandWrapper = (cmd: string[]) => string[];

const unwrapped: CommandWrapper = (cmd) => cmd;

export async function startStub(
  engine: DockerEngine,
  containerId: string,
  broker: OpenedBrokerSession | undefined,
  grants: readonly SecretGrant[],
  mcp?: { session: string; servers: readonly StubMcpServer[] },
): Promise<CommandWrapper> {
  if (!broker) return unwrapped;
  const { agentTokens } = await deliverBundle(engine, containerId, broker.bundle, grants, 1, mcp);
  const started = await engine.execCapture(containerId, {
    cmd: ['mcp-stub', 'daemon'],
    user: STUB_USER,
    workdir: '/',
  });
  if (started.exitCode !== 0) {
    throw new ContainaiError(
      'SESSION_SETUP_FAILED',
      `the stub daemon did not start: ${started.stderr.trim()}`,
      {
        actions: ['rebuild the images: containai images build'],
      },
    );
  }
  if (grants.length === 0) return unwrapped;
  const [token] = agentTokens;
  return (cmd) => ['mcp-stub', 'agent-exec', '--token', token ?? '', '--', ...cmd];
}
