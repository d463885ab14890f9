// Looks for a secret value (and its base64 and hex forms) in places it must
// never be: files, engine metadata, process tables.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}

export function containsSecret(haystack: string | Buffer, secret: string): boolean {
  const text = typeof haystack === 'string' ? haystack : haystack.toString('latin1');
  return secretForms(secret).some((form) => text.includes(form));
}

/** Every regular file under `dir` whose content holds the secret, except `allowed`. */
export function filesContaining(dir: string, secret: string, allowed: string[] = []): string[] {
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !allowed.includes(path) && statSync(path).size < 64 * 1024 * 1024) {
        if (containsSecret(readFileSync(path), secret)) hits.push(path);
      }
    }
  };
  walk(dir);
  return hits;
}

/** The real docker CLI against the real engine (test-side inspection only). */
export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'latin1', maxBuffer: 1024 * 1024 * 1024 });
}

export interface HostProcess {
  pid: number;
  uid: number;
  cmdline: string;
  environ: string;
}

/** The container's processes as the host sees them (host PIDs, read from /proc as root). */
export function containerProcesses(containerId: string): HostProcess[] {
  const top = docker('top', containerId, '-eo', 'pid,uid').trim().split('\n').slice(1);
  return top.map((line) => {
    const [pid, uid] = line.trim().split(/\s+/);
    const read = (f: string): string => {
      try {
        return readFileSync(`/proc/${pid}/${f}`, 'latin1');
      } catch {
        return '';
      }
    };
    return {
      pid: Number(pid),
      uid: Number(uid),
      cmdline: read('cmdline').replace(/\0/g, ' '),
      environ: read('environ'),
    };
  });
}
