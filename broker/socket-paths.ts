// Where the broker's sockets, pid file and audit log live, and the checks that
// make those places private.
//
// A Unix socket path is limited to 107 bytes (sun_path). When the runtime dir
// is too deep for a session socket to fit, sockets move to a short per-user
// dir under /tmp named by a hash of the runtime dir, so the daemon and every
// client compute the same place without talking to each other.
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from './crypto.js';
import { ContainaiError } from './errors.js';
import type { ContainaiPaths } from './paths.js';

export const MAX_SOCKET_PATH_BYTES = 107;
const SESSION_ID_CHARS = 22;
const SESSION_SOCKET = 'redeem.sock';

export interface BrokerLayout {
  /** Private (0700) dir holding the sockets and the pid file. */
  socketDir: string;
  controlSocket: string;
  sessionsDir: string;
  /** The pid file is also the lock: created exclusively by the one running broker. */
  pidFile: string;
  auditLog: string;
  /** The detached daemon's stdout/stderr. */
  logFile: string;
}

export function brokerLayout(paths: ContainaiPaths, uid: number = process.getuid?.() ?? 0): BrokerLayout {
  const longest = (dir: string): number =>
    Buffer.byteLength(join(dir, 'sessions', `${'x'.repeat(SESSION_ID_CHARS)}.sock`));
  let socketDir = paths.runtime;
  if (longest(socketDir) > MAX_SOCKET_PATH_BYTES) {
    socketDir = join('/tmp', `containai-${uid}-${sha256Hex(paths.runtime).slice(0, 12)}`);
    if (longest(socketDir) > MAX_SOCKET_PATH_BYTES) {
      throw new ContainaiError(
        'CONFIG_INVALID',
        `the runtime dir ${paths.runtime} is too long for Unix socket paths`,
        {
          actions: ['set CONTAINAI_HOME or XDG_RUNTIME_DIR to a shorter path'],
        },
      );
    }
  }
  return {
    socketDir,
    controlSocket: join(socketDir, 'broker.sock'),
    sessionsDir: join(socketDir, 'sessions'),
    pidFile: join(socketDir, 'broker.pid'),
    auditLog: join(paths.state, 'audit.log'),
    logFile: join(paths.state, 'broker.log'),
  };
}

/**
 * Each session's socket sits alone in its own directory, and the launcher
 * bind-mounts that directory (not the socket file): a bind-mounted file pins
 * the old inode, so after a broker restart the container would only see a
 * dead socket, while a mounted directory shows the socket the new broker
 * created there, which answers SESSION_UNKNOWN.
 */
export function sessionDir(layout: BrokerLayout, sessionId: string): string {
  return join(layout.sessionsDir, sessionId);
}

export function sessionSocketPath(layout: BrokerLayout, sessionId: string): string {
  return join(sessionDir(layout, sessionId), SESSION_SOCKET);
}

/**
 * Creates `dir` 0700, or accepts an existing one only if it is a real
 * directory we own that nobody else can enter: a dir under /tmp that another
 * user created first would otherwise let them swap our sockets.
 */
export function ensurePrivateDir(dir: string, uid: number = process.getuid?.() ?? 0): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  const problem = !stat.isDirectory()
    ? 'is not a directory'
    : stat.uid !== uid
      ? `is owned by uid ${stat.uid}`
      : (stat.mode & 0o077) !== 0
        ? `has mode ${(stat.mode & 0o777).toString(8)}, open to others`
        : undefined;
  if (problem !== undefined) {
    throw new ContainaiError('CONFIG_INVALID', `the broker directory ${dir} ${problem}`, {
      actions: [`remove it or run: chmod 700 '${dir}'`],
    });
  }
}
