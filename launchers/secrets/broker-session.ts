// Launch step 3: asks the broker (started if needed) to open a session for
// the manifest hash and the granted secrets, and returns the sealed bundle.
// Only launches that request capabilities open a broker session.
import { connectBroker, ensureBrokerRunning } from '../../broker/client.js';
import type { Bundle } from '../../broker/capability.js';
import { ContainaiError } from '../../broker/errors.js';
import type { ContainaiPaths } from '../../broker/paths.js';
import { brokerLayout, sessionDir } from '../../broker/socket-paths.js';
import type { SecretGrant } from './secret-grants.js';

export interface OpenedBrokerSession {
  bundle: Bundle;
  /** Host directory holding the session socket; bind-mounted into the container. */
  socketDir: string;
  expiresAt: number;
}

export interface OpenBrokerSessionInput {
  paths: ContainaiPaths;
  agent: string;
  manifestHash: string;
  grants: readonly SecretGrant[];
  /** Secrets the session's MCP servers reference: MCP-scoped, never delivered to the agent. */
  mcpSecrets?: readonly string[];
  ttlSeconds: number;
  /** A tampered-manifest override is written to the audit log before the session opens. */
  tamperOverride?: string;
}

/** Redemptions per capability: one per agent start, with room for restarts. */
export const MAX_USES = 16;
/** With MCP servers: the stub redeems once per server start (docs/mcp.md). */
export const MCP_MAX_USES = 1000;

export async function openBrokerSession(input: OpenBrokerSessionInput): Promise<OpenedBrokerSession> {
  await ensureBrokerRunning({ paths: input.paths });
  const client = await connectBroker(input.paths);
  try {
    if (input.tamperOverride) await client.auditNote('tamper-override', input.tamperOverride);
    const reply = await client
      .openSession({
        agent: input.agent,
        manifestHash: input.manifestHash,
        capabilities: sessionCapabilities(input.grants, input.mcpSecrets ?? []),
        ttlSeconds: input.ttlSeconds,
        maxUses: (input.mcpSecrets ?? []).length > 0 ? MCP_MAX_USES : MAX_USES,
      })
      .catch((err: unknown) => {
        throw err instanceof ContainaiError && err.code === 'SECRET_NOT_FOUND' ? secretNotFound(err) : err;
      });
    return {
      bundle: reply.bundle,
      socketDir: sessionDir(brokerLayout(input.paths), reply.bundle.sessionId),
      expiresAt: reply.expiresAt,
    };
  } finally {
    client.close();
  }
}

/** Revokes at once; a broker that is gone has revoked everything already. */
export async function revokeBrokerSession(paths: ContainaiPaths, sessionId: string): Promise<void> {
  let client;
  try {
    client = await connectBroker(paths, 2_000);
  } catch {
    return; // not running: its sessions died with it (sessions live in memory only)
  }
  try {
    await client.revokeSession(sessionId);
  } catch (err) {
    // A restarted broker no longer knows the session: it is dead already.
    if (!(err instanceof ContainaiError && err.code === 'SESSION_UNKNOWN')) throw err;
  } finally {
    client.close();
  }
}

function uniqueSecrets(grants: readonly SecretGrant[]): string[] {
  return [...new Set(grants.map((g) => g.secret))];
}

/** A secret granted to the agent and used by an MCP server is issued once, agent-scoped (the wider). */
function sessionCapabilities(
  grants: readonly SecretGrant[],
  mcpSecrets: readonly string[],
): { name: string; scope: 'agent' | 'mcp' }[] {
  const agent = uniqueSecrets(grants);
  return [
    ...agent.map((name) => ({ name, scope: 'agent' as const })),
    ...[...new Set(mcpSecrets)]
      .filter((n) => !agent.includes(n))
      .map((name) => ({ name, scope: 'mcp' as const })),
  ];
}

function secretNotFound(err: ContainaiError): ContainaiError {
  const name = /"([A-Z][A-Z0-9_]*)"/.exec(err.message)?.[1] ?? 'NAME';
  return new ContainaiError('SECRET_NOT_FOUND', err.message, {
    causes: [
      'the secret was never stored',
      'it is set as CONTAINAI_SECRET_' + name + ' in this shell, but the broker was started from another one',
    ],
    actions: [
      `store it: containai secrets set ${name}`,
      'list what is stored: containai secrets list',
      'or restart the broker from this shell: containai broker stop',
    ],
    cause: err,
  });
}
