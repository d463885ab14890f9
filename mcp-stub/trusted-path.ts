// An MCP server runs as containai-stub, the user that can read the session
// bundle. So the stub starts only code the agent cannot change: the command
// and every file named in its arguments, and every directory above them, must
// belong to root or containai-stub and be writable by no one else (a sticky
// directory such as /tmp is fine above a file the agent does not own), as
// sshd's StrictModes does. Anything under /workspace or the agent's HOME fails.
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { ContainaiError, quote } from '../broker/errors.js';
import { STUB_UID } from '../broker/stub-install.js';

/** The PATH servers start with, and search order for a bare command name. */
export const SERVER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The absolute executable for `command`, refused when it is missing or not trusted. */
export function resolveTrustedCommand(server: string, command: string): string {
  let found: string | undefined;
  if (command.includes('/')) {
    if (!isAbsolute(command)) throw refused(server, `command ${quote(command)} is a relative path`);
    found = command;
  } else {
    found = SERVER_PATH.split(':')
      .map((dir) => join(dir, command))
      .find((candidate) => {
        try {
          accessSync(candidate, constants.X_OK);
          return statSync(candidate).isFile();
        } catch {
          return false;
        }
      });
    if (!found) throw refused(server, `command ${quote(command)} is not in ${SERVER_PATH}`);
  }
  const problem = untrustedReason(found);
  if (problem) throw refused(server, problem);
  return found;
}

/** Every argument that names an existing file must be as trusted as the command. */
export function assertTrustedArgs(server: string, args: readonly string[]): void {
  for (const arg of args) {
    const path = arg.startsWith('/')
      ? arg
      : /^--?[A-Za-z0-9-]+=\//.test(arg)
        ? arg.slice(arg.indexOf('=') + 1)
        : '';
    if (!path) continue;
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      continue;
    }
    if (!isFile) continue;
    const problem = untrustedReason(path);
    if (problem) throw refused(server, problem);
  }
}

/** Why `path` could be changed by someone other than root or the stub, or undefined. */
export function untrustedReason(
  path: string,
  trusted: readonly number[] = [0, STUB_UID],
): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return `${quote(path)} does not exist`;
  }
  for (const start of new Set([path, real])) {
    for (let p = start, first = true; ; p = dirname(p), first = false) {
      const st = statSync(p);
      if (!trusted.includes(st.uid))
        return `${quote(p)} belongs to uid ${st.uid}, which the agent may control`;
      const sticky = (st.mode & 0o1000) !== 0 && st.isDirectory() && !first;
      if ((st.mode & 0o022) !== 0 && !sticky) return `${quote(p)} is writable by group or others`;
      if (p === '/') break;
    }
  }
  return undefined;
}

function refused(server: string, why: string): ContainaiError {
  return new ContainaiError('CONFIG_INVALID', `MCP server ${quote(server)} was not started: ${why}`, {
    causes: ['its code lives where the agent can change it (workspace, HOME, /tmp)'],
    actions: ['install the server in the image (root-owned), or name it by absolute path; see docs/mcp.md'],
  });
}
