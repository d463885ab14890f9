// The broker daemon: one per user, owning the control socket, one socket per
// session, the audit log and the in-memory session registry.
//
// Socket modes. The control socket is 0600 in a 0700 dir: only the user's own
// launchers may open sessions. A session socket is 0666 because it is
// in a 0711 per-session dir that is bind-mounted into the container, where the
// stub runs under a uid the host does not know; on the host both sit inside
// the 0700 sessions dir, so other host users cannot reach them. Connecting to it
// grants nothing: every redemption must carry an HMAC made with the session
// key, which only the bundle holds.
//
// Restarts. Sessions live in memory only, so after a crash or SIGKILL a new
// broker knows none of them. It re-listens in the old session dirs it finds
// and answers every redemption there with SESSION_UNKNOWN (audited), so an old
// stub gets a clear refusal instead of a hang; those sockets are closed after
// the retention period. New sessions work as usual.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { AuditLog } from './audit-log.js';
import { BrokerService, type SecretSource } from './broker-service.js';
import { ContainaiError } from './errors.js';
import { listenLines, type LineServer } from './line-server.js';
import type { ContainaiPaths } from './paths.js';
import { SessionRegistry } from './session-registry.js';
import {
  brokerLayout,
  ensurePrivateDir,
  sessionDir,
  sessionSocketPath,
  type BrokerLayout,
} from './socket-paths.js';

export interface BrokerOptions {
  paths: ContainaiPaths;
  secrets: SecretSource;
  clock?: () => number;
  /** A connection that sends nothing for this long is closed. */
  idleTimeoutMs?: number;
  /** How long a revoked or expired session's socket keeps answering (with denials). */
  retentionMs?: number;
}

export interface RunningBroker {
  readonly layout: BrokerLayout;
  readonly pid: number;
  /** Resolves once the broker has stopped, by `stop()` or a shutdown request. */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const clock = options.clock ?? Date.now;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const retentionMs = options.retentionMs ?? 15 * 60_000;
  const layout = brokerLayout(options.paths);
  ensurePrivateDir(layout.socketDir);
  ensurePrivateDir(layout.sessionsDir);
  mkdirSync(options.paths.state, { recursive: true, mode: 0o700 });
  acquirePidFile(layout.pidFile);

  const audit = AuditLog.open(layout.auditLog, clock);
  const registry = new SessionRegistry(clock);
  const sessionServers = new Map<string, { server: LineServer; closeAt?: number }>();
  const startedAt = clock();
  let stopping: Promise<void> | undefined;
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  const openSessionSocket = async (sessionId: string, closeAt?: number): Promise<string> => {
    mkdirSync(sessionDir(layout, sessionId), { recursive: true, mode: 0o711 });
    chmodSync(sessionDir(layout, sessionId), 0o711);
    const server = await listenLines({
      path: sessionSocketPath(layout, sessionId),
      mode: 0o666,
      idleTimeoutMs,
      handle: (line) => service.handleSession(sessionId, line),
      onOversize: () => service.oversize(sessionId),
    });
    sessionServers.set(sessionId, { server, closeAt });
    return server.path;
  };

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(pruneTimer);
      await control.close();
      await Promise.all([...sessionServers.values()].map(({ server }) => server.close()));
      audit.append({ event: 'broker-stop', detail: `pid ${process.pid}` });
      audit.close();
      releasePidFile(layout.pidFile);
      resolveStopped();
    })());

  const service = new BrokerService({
    registry,
    audit,
    secrets: options.secrets,
    openSessionSocket: (id) => openSessionSocket(id),
    sessionSocketPath: (id) => sessionSocketPath(layout, id),
    status: () => ({
      pid: process.pid,
      startedAt,
      controlSocket: layout.controlSocket,
      auditLog: layout.auditLog,
    }),
    // After the reply is written: the client sees { ok: true } before the socket goes away.
    requestShutdown: () => void setImmediate(() => void stop()),
  });

  let control: LineServer;
  try {
    const stale = readdirSync(layout.sessionsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && SESSION_ID.test(entry.name))
      .map((entry) => entry.name);
    for (const sessionId of stale) await openSessionSocket(sessionId, clock() + retentionMs);
    audit.append({
      event: 'broker-start',
      detail: `pid ${process.pid}; ${stale.length} sessions from an earlier run are unknown`,
    });
    control = await listenLines({
      path: layout.controlSocket,
      mode: 0o600,
      idleTimeoutMs,
      handle: (line) => service.handleControl(line),
      onOversize: () => service.oversize(),
    });
  } catch (err) {
    await Promise.all([...sessionServers.values()].map(({ server }) => server.close()));
    audit.close();
    releasePidFile(layout.pidFile);
    throw err;
  }

  const pruneTimer = setInterval(
    () => {
      const now = clock();
      for (const id of registry.prune(retentionMs)) {
        const entry = sessionServers.get(id);
        if (entry) entry.closeAt = now;
      }
      for (const [id, entry] of sessionServers) {
        if (entry.closeAt !== undefined && entry.closeAt <= now) {
          sessionServers.delete(id);
          void entry.server
            .close()
            .then(() => rmSync(sessionDir(layout, id), { recursive: true, force: true }));
        }
      }
    },
    Math.min(30_000, retentionMs),
  );
  pruneTimer.unref();

  return { layout, pid: process.pid, stopped, stop, [Symbol.asyncDispose]: stop };
}

/** The pid file is the lock: created exclusively, replaced only when its process is gone. */
function acquirePidFile(pidFile: string): void {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(pidFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = readPid(pidFile);
    if (pid !== undefined && isAlive(pid)) {
      throw new ContainaiError('BROKER_RUNNING', `a broker already runs for this user (pid ${pid})`, {
        actions: ['containai broker status', `if no broker runs, remove ${pidFile}`],
      });
    }
    unlinkSync(pidFile);
  }
  throw new ContainaiError('BROKER_RUNNING', 'another broker is starting at the same time');
}

function releasePidFile(pidFile: string): void {
  if (existsSync(pidFile) && readPid(pidFile) === process.pid) unlinkSync(pidFile);
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
