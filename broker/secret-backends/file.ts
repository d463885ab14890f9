// The fallback store: <config>/mcp-secrets.env, mode 0600 in a 0700 directory.
// Refused outright when others could read it, rather than used and warned about.
import { lstatSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_NAME_PATTERN } from '../secret-name.js';
import { randomBytes } from '../crypto.js';
import { ContainaiError } from '../errors.js';
import type { SecretBackend } from './backend.js';

export const SECRETS_FILE = 'mcp-secrets.env';

export function fileBackend(configDir: string, uid: number = process.getuid?.() ?? 0): SecretBackend {
  const path = join(configDir, SECRETS_FILE);
  const read = (): Map<string, string> => {
    if (!exists(path)) return new Map();
    assertPrivate(configDir, 'directory', uid);
    assertPrivate(path, 'file', uid);
    return parse(readFileSync(path, 'utf8'), path);
  };
  const write = (secrets: Map<string, string>): void => {
    mkdirSync(configDir, { recursive: true, mode: 0o700 });
    assertPrivate(configDir, 'directory', uid);
    const temp = `${path}.${Buffer.from(randomBytes(6)).toString('hex')}.tmp`;
    const body = [...secrets].map(([name, value]) => `${name}=${JSON.stringify(value)}\n`).join('');
    // Created 0600 and exclusive, then renamed: never a moment where the file is wider or half-written.
    writeFileSync(temp, body, { mode: 0o600, flag: 'wx' });
    try {
      renameSync(temp, path);
    } catch (err) {
      unlinkSync(temp);
      throw err;
    }
  };
  return {
    id: 'file',
    writable: true,
    get: (name) => Promise.resolve(read().get(name)),
    list: () => Promise.resolve([...read().keys()].sort()),
    set: (name, value) => {
      const secrets = read();
      secrets.set(name, value);
      write(secrets);
      return Promise.resolve();
    },
    rm: (name) => {
      const secrets = read();
      const had = secrets.delete(name);
      if (had) write(secrets);
      return Promise.resolve(had);
    },
  };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function assertPrivate(path: string, kind: 'file' | 'directory', uid: number): void {
  const link = lstatSync(path);
  const stat = kind === 'directory' ? statSync(path) : link;
  const problem =
    link.isSymbolicLink() && kind === 'file'
      ? 'is a symbolic link'
      : stat.uid !== uid
        ? `is owned by uid ${stat.uid}, not ${uid}`
        : (stat.mode & 0o077) !== 0
          ? `has mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}, readable or writable by others`
          : undefined;
  if (problem === undefined) return;
  const wanted = kind === 'file' ? '600' : '700';
  throw new ContainaiError('SECRET_STORE_INSECURE', `the secrets ${kind} ${path} ${problem}`, {
    causes: ['it was created by hand or copied with a permissive umask'],
    actions: [`chmod ${wanted} '${path}'  (then rotate any secret that others may have read)`],
  });
}

function parse(text: string, path: string): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = eq === -1 ? '' : line.slice(0, eq).trim();
    if (!SECRET_NAME_PATTERN.test(name)) {
      // The line may hold a value, so the message names only its number.
      throw new ContainaiError(
        'CONFIG_INVALID',
        `${path} line ${index + 1} is not NAME=VALUE with a valid name`,
        {
          actions: [`edit ${path}, or rewrite it with 'containai secrets set NAME'`],
        },
      );
    }
    const value = line.slice(eq + 1).trim();
    secrets.set(name, value.startsWith('"') ? decodeQuoted(value, path, index + 1) : value);
  }
  return secrets;
}

function decodeQuoted(value: string, path: string, lineNo: number): string {
  try {
    const decoded: unknown = JSON.parse(value);
    if (typeof decoded === 'string') return decoded;
  } catch {
    // fall through to the error below, which omits the value
  }
  throw new ContainaiError('CONFIG_INVALID', `${path} line ${lineNo} has a malformed quoted value`);
}
