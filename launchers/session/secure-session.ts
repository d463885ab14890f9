// Launch steps 2 and 3: the session manifest (refusing a tampered install
// before the broker is asked for anything) and, when the session is granted
// secrets, the broker session with its sealed bundle.
import type { ContainaiPaths } from '../../broker/paths.js';
import { installRoot } from '../install-root.js';
import {
  buildManifest,
  refuseTampered,
  writeManifest,
  type SessionManifest,
} from '../manifest/session-manifest.js';
import type { OpenedBrokerSession } from '../secrets/broker-session.js';
import { requireStoredSecrets } from '../secrets/require-stored.js';
import type { SecretGrant } from '../secrets/secret-grants.js';
import type { SessionPlan } from './plan-session.js';

/** Ephemeral sessions end with the launcher; a day bounds a forgotten one. */
export const EPHEMERAL_TTL_SECONDS = 24 * 3600;

export interface SecureSessionInput {
  grants: readonly SecretGrant[];
  /** 'flag': --allow-tampered (warned on stderr); 'env': CONTAINAI_ALLOW_TAMPERED=1 for development (quiet). Both are audited. */
  allowTampered: false | 'flag' | 'env';
  /** Broker session lifetime; default EPHEMERAL_TTL_SECONDS (persistent sessions: launchers/lifecycle/). */
  ttlSeconds?: number;
  /** Secrets the session's MCP servers reference (launchers/mcp/); any MCP server needs the stub, hence a broker session. */
  mcpSecrets?: readonly string[];
}

export interface SecuredSession {
  manifest: SessionManifest;
  grants: readonly SecretGrant[];
  broker: OpenedBrokerSession | undefined;
}

export async function secureSession(
  plan: SessionPlan,
  input: SecureSessionInput,
  deps: { paths: ContainaiPaths; log: (line: string) => void },
): Promise<SecuredSession> {
  const manifest = await buildManifest({ installRoot: installRoot(), image: plan.image });
  refuseTampered(manifest, input.allowTampered !== false);
  const override =
    manifest.tampered.length > 0
      ? `${manifest.tampered.length} trusted file(s) differ: ${manifest.tampered.slice(0, 5).join('; ')}`
      : undefined;
  if (override && input.allowTampered === 'flag')
    deps.log(`warning: launching with tampered trusted files (--allow-tampered): ${override}`);
  const broker =
    input.grants.length > 0 || override || input.mcpSecrets !== undefined
      ? await (
          await brokerSessions()
        ).openBrokerSession({
          paths: deps.paths,
          agent: plan.agent.name,
          manifestHash: manifest.hash,
          grants: input.grants,
          mcpSecrets: input.mcpSecrets,
          ttlSeconds: input.ttlSeconds ?? EPHEMERAL_TTL_SECONDS,
          tamperOverride: override,
        })
      : undefined;
  return { manifest, grants: input.grants, broker };
}

export function recordManifest(paths: ContainaiPaths, session: string, secured: SecuredSession): string {
  return writeManifest(paths.state, session, secured.manifest);
}

export async function revokeSecured(
  paths: ContainaiPaths,
  secured: SecuredSession | undefined,
): Promise<void> {
  if (secured?.broker)
    await (await brokerSessions()).revokeBrokerSession(paths, secured.broker.bundle.sessionId);
}

/**
 * The broker client and its schemas cost ~150 ms to load: only sessions that
 * use the broker pay for them.
 */
function brokerSessions(): Promise<typeof import('../secrets/broker-session.js')> {
  return import('../secrets/broker-session.js');
}

/** A granted secret that no store holds stops the launch before anything is built or created. */
export function precheckSecrets(grants: readonly SecretGrant[], paths: ContainaiPaths): Promise<void> {
  return requireStoredSecrets(
    grants.map((g) => g.secret),
    paths,
    (name) => `the session needs it as $${grants.find((g) => g.secret === name)?.env ?? name}`,
  );
}
