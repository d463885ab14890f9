// The daemon's MCP audit trail: one JSON line per server start and stop and
// per request (method and tool name only: never arguments, results or
// environment). Lines queue in memory until `mcp-stub audit-follow` (run by
// the launcher as containai-stub, on the stub's private tmpfs socket) takes
// them to the host's session log; the queue is bounded and counts drops.
import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { AUDIT_SOCKET } from '../broker/stub-install.js';
import { BoundedLines } from './bounded-lines.js';

const MAX_QUEUED = 10_000;

export class McpAudit {
  private queue: string[] = [];
  private dropped = 0;
  private follower: Socket | undefined;
  private server: Server | undefined;

  constructor(
    private readonly ids: { session: string | undefined; sessionId: string },
    private readonly onStopAll: () => Promise<void>,
  ) {}

  record(event: string, details: Record<string, unknown>): void {
    const line = `${JSON.stringify({
      time: new Date().toISOString(),
      type: 'mcp',
      event,
      session: this.ids.session,
      sessionId: this.ids.sessionId,
      ...details,
    })}\n`;
    if (this.follower && !this.follower.destroyed) this.follower.write(line);
    else if (this.queue.length < MAX_QUEUED) this.queue.push(line);
    else this.dropped++;
  }

  /** The follower's socket: only containai-stub can reach it (its directory is 0700). */
  async listen(path = AUDIT_SOCKET): Promise<void> {
    this.server = createServer((socket) => this.attach(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(path, () => resolve());
    });
    chmodSync(path, 0o600);
  }

  close(): void {
    this.server?.close();
    this.follower?.end();
  }

  private attach(socket: Socket): void {
    if (this.follower && !this.follower.destroyed) return void socket.destroy();
    this.follower = socket;
    socket.on('error', () => socket.destroy());
    if (this.dropped > 0) this.record('audit-dropped', { lines: this.dropped });
    this.dropped = 0;
    for (const line of this.queue.splice(0)) socket.write(line);
    const lines = new BoundedLines(1024);
    socket.on('data', (chunk: Buffer) => {
      for (const piece of lines.push(chunk)) {
        if (piece.kind === 'line' && piece.bytes.toString('utf8').trim() === '{"op":"stop-all"}')
          void this.onStopAll().finally(() => socket.end());
      }
    });
  }
}
