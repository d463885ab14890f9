// Broker sessions of persistent sessions: opened for PERSISTENT_TTL_SECONDS
// and renewed to that much again whenever the user touches the session
// (launch-agent, connect-agent, list-agents). A session nobody looks at for
// a week loses its capabilities; its container keeps running. Sessions the
// broker no longer knows (it restarted) stay dead: renewal never reopens.
import { ContainaiError } from '../../broker/errors.js';
import type { ContainaiPaths } from '../../broker/paths.js';
import type { SessionInfo } from './sessions.js';

export const PERSISTENT_TTL_SECONDS = 7 * 24 * 3600;

/** Renews the running persistent sessions' broker sessions; returns how many were renewed. */
export async function renewPersistent(paths: ContainaiPaths, sessions: SessionInfo[]): Promise<number> {
  const ids = sessions
    .filter((s) => s.mode === 'persistent' && s.state === 'running' && s.brokerSession)
    .map((s) => s.brokerSession!);
  if (ids.length === 0) return 0;
  const { connectBroker } = await import('../../broker/client.js');
  let client;
  try {
    client = await connectBroker(paths, 2_000);
  } catch {
    return 0; // no broker: nothing to renew (its sessions died with it)
  }
  let renewed = 0;
  try {
    for (const id of ids) {
      try {
        await client.renewSession(id, PERSISTENT_TTL_SECONDS);
        renewed++;
      } catch (err) {
        if (!(err instanceof ContainaiError)) throw err;
        // SESSION_UNKNOWN, CAP_REVOKED, CAP_EXPIRED: closed sessions stay closed.
      }
    }
  } finally {
    client.close();
  }
  return renewed;
}
