// One relay: an agent's `mcp-stub run NAME` connection on one side, a fresh
// instance of server NAME on the other, newline-delimited JSON-RPC both ways.
// Lines are passed through byte for byte; the relay parses them only to audit
// (method, tool name), to answer malformed or oversized lines with a JSON-RPC
// error, and to fail the requests still pending when the server dies.
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { asContainaiError, escapeControls } from '../broker/errors.js';
import type { StubMcpServer } from '../broker/stub-install.js';
import { BoundedLines, type Piece } from './bounded-lines.js';
import type { McpAudit } from './mcp-audit.js';
import { MAX_MCP_MESSAGE_BYTES, openRequestSchema, RPC, rpcError, STOP_GRACE_MS } from './mcp-protocol.js';
import { spawnServer, type Redeem } from './mcp-servers.js';

const MAX_OPEN_LINE = 1024;
const MAX_PENDING = 4096;
const END_GRACE_MS = 10_000;

export interface RelayContext {
  servers: ReadonlyMap<string, StubMcpServer>;
  redeem: Redeem;
  audit: McpAudit;
  /** Live server processes, so stop-all can end them at teardown. */
  running: Set<ChildProcess>;
}

let nextRelay = 1;

export function acceptRelay(socket: Socket, ctx: RelayContext): void {
  const opening = new BoundedLines(MAX_OPEN_LINE);
  const onOpenData = (chunk: Buffer): void => {
    const newline = chunk.indexOf(10);
    const pieces = opening.push(newline === -1 ? chunk : chunk.subarray(0, newline + 1));
    if (pieces.some((p) => p.kind === 'oversize'))
      return refuse(socket, 'BROKER_BAD_REQUEST', 'open request too long');
    const first = pieces[0];
    if (first?.kind !== 'line') return;
    socket.off('data', onOpenData);
    socket.pause();
    const rest = chunk.subarray(newline + 1);
    const request = openRequestSchema.safeParse(safeJson(first.bytes));
    if (!request.success) return refuse(socket, 'BROKER_BAD_REQUEST', 'malformed open request');
    const server = ctx.servers.get(request.data.server);
    if (!server)
      return refuse(
        socket,
        'CONFIG_INVALID',
        `no MCP server named ${JSON.stringify(request.data.server)} in this session (declared: ${[...ctx.servers.keys()].join(', ') || 'none'})`,
      );
    void start(socket, server, ctx, rest);
  };
  socket.on('data', onOpenData);
  socket.on('error', () => socket.destroy());
}

