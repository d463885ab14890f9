// The launcher's client for the broker's control socket, and auto-start of
// the daemon. The stub's redemption client is session-client.ts.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ContainaiError, ERROR_CATALOGUE } from './errors.js';
import { DEFAULT_TIMEOUT_MS, LineClient } from './line-client.js';
import { resolvePaths, type ContainaiPaths } from './paths.js';
import type { ControlRequest, OpenSessionRequest, ReplyOf } from './protocol.js';
import { brokerLayout } from './socket-paths.js';

export { redeem, SessionClient } from './session-client.js';

/** The launcher's view of the broker's control socket. */
export class BrokerClient {
  constructor(private readonly line: LineClient) {}

  ping = (): Promise<ReplyOf<'ping'>> => this.call({ op: 'ping' });
  status = (): Promise<ReplyOf<'status'>> => this.call({ op: 'status' });
  listSessions = async (): Promise<ReplyOf<'list-sessions'>['sessions']> =>
    (await this.call({ op: 'list-sessions' })).sessions;
  openSession = (request: Omit<OpenSessionRequest, 'op'>): Promise<ReplyOf<'open-session'>> =>
    this.call({ op: 'open-session', ...request });
  revokeSession = (sessionId: string): Promise<ReplyOf<'revoke-session'>> =>
    this.call({ op: 'revoke-session', sessionId });
  renewSession = (sessionId: string, ttlSeconds: number): Promise<ReplyOf<'renew-session'>> =>
    this.call({ op: 'renew-session', sessionId, ttlSeconds });
  auditNote = (event: string, detail: string): Promise<ReplyOf<'audit-note'>> =>
    this.call({ op: 'audit-note', event, detail });
  shutdown = (): Promise<ReplyOf<'shutdown'>> => this.call({ op: 'shutdown' });

  close(): void {
    this.line.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private call<O extends ControlRequest['op']>(
    request: Extract<ControlRequest, { op: O }>,
  ): Promise<ReplyOf<O>> {
    return this.line.request<O>(request.op as O, request);
  }
}

export async function connectBroker(
  paths: ContainaiPaths = resolvePaths(),
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<BrokerClient> {
  const layout = brokerLayout(paths);
  return new BrokerClient(
    await LineClient.connect(layout.controlSocket, `the broker at ${layout.controlSocket}`, timeoutMs),
  );
}

export interface EnsureBrokerOptions {
  paths?: ContainaiPaths;
  /** The compiled daemon entry; defaults to daemon-main.js beside this file. */
  entry?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Pings the broker; if nothing answers, starts the daemon detached and waits until it does. */
export async function ensureBrokerRunning(
  options: EnsureBrokerOptions = {},
): Promise<{ started: boolean; pid: number }> {
  const paths = options.paths ?? resolvePaths(options.env);
  const existing = await tryStatus(paths);
  if (existing) return { started: false, pid: existing.pid };
  const layout = brokerLayout(paths);
  mkdirSync(paths.state, { recursive: true, mode: 0o700 });
  const log = openSync(layout.logFile, 'a', 0o600);
  const entry = options.entry ?? fileURLToPath(new URL('./daemon-main.js', import.meta.url));
  const child = spawn(process.execPath, [entry], {
    detached: true,
    stdio: ['ignore', log, log],
    env: options.env ?? process.env,
    cwd: '/',
  });
  closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    const status = await tryStatus(paths);
    if (status) return { started: status.pid === child.pid, pid: status.pid };
    // A racing launcher's broker won (our child exits BROKER_RUNNING): keep polling for it.
    if (exited !== undefined && exited !== ERROR_CATALOGUE.BROKER_RUNNING.exit) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new ContainaiError('BROKER_UNAVAILABLE', `the broker did not start (see ${layout.logFile})`, {
    actions: [`tail ${layout.logFile}`, 'containai broker start'],
  });
}

async function tryStatus(paths: ContainaiPaths): Promise<ReplyOf<'status'> | undefined> {
  try {
    const client = await connectBroker(paths, 1000);
    try {
      return await client.status();
    } finally {
      client.close();
    }
  } catch {
    return undefined;
  }
}
