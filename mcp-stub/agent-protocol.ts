// The stub daemon's agent-facing socket: `mcp-stub agent-exec` (running as
// the agent user) asks it for the agent-scoped environment with a one-time
// token. Shared by the daemon and agent-exec.
import { connect } from 'node:net';
import { z } from 'zod';
import { ContainaiError, ERROR_CATALOGUE, type ErrorCode } from '../broker/errors.js';

export const agentRequestSchema = z.strictObject({
  op: z.literal('agent-env'),
  token: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
});
export type AgentRequest = z.infer<typeof agentRequestSchema>;

export const agentReplySchema = z.union([
  z.strictObject({ ok: z.literal(true), env: z.record(z.string(), z.string()) }),
  z.strictObject({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);
export type AgentReply = z.infer<typeof agentReplySchema>;

/** One request, one reply line; bounded in size and time. */
export function askStub(
  socketPath: string,
  request: AgentRequest,
  timeoutMs = 10_000,
): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffered = '';
    const fail = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new ContainaiError('BROKER_UNAVAILABLE', 'the stub daemon did not answer in time')),
    );
    socket.on('error', (err) =>
      fail(
        new ContainaiError(
          'BROKER_UNAVAILABLE',
          `cannot reach the stub daemon at ${socketPath}: ${err.message}`,
        ),
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      if (buffered.length > 1024 * 1024)
        return fail(new ContainaiError('BROKER_BAD_REQUEST', 'oversized stub reply'));
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      socket.end();
      const reply = agentReplySchema.safeParse(JSON.parse(buffered.slice(0, nl)));
      if (!reply.success) return reject(new ContainaiError('BROKER_BAD_REQUEST', 'malformed stub reply'));
      if (reply.data.ok) return resolve(reply.data.env);
      const code = (reply.data.code in ERROR_CATALOGUE ? reply.data.code : 'CAP_DENIED') as ErrorCode;
      reject(new ContainaiError(code, reply.data.message));
    });
    socket.write(`${JSON.stringify(request)}\n`);
  });
}
