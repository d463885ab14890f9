// A Unix-socket server for newline-delimited JSON with the limits every broker
// socket needs: bounded line size, an idle timeout, a connection cap, and
// requests answered in order. A handler that throws gets an error reply; no
// input can take the daemon down.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { asContainaiError } from './errors.js';
import { encodeLine, LineSplitter, MAX_LINE_BYTES, type ErrorReply } from './protocol.js';

export interface LineServerOptions {
  path: string;
  /** Applied right after bind; the enclosing dir is 0700 so nobody races the chmod. */
  mode: number;
  idleTimeoutMs: number;
  maxConnections?: number;
  handle(line: string): Promise<unknown>;
  /** Called (and its reply sent) before a connection with an oversized line is closed. */
  onOversize(): ErrorReply;
}

export interface LineServer {
  readonly path: string;
  close(): Promise<void>;
}

export async function listenLines(options: LineServerOptions): Promise<LineServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => serve(socket, options, sockets));
  server.maxConnections = options.maxConnections ?? 256;
  removeStaleSocket(options.path);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(options.path, options.mode);
  return {
    path: options.path,
    close: () => closeServer(server, sockets, options.path),
  };
}

function serve(socket: Socket, options: LineServerOptions, sockets: Set<Socket>): void {
  sockets.add(socket);
  const splitter = new LineSplitter(MAX_LINE_BYTES);
  let queue = Promise.resolve();
  socket.setTimeout(options.idleTimeoutMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('close', () => sockets.delete(socket));
  socket.on('data', (chunk: Buffer) => {
    const lines = splitter.push(chunk);
    if (lines === 'overflow') {
      // Stop reading at once: the rest of a 10 MiB line is never buffered.
      socket.pause();
      socket.removeAllListeners('data');
      queue = queue.then(() => {
        if (!socket.destroyed) socket.end(encodeLine(options.onOversize()));
        // A peer that never reads its reply must not hold the slot until the idle timeout.
        setTimeout(() => socket.destroy(), 1000).unref();
      });
      return;
    }
    for (const line of lines) {
      queue = queue.then(async () => {
        let reply: unknown;
        try {
          reply = await options.handle(line);
        } catch (err) {
          const error = asContainaiError(err);
          reply = { ok: false, code: error.code, message: error.message };
        }
        if (!socket.destroyed) socket.write(encodeLine(reply));
      });
    }
  });
}

function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // nothing there
  }
}

async function closeServer(server: Server, sockets: Set<Socket>, path: string): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  await closed;
  removeStaleSocket(path);
}
