// One connection to a broker socket, shared by the launcher's control client
// and the stub's session client: requests go out as lines, replies come back
// in order, each validated by the schema of its op.
import { connect, type Socket } from 'node:net';
import type { z } from 'zod';
import { ContainaiError, ERROR_CATALOGUE, type ErrorCode } from './errors.js';
import { encodeLine, errorReplySchema, LineSplitter, replySchemas, type ReplyOf } from './protocol.js';

export const DEFAULT_TIMEOUT_MS = 5000;
/** Replies carry whole bundles, so they may be longer than a request. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

type Op = keyof typeof replySchemas;

/** One connection; requests are answered in order, one line each. */
export class LineClient {
  private readonly waiting: { resolve(v: unknown): void; reject(e: Error): void }[] = [];
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly what: string,
  ) {
    const splitter = new LineSplitter(MAX_REPLY_BYTES);
    socket.on('data', (chunk: Buffer) => {
      const lines = splitter.push(chunk);
      if (lines === 'overflow')
        return this.fail(new ContainaiError('BROKER_BAD_REQUEST', `${what} sent an oversized reply`));
      for (const line of lines) {
        try {
          this.waiting.shift()?.resolve(JSON.parse(line));
        } catch (err) {
          this.fail(
            new ContainaiError('BROKER_BAD_REQUEST', `${what} sent a reply that is not JSON`, { cause: err }),
          );
        }
      }
    });
    socket.on('error', (err) => this.fail(unavailable(what, err)));
    socket.on('close', () => this.fail(unavailable(what, new Error('connection closed'))));
  }

  static connect(path: string, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(unavailable(what, new Error(`no answer within ${timeoutMs} ms`)));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(unavailable(what, err));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new LineClient(socket, what));
      });
    });
  }

  /** Sends one request and returns its validated success reply; an error reply becomes a ContainaiError. */
  async request<O extends Op>(op: O, message: object, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ReplyOf<O>> {
    if (this.failure) throw this.failure;
    const raw = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(unavailable(this.what, new Error(`no answer within ${timeoutMs} ms`)));
      }, timeoutMs);
      this.waiting.push({
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.socket.write(encodeLine(message));
    });
    const error = errorReplySchema.safeParse(raw);
    if (error.success) throw new ContainaiError(knownCode(error.data.code), error.data.message);
    const parsed = (replySchemas[op] as unknown as z.ZodType<ReplyOf<O>>).safeParse(raw);
    if (!parsed.success)
      throw new ContainaiError('BROKER_BAD_REQUEST', `${this.what} sent an unexpected ${op} reply`);
    return parsed.data;
  }

  close(): void {
    this.failure ??= new ContainaiError('BROKER_UNAVAILABLE', `connection to ${this.what} closed`);
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
    this.socket.destroy();
  }
}

function knownCode(code: string): ErrorCode {
  return code in ERROR_CATALOGUE ? (code as ErrorCode) : 'INTERNAL';
}

function unavailable(what: string, cause: unknown): ContainaiError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ContainaiError('BROKER_UNAVAILABLE', `cannot reach ${what}: ${detail}`, {
    causes: ['the broker is not running, or was restarted and no longer serves this socket'],
    actions: ['containai broker status', 'containai broker start'],
    cause,
  });
}
