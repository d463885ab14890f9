// The stub daemon's MCP half: the agent-facing relay socket, the audit
// socket, and the server processes they start. Started by daemon.ts when the
// session declares MCP servers.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Bundle } from '../broker/capability.js';
import { redeem } from '../broker/session-client.js';
import { MCP_SOCKET, type StubConfig } from '../broker/stub-install.js';
import { McpAudit } from './mcp-audit.js';
import { MAX_RELAYS, STOP_GRACE_MS } from './mcp-protocol.js';
import { acceptRelay, type RelayContext } from './relay.js';

export interface McpService {
  close(): Promise<void>;
}

export async function startMcpService(
  bundle: Bundle,
  config: StubConfig,
  paths: { socket: string; auditSocket?: string } = { socket: MCP_SOCKET },
): Promise<McpService> {
  const running = new Set<ChildProcess>();
  const stopAll = async (): Promise<void> => {
    const exits = [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => (child.kill('SIGKILL'), resolve()), STOP_GRACE_MS).unref();
        }),
    );
    await Promise.all(exits);
  };
  const audit = new McpAudit({ session: config.session, sessionId: bundle.sessionId }, stopAll);
  const ctx: RelayContext = {
    servers: new Map(config.mcpServers.map((s) => [s.name, s])),
    redeem: (capability) => redeem(config.brokerSocket, bundle, capability),
    audit,
    running,
  };
  await audit.listen(paths.auditSocket);
  removeStale(paths.socket);
  const server = createServer({ allowHalfOpen: true }, (socket) => acceptRelay(socket, ctx));
  server.maxConnections = MAX_RELAYS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(paths.socket, () => resolve());
  });
  // Any process in the container may open a relay: that is what the agent is
  // for. What it never gets is the server's environment.
  chmodSync(paths.socket, 0o666);
  return {
    async close() {
      await stopAll();
      audit.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function removeStale(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // nothing there
  }
}
