// Where containai keeps things on the host. XDG by default; one variable,
// CONTAINAI_HOME, relocates all of it so tests never touch the real home.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface ContainaiPaths {
  /** config.toml and the fallback secrets file. */
  config: string;
  /** Session manifests, logs, the audit log. */
  state: string;
  /** Broker control socket and per-session sockets (short-lived). */
  runtime: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function resolvePaths(env: Env = process.env, uid: number = process.getuid?.() ?? 0): ContainaiPaths {
  const home = nonEmpty(env.CONTAINAI_HOME);
  if (home) {
    const root = resolve(home);
    return { config: join(root, 'config'), state: join(root, 'state'), runtime: join(root, 'run') };
  }
  const userHome = nonEmpty(env.HOME) ?? homedir();
  const configBase = nonEmpty(env.XDG_CONFIG_HOME) ?? join(userHome, '.config');
  const stateBase = nonEmpty(env.XDG_STATE_HOME) ?? join(userHome, '.local', 'state');
  // Without XDG_RUNTIME_DIR (root shells, CI) fall back to a per-user dir
  // under /tmp; the broker creates it 0700 and refuses one it does not own.
  const runtimeBase = nonEmpty(env.XDG_RUNTIME_DIR) ?? join('/tmp', `containai-${uid}`);
  return {
    config: join(configBase, 'containai'),
    state: join(stateBase, 'containai'),
    runtime: nonEmpty(env.XDG_RUNTIME_DIR) ? join(runtimeBase, 'containai') : runtimeBase,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