async function start(socket: Socket, server: StubMcpServer, ctx: RelayContext, rest: Buffer): Promise<void> {
  const relay = nextRelay++;
  const base = { server: server.name, relay };
  let child: ChildProcess;
  try {
    child = await spawnServer(server, ctx.redeem);
  } catch (err) {
    const e = asContainaiError(err);
    ctx.audit.record('mcp-server-failed', { ...base, code: e.code, reason: e.message });
    return refuse(socket, e.code, e.message);
  }
  child.on('error', () => undefined);
  ctx.running.add(child);
  ctx.audit.record('mcp-server-start', { ...base, pid: child.pid });
  socket.write('{"ok":true}\n');

  const pending = new Map<string, unknown>();
  const fromClient = new BoundedLines(MAX_MCP_MESSAGE_BYTES);
  const fromServer = new BoundedLines(MAX_MCP_MESSAGE_BYTES);
  let serverGone = false;
  let noise = 0;

  const toServer = (pieces: Piece[]): void => {
    for (const piece of pieces) {
      if (piece.kind === 'oversize') {
        ctx.audit.record('mcp-refused', { ...base, reason: 'oversize', limit: MAX_MCP_MESSAGE_BYTES });
        socket.write(
          rpcError(
            null,
            RPC.invalidRequest,
            `message longer than ${MAX_MCP_MESSAGE_BYTES} bytes; it was not sent to the MCP server`,
          ),
        );
        continue;
      }
      const message = safeJson(piece.bytes);
      if (message === undefined) {
        ctx.audit.record('mcp-refused', { ...base, reason: 'parse-error' });
        socket.write(
          rpcError(
            null,
            RPC.parseError,
            'Parse error: the line is not JSON; it was not sent to the MCP server',
          ),
        );
        continue;
      }
      for (const m of Array.isArray(message) ? message : [message]) {
        const meta = describe(m);
        if (meta.method) ctx.audit.record('mcp-request', { ...base, from: 'client', ...meta.audit });
        if (meta.method && meta.id !== undefined && pending.size < MAX_PENDING)
          pending.set(meta.idKey, meta.id);
      }
      if (serverGone) continue;
      if (!child.stdin!.write(piece.bytes) || !child.stdin!.write('\n')) socket.pause();
    }
  };
  const toClient = (pieces: Piece[]): void => {
    for (const piece of pieces) {
      if (piece.kind === 'oversize') {
        ctx.audit.record('mcp-refused', { ...base, reason: 'server-oversize', limit: MAX_MCP_MESSAGE_BYTES });
        socket.write(
          rpcError(
            null,
            RPC.internalError,
            `the MCP server sent a message longer than ${MAX_MCP_MESSAGE_BYTES} bytes; it was dropped`,
          ),
        );
        continue;
      }
      const message = safeJson(piece.bytes);
      if (message === undefined) {
        noise++;
        continue;
      }
      for (const m of Array.isArray(message) ? message : [message]) {
        const meta = describe(m);
        if (meta.method) ctx.audit.record('mcp-request', { ...base, from: 'server', ...meta.audit });
        else if (meta.id !== undefined) pending.delete(meta.idKey);
      }
      socket.write(piece.bytes);
      if (!socket.write('\n')) child.stdout!.pause();
    }
  };

  socket.on('data', (chunk: Buffer) => toServer(fromClient.push(chunk)));
  socket.on('drain', () => child.stdout!.resume());
  child.stdin!.on('drain', () => socket.resume());
  child.stdin!.on('error', () => undefined);
  child.stdout!.on('data', (chunk: Buffer) => toClient(fromServer.push(chunk)));

  const exited = new Promise<void>((resolve) => {
    child.once('exit', (status, signal) => {
      serverGone = true;
      ctx.running.delete(child);
      for (const id of pending.values())
        socket.write(
          rpcError(
            id,
            RPC.internalError,
            `MCP server ${JSON.stringify(server.name)} exited (${signal ?? `status ${status}`}) before answering`,
          ),
        );
      ctx.audit.record('mcp-server-stop', {
        ...base,
        status,
        signal,
        unanswered: pending.size,
        ...(noise > 0 ? { nonJsonLines: noise } : {}),
      });
      pending.clear();
      socket.end();
      resolve();
    });
  });
  // The client closed its side (MCP's stdio shutdown): close the server's stdin
  // and give it time to answer and exit; then it is stopped.
  socket.on('end', () => {
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGTERM'), END_GRACE_MS);
    void exited.then(() => clearTimeout(timer));
  });
  // The client went away: stop its server instance.
  socket.on('close', () => {
    if (serverGone) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    void exited.then(() => clearTimeout(timer));
  });
  socket.resume();
  if (rest.length > 0) toServer(fromClient.push(rest));
}

interface MessageMeta {
  method: string | undefined;
  id: unknown;
  idKey: string;
  audit: Record<string, unknown>;
}

/** Method and tool name for the audit line; never params, arguments or results. */
function describe(m: unknown): MessageMeta {
  if (typeof m !== 'object' || m === null) return { method: undefined, id: undefined, idKey: '', audit: {} };
  const record = m as Record<string, unknown>;
  const id = typeof record.id === 'string' || typeof record.id === 'number' ? record.id : undefined;
  const method = typeof record.method === 'string' ? escapeControls(record.method.slice(0, 128)) : undefined;
  const audit: Record<string, unknown> = { method, ...(id === undefined ? { notification: true } : {}) };
  const params = record.params as Record<string, unknown> | undefined;
  if (method === 'tools/call' && typeof params?.name === 'string')
    audit.tool = escapeControls(params.name.slice(0, 128));
  return { method, id, idKey: JSON.stringify(id ?? null), audit };
}

function safeJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function refuse(socket: Socket, code: string, message: string): void {
  socket.end(`${JSON.stringify({ ok: false, code, message })}\n`);
}
