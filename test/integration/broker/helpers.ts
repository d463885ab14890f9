// Shared by the broker integration tests: a throwaway CONTAINAI_HOME with a
// short path (sockets must fit in 107 bytes), and a raw socket for attacks.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ContainaiError } from '../../../broker/errors.js';
import { resolvePaths, type ContainaiPaths } from '../../../broker/paths.js';

export const SECRET = 'Sup3r-s3cret-value-0123456789';

export function tempHome(): { home: string; paths: ContainaiPaths; [Symbol.dispose](): void } {
  const home = mkdtempSync('/tmp/cab-');
  return {
    home,
    paths: resolvePaths({ CONTAINAI_HOME: home }),
    [Symbol.dispose]: () => rmSync(home, { recursive: true, force: true }),
  };
}

export function secretsFrom(values: Record<string, string>): (name: string) => Promise<string> {
  return (name) => {
    const value = values[name];
    return value === undefined
      ? Promise.reject(new ContainaiError('SECRET_NOT_FOUND', `no secret named ${JSON.stringify(name)}`))
      : Promise.resolve(value);
  };
}

/** Sends raw bytes, returns the first reply line (parsed) and whether the broker then closed the connection. */
export function rawExchange(
  path: string,
  payload: string | Buffer,
  timeoutMs = 5000,
): Promise<{ reply: unknown; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffered = '';
    let reply: unknown;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('error', (err) => {
      // The broker may close while we are still writing a huge payload; the reply already arrived.
      if (reply === undefined) {
        clearTimeout(timer);
        reject(err);
      }
    });
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline !== -1 && reply === undefined) {
        reply = JSON.parse(buffered.slice(0, newline));
        // Wait briefly to see whether the broker closes the connection.
        setTimeout(() => {
          clearTimeout(timer);
          resolve({ reply, closed: socket.destroyed || socket.readableEnded });
          socket.destroy();
        }, 100);
      }
    });
    socket.write(payload);
  });
}

/** Every file under `dir`, for grepping a secret out of it. */
export function allFileContents(dir: string): string {
  let out = '';
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry);
    if (statSync(path).isFile()) out += readFileSync(path, 'latin1');
  }
  return out;
}

export function assertNoSecret(text: string, secret: string = SECRET): void {
  for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')]) {
    if (text.includes(form)) throw new Error(`secret found in output (${form.length} chars)`);
  }
}
