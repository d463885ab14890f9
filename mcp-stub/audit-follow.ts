// `mcp-stub audit-follow` (as containai-stub, started by the launcher with a
// `docker exec` whose stdin it keeps open): copies the daemon's MCP audit
// lines to stdout, which the launcher appends to the host session log. On EOF
// of stdin (teardown) it asks the daemon to stop every MCP server, so their
// stop lines are written, then exits.
import { connect } from 'node:net';
import { ContainaiError } from '../broker/errors.js';
import { AUDIT_SOCKET } from '../broker/stub-install.js';

export async function auditFollow(
  _argv: string[],
  io: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream } = process,
  socketPath = AUDIT_SOCKET,
): Promise<number> {
  const socket = connect(socketPath);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (err) =>
      reject(
        new ContainaiError('SESSION_SETUP_FAILED', `cannot reach the stub's audit socket: ${err.message}`),
      ),
    );
  });
  socket.pipe(io.stdout as NodeJS.WritableStream, { end: false });
  io.stdin.resume();
  io.stdin.on('end', () => {
    socket.write('{"op":"stop-all"}\n');
    setTimeout(() => socket.destroy(), 5_000).unref();
  });
  return new Promise((resolve) => socket.on('close', () => resolve(0)));
}
