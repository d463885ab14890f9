// `mcp-stub daemon`: the stub's long-running half, as containai-stub. It holds
// the bundle (in /run/containai, unreadable to the agent), redeems
// capabilities from the broker over the session socket, and hands the
// agent-scoped environment to `mcp-stub agent-exec` once per one-time token.
//
// Started by the launcher with `docker exec -u containai-stub`; it detaches
// itself and reports readiness, so the exec returns once the socket is up.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBundle, type Bundle } from '../broker/capability.js';
import { ContainaiError } from '../broker/errors.js';
import { listenLines } from '../broker/line-server.js';
import { SessionClient } from '../broker/session-client.js';
import { AGENT_SOCKET, INSTALL_DIR, stubConfigSchema, type StubConfig } from '../broker/stub-install.js';
import { agentRequestSchema } from './agent-protocol.js';
import { startMcpService } from './mcp-service.js';

const READY = 'containai-stub-ready';

export async function daemon(argv: string[]): Promise<number> {
  if (argv.includes('--foreground')) return runForeground();
  return detach();
}

/** Re-runs itself detached, waits for "ready" over IPC, then returns. */
async function detach(): Promise<number> {
  const log = openSync(join(INSTALL_DIR, 'stub.log'), 'a', 0o600);
  const child = spawn(process.execPath, [process.argv[1] ?? '', 'daemon', '--foreground'], {
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    cwd: '/',
  });
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m === READY);
    });
    child.once('exit', () => resolve(false));
  });
  if (!ready) {
    throw new ContainaiError('SESSION_SETUP_FAILED', 'the stub daemon did not start', {
      actions: [`read its log inside the container: ${join(INSTALL_DIR, 'stub.log')} (as containai-stub)`],
    });
  }
  child.disconnect();
  child.unref();
  return 0;
}

async function runForeground(): Promise<number> {
  const bundle: Bundle = parseBundle(JSON.parse(readFileSync(join(INSTALL_DIR, 'bundle.json'), 'utf8')));
  const config: StubConfig = stubConfigSchema.parse(
    JSON.parse(readFileSync(join(INSTALL_DIR, 'stub.json'), 'utf8')),
  );
  const unusedTokens = new Set(config.agentTokens);
  const server = await listenLines({
    path: AGENT_SOCKET,
    // Any process in the container may ask; only a one-time token gets an answer.
    mode: 0o666,
    idleTimeoutMs: 30_000,
    maxConnections: 32,
    handle: async (line) => {
      const request = agentRequestSchema.safeParse(safeJson(line));
      if (!request.success) throw new ContainaiError('BROKER_BAD_REQUEST', 'malformed request');
      const tokenHash = createHash('sha256').update(request.data.token).digest('hex');
      if (!unusedTokens.delete(tokenHash))
        throw new ContainaiError('CAP_DENIED', 'unknown or already used token');
      return { ok: true, env: await agentEnvironment(bundle, config) };
    },
    onOversize: () => ({ ok: false, code: 'BROKER_BAD_REQUEST', message: 'request too large' }),
  });
  const mcp = config.mcpServers.length > 0 ? await startMcpService(bundle, config) : undefined;
  process.send?.(READY);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => resolve());
  });
  await mcp?.close();
  await server.close();
  return 0;
}

async function agentEnvironment(bundle: Bundle, config: StubConfig): Promise<Record<string, string>> {
  if (config.agentEnv.length === 0) return {};
  const client = await SessionClient.connect(config.brokerSocket, bundle);
  try {
    const env: Record<string, string> = {};
    for (const { capability, env: name } of config.agentEnv) {
      // MCP-scoped capabilities never reach the agent user, whatever stub.json says.
      if (bundle.capabilities.find((c) => c.name === capability)?.scope !== 'agent')
        throw new ContainaiError('CAP_DENIED', `capability ${capability} is not agent-scoped`);
      env[name] = await client.redeem(capability);
    }
    return env;
  } finally {
    client.close();
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
