// The access log as JSON lines. Squid has no JSON encoder, so each value is
// either a number Squid always prints as digits, a token Squid generates, or a
// client-controlled string printed with the `%#` (RFC 1738 percent-encoding)
// modifier. Tested in Squid 5.7: `%"` (quoted-string) escapes only quote,
// backslash, CR, LF and TAB and passes other control bytes through raw, which
// is invalid JSON; `%#` turns every byte outside printable ASCII, and `"`,
// `\` and `%`, into %XX, so the line is always ASCII JSON.
// Consumers percent-decode method/host/url/user_agent (bytes, maybe not UTF-8).

import type { ResolvedSquidConfOptions } from './options.js';

export const ACCESS_LOG_FORMAT_NAME = 'containai_json';

/** Fields of one line, as a reader sees them after JSON.parse. */
export interface ProxyAccessLogLine {
  type: 'proxy';
  session: string;
  /** ISO 8601 UTC with milliseconds. */
  time: string;
  client: string;
  /** Percent-encoded. */
  method: string;
  /** Percent-encoded; '-' when the request could not be parsed. */
  host: string;
  /** '-' when unknown. */
  port: string;
  /** Percent-encoded; query strings stripped; 'error:…' for unparsable requests. */
  url: string;
  /** HTTP status sent to the client; 0 when none was sent. */
  status: number;
  /** Squid result code, e.g. TCP_DENIED, TCP_MISS, TCP_TUNNEL. */
  result: string;
  /** Address Squid connected to, '-' when none. */
  server: string;
  bytes_sent: number;
  bytes_received: number;
  duration_ms: number;
  /** Percent-encoded. */
  user_agent: string;
  /** Squid error page served (e.g. ERR_CONTAINAI_DOMAIN), '-' when none. */
  error: string;
}

// [JSON key, Squid format code, whether the value is a bare JSON number]
const FIELDS: readonly (readonly [keyof ProxyAccessLogLine, string, boolean?])[] = [
  ['time', '%{%Y-%m-%dT%H:%M:%S}tg.%03tuZ'],
  ['client', '%>a'],
  ['method', '%#rm'],
  ['host', '%#>rd'],
  ['port', '%>rP'],
  ['url', '%#ru'],
  ['status', '%>Hs', true],
  ['result', '%Ss'],
  ['server', '%<a'],
  ['bytes_sent', '%<st', true],
  ['bytes_received', '%>st', true],
  ['duration_ms', '%tr', true],
  ['user_agent', '%#{User-Agent}>h'],
  ['error', '%err_code'],
];

export function renderAccessLog(opts: ResolvedSquidConfOptions): string[] {
  // The session id is a literal: options.ts allows only [A-Za-z0-9_.-].
  const parts = [`"type":"proxy"`, `"session":"${opts.sessionId}"`];
  for (const [key, code, numeric] of FIELDS) parts.push(numeric ? `"${key}":${code}` : `"${key}":"${code}"`);
  return [
    `logformat ${ACCESS_LOG_FORMAT_NAME} {${parts.join(',')}}`,
    // stdio: written by Squid itself, no log_file_daemon helper process.
    `access_log stdio:${opts.paths.accessLog} logformat=${ACCESS_LOG_FORMAT_NAME}`,
    // Unbuffered, so the forwarder and the self-check see lines immediately.
    'buffered_logs off',
    'logfile_rotate 0',
  ];
}
