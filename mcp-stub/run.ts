// `mcp-stub run NAME` (as the agent user; what the agents' MCP configs
// start): opens a relay to server NAME through the stub daemon and copies
// bytes both ways, stdin → socket → server, server → socket → stdout. It
// never sees the server's environment; it does not parse the stream.
import { connect } from 'node:net';
import { ContainaiError, quote } from '../broker/errors.js';
import { MCP_SERVER_NAME_PATTERN, MCP_SOCKET } from '../broker/stub-install.js';
import { openReplySchema } from './mcp-protocol.js';

export async function runRelayClient(
  argv: string[],
  io: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream } = process,
  socketPath = MCP_SOCKET,
): Promise<number> {
  const [name, ...extra] = argv;
  if (!name || extra.length > 0) throw new ContainaiError('USAGE', 'usage: mcp-stub run NAME');
  if (!MCP_SERVER_NAME_PATTERN.test(name))
    throw new ContainaiError('NAME_INVALID', `MCP server name ${quote(name)} is not acceptable`);
  const socket = connect(socketPath);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (err) =>
      reject(
        new ContainaiError(
          'BROKER_UNAVAILABLE',
          `cannot reach the stub daemon at ${socketPath}: ${err.message}`,
          {
            causes: ['this session declares no MCP servers, or the stub daemon has stopped'],
            actions: ['declare servers in config.toml (docs/mcp.md) and start a new session'],
          },
        ),
      ),
    );
  });
  socket.write(`${JSON.stringify({ op: 'open', server: name })}\n`);
  const first = await readFirstLine(socket);
  const reply = openReplySchema.safeParse(safeJson(first.line));
  if (!reply.success)
    throw new ContainaiError('BROKER_BAD_REQUEST', 'the stub daemon sent a malformed reply');
  if (!reply.data.ok) {
    socket.destroy();
    throw new ContainaiError('CONFIG_INVALID', reply.data.message);
  }
  if (first.rest.length > 0) io.stdout.write(first.rest);
  socket.pipe(io.stdout as NodeJS.WritableStream, { end: false });
  io.stdin.pipe(socket);
  return new Promise((resolve) => {
    const done = (status: number): void => {
      // Our stdin may stay open (the client still holds it): stop reading so the process can exit.
      io.stdin.unpipe(socket);
      (io.stdin as NodeJS.ReadStream).destroy?.();
      resolve(status);
    };
    socket.on('error', () => done(1));
    socket.on('close', () => done(0));
  });
}

function readFirstLine(socket: NodeJS.ReadableStream): Promise<{ line: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const newline = buffered.indexOf(10);
      if (newline === -1) {
        if (buffered.length > 64 * 1024)
          reject(new ContainaiError('BROKER_BAD_REQUEST', 'oversized stub reply'));
        return;
      }
      socket.off('data', onData);
      socket.pause();
      resolve({ line: buffered.subarray(0, newline).toString('utf8'), rest: buffered.subarray(newline + 1) });
    };
    socket.on('data', onData);
    socket.once('end', () =>
      reject(new ContainaiError('BROKER_UNAVAILABLE', 'the stub daemon closed the relay')),
    );
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
