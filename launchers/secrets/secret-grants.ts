// `--secret NAME[=ENVVAR]`: grants the session an agent-scoped capability for
// a stored secret, delivered to the agent process as ENVVAR (default NAME).
import { assertSecretName } from '../../broker/secret-name.js';
import { ContainaiError, quote } from '../../broker/errors.js';

export interface SecretGrant {
  /** The stored secret's name (and the capability's). */
  secret: string;
  /** The environment variable the agent process receives it as. */
  env: string;
}

/**
 * Variables that change how the agent's processes start or where traffic
 * goes: a secret value there would break the session rather than help it,
 * and the proxy settings are the network policy's.
 */
const RESERVED_ENV =
  /^(PATH|HOME|USER|LOGNAME|SHELL|PWD|TERM|LANG|LC_.*|LD_.*|BASH_ENV|ENV|IFS|PS4|NODE_OPTIONS|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|CONTAINAI_.*)$/;

export function parseSecretGrant(spec: string): SecretGrant {
  const eq = spec.indexOf('=');
  const secret = eq < 0 ? spec : spec.slice(0, eq);
  const env = eq < 0 ? spec : spec.slice(eq + 1);
  assertSecretName(secret);
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(env)) {
    throw new ContainaiError(
      'USAGE',
      `--secret ${quote(spec)}: ${quote(env)} is not an environment variable name`,
      {
        actions: ['use --secret NAME or --secret NAME=ENV_VAR, e.g. --secret OPENAI_KEY=OPENAI_API_KEY'],
      },
    );
  }
  if (RESERVED_ENV.test(env)) {
    throw new ContainaiError(
      'USAGE',
      `--secret ${quote(spec)}: ${env} is reserved and cannot carry a secret`,
      {
        actions: ['choose another variable name: --secret NAME=MY_VAR'],
      },
    );
  }
  return { secret, env };
}

/** Parses every --secret; a variable may be granted only once. */
export function parseSecretGrants(specs: readonly string[]): SecretGrant[] {
  const grants = specs.map(parseSecretGrant);
  const seen = new Set<string>();
  for (const g of grants) {
    if (seen.has(g.env)) throw new ContainaiError('USAGE', `--secret: ${g.env} is granted twice`);
    seen.add(g.env);
  }
  return grants;
}

/**
 * What a session is granted: the agent CLI's own credentials (required; a
 * missing one stops the launch before any container starts) plus the user's
 * --secret grants. A --secret for the same variable replaces the default.
 */
export function sessionGrants(
  credentials: readonly SecretGrant[],
  userGrants: readonly SecretGrant[],
): SecretGrant[] {
  const overridden = new Set(userGrants.map((g) => g.env));
  return [...credentials.filter((c) => !overridden.has(c.env)), ...userGrants];
}
