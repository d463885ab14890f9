// What the broker does with each request: parse at the edge, decide with the
// session registry, audit every decision, reply. Sockets live in daemon.ts.
import type { AuditLog } from './audit-log.js';
import { ContainaiError, asContainaiError, type ErrorCode } from './errors.js';
import {
  controlRequestSchema,
  sessionRequestSchema,
  type ControlRequest,
  type ErrorReply,
  type OpenSessionRequest,
} from './protocol.js';
import type { SessionRegistry } from './session-registry.js';
import type { z } from 'zod';

/** Where the broker gets secret values; the daemon passes a SecretStore's `get`. */
export type SecretSource = (name: string) => Promise<string>;

export interface BrokerServiceDeps {
  registry: SessionRegistry;
  audit: AuditLog;
  secrets: SecretSource;
  /** Starts listening on the session's socket; returns its path. */
  openSessionSocket(sessionId: string): Promise<string>;
  sessionSocketPath(sessionId: string): string;
  status(): { pid: number; startedAt: number; controlSocket: string; auditLog: string };
  requestShutdown(): void;
}

export class BrokerService {
  constructor(private readonly deps: BrokerServiceDeps) {}

  async handleControl(line: string): Promise<unknown> {
    const request = parse(line, controlRequestSchema);
    if ('error' in request) return this.deny('BROKER_BAD_REQUEST', `control socket: ${request.error}`);
    try {
      return await this.control(request.value);
    } catch (err) {
      const error = asContainaiError(err);
      return this.deny(error.code, `${request.value.op}: ${error.message}`, this.sessionOf(request.value));
    }
  }

  async handleSession(sessionId: string, line: string): Promise<unknown> {
    const request = parse(line, sessionRequestSchema);
    if ('error' in request)
      return this.deny('BROKER_BAD_REQUEST', `session socket: ${request.error}`, sessionId);
    if (request.value.op === 'ping') return { ok: true, pong: true };
    const decision = this.deps.registry.redeem(request.value, sessionId);
    if (!decision.ok) {
      this.deps.audit.append({
        event: 'deny',
        session: sessionId,
        capability: decision.capability,
        code: decision.code,
        detail: decision.message,
      });
      return { ok: false, code: decision.code, message: decision.message } satisfies ErrorReply;
    }
    this.deps.audit.append({
      event: 'redeem',
      session: sessionId,
      capability: decision.capability,
      detail: `uses left ${decision.usesLeft}`,
    });
    return { ok: true, capability: decision.capability, key: decision.key, usesLeft: decision.usesLeft };
  }

  /** The reply for a line over the size limit; it is audited, its content never read. */
  oversize(sessionId?: string): ErrorReply {
    return this.deny(
      'BROKER_BAD_REQUEST',
      'request line exceeds the size limit; connection closed',
      sessionId,
    );
  }

  private async control(request: ControlRequest): Promise<unknown> {
    const { registry, audit } = this.deps;
    switch (request.op) {
      case 'ping':
        return { ok: true, pong: true };
      case 'status':
        return {
          ok: true,
          ...this.deps.status(),
          sessions: registry.list().filter((s) => s.state === 'open').length,
        };
      case 'list-sessions':
        return { ok: true, sessions: registry.list() };
      case 'open-session':
        return this.openSession(request);
      case 'revoke-session':
        registry.revoke(request.sessionId);
        audit.append({ event: 'revoke', session: request.sessionId });
        return { ok: true, sessionId: request.sessionId };
      case 'renew-session': {
        const expiresAt = registry.renew(request.sessionId, request.ttlSeconds);
        audit.append({ event: 'renew', session: request.sessionId, detail: `ttl ${request.ttlSeconds}s` });
        return { ok: true, sessionId: request.sessionId, expiresAt };
      }
      case 'audit-note':
        audit.append({ event: 'note', detail: `${request.event}: ${request.detail}` });
        return { ok: true };
      case 'shutdown':
        this.deps.requestShutdown();
        return { ok: true };
    }
  }

  private async openSession(request: OpenSessionRequest): Promise<unknown> {
    const values = new Map<string, string>();
    try {
      for (const { name } of request.capabilities) values.set(name, await this.deps.secrets(name));
      const { bundle, expiresAt } = this.deps.registry.open(request, values, (id) =>
        this.deps.sessionSocketPath(id),
      );
      let socketPath: string;
      try {
        socketPath = await this.deps.openSessionSocket(bundle.sessionId);
      } catch (err) {
        this.deps.registry.revoke(bundle.sessionId);
        throw new ContainaiError('BROKER_UNAVAILABLE', 'could not create the session socket', { cause: err });
      }
      const detail = `manifest ${request.manifestHash} ttl ${request.ttlSeconds}s max uses ${request.maxUses}`;
      this.deps.audit.append({ event: 'open', session: bundle.sessionId, agent: request.agent, detail });
      for (const capability of bundle.capabilities) {
        this.deps.audit.append({
          event: 'issue',
          session: bundle.sessionId,
          capability: capability.name,
          detail: capability.scope,
        });
      }
      return { ok: true, bundle, socketPath, expiresAt };
    } finally {
      values.clear();
    }
  }

  private deny(code: ErrorCode, message: string, sessionId?: string): ErrorReply {
    this.deps.audit.append({ event: 'deny', session: sessionId, code, detail: message });
    return { ok: false, code, message };
  }

  private sessionOf(request: ControlRequest): string | undefined {
    return 'sessionId' in request ? request.sessionId : undefined;
  }
}

/** The error names the field and the kind of problem, never the received value. */
function parse<T>(line: string, schema: z.ZodType<T>): { value: T } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { error: 'request is not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'request';
  return { error: `request does not match the protocol at ${where} (${issue?.code ?? 'invalid'})` };
}
