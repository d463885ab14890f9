// The one error type of containai. It lives in broker/ because broker/ holds
// the code that launchers, the broker daemon and the in-container stub share.
//
// Every failure a user can hit is a ContainaiError with a stable `code`; the
// CLI maps the code to an exit status (table below, documented in
// docs/troubleshooting.md), the broker to `{ ok: false, code, message }`.

export const ERROR_CATALOGUE = {
  USAGE: { exit: 64, summary: 'invalid command-line usage' },
  NAME_INVALID: { exit: 65, summary: 'a name (branch, repository, session) is not acceptable' },
  REPO_NOT_GIT: { exit: 66, summary: 'the path is not inside a git repository' },
  REPO_DIRTY: { exit: 67, summary: 'the repository has uncommitted changes' },
  DOCKER_NO_SOCKET: { exit: 68, summary: 'no Docker engine socket at the configured address' },
  DOCKER_DOWN: { exit: 69, summary: 'the Docker engine is not accepting connections' },
  DOCKER_PERMISSION: { exit: 70, summary: 'permission denied on the Docker engine socket' },
  DOCKER_API_TOO_OLD: { exit: 71, summary: 'the Docker engine is too old' },
  DOCKER_UNRESPONSIVE: { exit: 72, summary: 'the Docker engine did not answer in time' },
  DOCKER_ERROR: { exit: 73, summary: 'the Docker engine refused a request' },
  IMAGE_BUILD_FAILED: { exit: 74, summary: 'an image build failed' },
  BASE_IMAGE_UNAVAILABLE: { exit: 75, summary: 'no Debian base image could be found, pulled or built' },
  SESSION_SETUP_FAILED: { exit: 76, summary: 'the session container could not be prepared' },
  NOT_IMPLEMENTED: { exit: 77, summary: 'this command is not implemented yet' },
  CONFIG_INVALID: { exit: 78, summary: 'a configuration value is invalid' },
  INTERNAL: { exit: 79, summary: 'an unexpected internal error' },
  BROKER_UNAVAILABLE: { exit: 80, summary: 'the secret broker is not running or did not answer' },
  BROKER_BAD_REQUEST: { exit: 81, summary: 'a broker request was malformed, oversized or timed out' },
  BROKER_RUNNING: { exit: 82, summary: 'another broker already runs for this user' },
  SECRET_NOT_FOUND: { exit: 83, summary: 'no secret store holds a secret of that name' },
  SECRET_STORE_INSECURE: { exit: 84, summary: 'the secrets file or its directory is readable by others' },
  SECRET_STORE_READONLY: {
    exit: 85,
    summary: 'the backend holding that secret cannot be changed by containai',
  },
  SESSION_UNKNOWN: {
    exit: 86,
    summary: 'the broker does not know that session (ended, or broker restarted)',
  },
  CAP_REVOKED: { exit: 87, summary: 'the session was revoked' },
  CAP_EXPIRED: { exit: 88, summary: 'the capability or session has expired' },
  CAP_EXHAUSTED: { exit: 89, summary: 'the capability has no uses left' },
  CAP_DENIED: { exit: 90, summary: 'the capability does not belong to this session or socket' },
  CAP_AUTH_FAILED: {
    exit: 91,
    summary: 'the redemption was not authenticated (wrong key, stale or replayed)',
  },
  CAP_TAMPERED: { exit: 92, summary: 'the sealed capability differs from the one the broker issued' },
  MANIFEST_TAMPERED: { exit: 93, summary: 'trusted files differ from the session manifest' },
  AUDIT_BROKEN: { exit: 94, summary: 'the audit log hash chain is broken' },
  ALLOWLIST_INVALID: {
    exit: 96,
    summary: 'a domain given to --allow-domain or the config is not acceptable',
  },
  EGRESS_CHECK_FAILED: { exit: 97, summary: 'the network policy self-check failed; the launch was aborted' },
  PUSH_FAILED: {
    exit: 98,
    summary: 'the session branch could not be imported into the host repository (the bundle is kept)',
  },
  SESSION_NOT_FOUND: { exit: 99, summary: 'no containai session of that name exists' },
  TIMEOUT: { exit: 124, summary: 'the session exceeded --timeout and was stopped' },
  INTERRUPTED: { exit: 130, summary: 'the session was interrupted by a signal and torn down' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorDetails {
  /** Why this probably happened, most likely first. */
  causes?: string[];
  /** What the user can do next, as commands where possible. */
  actions?: string[];
  /** The original error, kept for --debug, never shown as the message. */
  cause?: unknown;
  /** Overrides the catalogue's exit status (e.g. 143 for SIGTERM). */
  exitStatus?: number;
}

export class ContainaiError extends Error {
  override readonly name = 'ContainaiError';
  readonly code: ErrorCode;
  readonly causes: readonly string[];
  readonly actions: readonly string[];
  readonly exitStatus: number;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.causes = details.causes ?? [];
    this.actions = details.actions ?? [];
    this.exitStatus = details.exitStatus ?? ERROR_CATALOGUE[code].exit;
  }

  toJSON(): ErrorReport {
    return {
      ok: false,
      code: this.code,
      exitStatus: this.exitStatus,
      message: this.message,
      causes: [...this.causes],
      actions: [...this.actions],
    };
  }
}

export interface ErrorReport {
  ok: false;
  code: ErrorCode;
  exitStatus: number;
  message: string;
  causes: string[];
  actions: string[];
}

/** Wraps anything thrown into a ContainaiError, keeping the original as `cause`. */
export function asContainaiError(err: unknown): ContainaiError {
  if (err instanceof ContainaiError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new ContainaiError('INTERNAL', `unexpected error: ${detail}`, {
    causes: ['a bug in containai'],
    actions: ['rerun with CONTAINAI_DEBUG=1 and report the output'],
    cause: err,
  });
}

/** Human-readable rendering for stderr: message, then causes and actions. */
export function formatError(err: ContainaiError): string {
  const lines = [`containai: error ${err.code}: ${err.message}`];
  for (const cause of err.causes) lines.push(`  likely cause: ${cause}`);
  for (const action of err.actions) lines.push(`  to fix: ${action}`);
  return lines.join('\n');
}

/**
 * Renders an untrusted value for an error message: quoted, with control
 * characters escaped, so a newline or escape sequence in a branch name cannot
 * forge extra lines in the user's terminal. Long values are shortened.
 */
export function quote(value: string, max = 80): string {
  const shown = value.length > max ? `${value.slice(0, max)}…(${value.length} chars)` : value;
  // JSON.stringify escapes C0 controls; DEL and the C1 controls (U+0080–U+009F,
  // which some terminals treat as escape sequences) need doing by hand.
  return JSON.stringify(shown).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Escapes control characters in free text (no quotes added). */
export function escapeControls(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
