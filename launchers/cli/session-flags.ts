// The flags run-* and launch-agent share, turned into the session request
// fields both pipelines take. One place, so the two commands cannot drift.
import { ContainaiError, quote } from '../../broker/errors.js';
import type { AgentDefinition } from '../agents/definitions.js';
import { sessionAllowlist } from '../network/session-allowlist.js';
import { parseSecretGrants, sessionGrants } from '../secrets/secret-grants.js';
import { parseLimits } from '../session/limits.js';
import type { NetworkProfile } from '../session/plan-session.js';
import { booleanFlag, stringFlag, stringsFlag, type ParsedArgs } from './parse-flags.js';

export function sessionFlags(agent: AgentDefinition, args: ParsedArgs, env: NodeJS.ProcessEnv) {
  return {
    agent,
    cwd: process.cwd(),
    branch: stringFlag(args, 'branch'),
    useCurrentBranch: booleanFlag(args, 'use-current-branch'),
    force: booleanFlag(args, 'force'),
    limits: parseLimits({
      memory: stringFlag(args, 'memory'),
      cpus: stringFlag(args, 'cpus'),
      pids: stringFlag(args, 'pids'),
    }),
    image: stringFlag(args, 'image'),
    profile: parseProfile(stringFlag(args, 'network-proxy')),
    allowlist: sessionAllowlist(agent, allowDomains(args)),
    grants: sessionGrants(agent.credentials, parseSecretGrants(stringsFlag(args, 'secret'))),
    allowTampered: booleanFlag(args, 'allow-tampered')
      ? ('flag' as const)
      : env.CONTAINAI_ALLOW_TAMPERED === '1'
        ? ('env' as const)
        : (false as const),
  };
}

export function parseProfile(value: string | undefined): NetworkProfile {
  if (value === undefined || value === 'squid') return 'squid';
  if (value === 'restricted') return 'restricted';
  throw new ContainaiError('USAGE', `--network-proxy ${quote(value)} is not a profile`, {
    actions: ['use --network-proxy squid (the default) or --network-proxy restricted'],
  });
}

/** --allow-domain values; refused with restricted, which has no network to allow anything on. */
export function allowDomains(args: ParsedArgs): string[] {
  const values = stringsFlag(args, 'allow-domain');
  if (values.length > 0 && stringFlag(args, 'network-proxy') === 'restricted') {
    throw new ContainaiError('USAGE', '--allow-domain has no effect with --network-proxy restricted', {
      actions: ['drop --network-proxy restricted (squid is the default), or drop --allow-domain'],
    });
  }
  return values;
}
