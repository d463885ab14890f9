// The stub daemon's MCP socket, shared by the daemon and `mcp-stub run`:
// the client's first line opens a relay to one named server, the daemon
// answers with one line, and from then on both sides exchange the server's
// newline-delimited JSON-RPC unchanged (docs/mcp.md).
import { z } from 'zod';
import { MCP_SERVER_NAME_PATTERN } from '../broker/stub-install.js';

/** The largest JSON-RPC message relayed either way; a longer line becomes an error. */
export const MAX_MCP_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Relays open at once, across all servers. */
export const MAX_RELAYS = 16;
/** How long a stopped server has after SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 2_000;

export const openRequestSchema = z.strictObject({
  op: z.literal('open'),
  server: z.string().regex(MCP_SERVER_NAME_PATTERN),
});

export const openReplySchema = z.union([
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);

/** JSON-RPC 2.0 error codes the relay itself answers with. */
export const RPC = { parseError: -32700, invalidRequest: -32600, internalError: -32603 } as const;

export function rpcError(id: unknown, code: number, message: string): string {
  const safeId = typeof id === 'string' || typeof id === 'number' ? id : null;
  return `${JSON.stringify({ jsonrpc: '2.0', id: safeId, error: { code, message: `containai: ${message}` } })}\n`;
}
