// The records the forwarder ships, one JSON object per line:
// - `proxy`: one Squid access-log line, its percent-encoded fields decoded;
// - `session`: a lifecycle event the launcher sent (start, egress check, end);
// - `forwarder`: the forwarder's own reports (unreadable input, summary).
import { percentDecode } from './percent-decode.js';

export type LogRecord = Record<string, unknown> & { type: string; session: string; time: string };

/** Fields Squid writes with %# (proxy/squid-conf/access-log.ts). */
const ENCODED_FIELDS = ['method', 'host', 'url', 'user_agent'] as const;

/**
 * One access-log line as a record, or a `forwarder` record saying why the
 * line could not be read. Never throws: a log line is untrusted input.
 */
export function proxyRecord(line: string, session: string, now: () => Date): LogRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return forwarderRecord(session, now, 'unparsable-proxy-line', { line: line.slice(0, 4096) });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return forwarderRecord(session, now, 'unparsable-proxy-line', { line: line.slice(0, 4096) });
  }
  const record: Record<string, unknown> = { ...(parsed as Record<string, unknown>) };
  for (const field of ENCODED_FIELDS) {
    const value = record[field];
    if (typeof value !== 'string' || value === '-') continue;
    const decoded = percentDecode(value);
    record[field] = decoded.text;
    if (!decoded.lossless) record[`${field}_encoded`] = value;
  }
  return {
    ...record,
    type: 'proxy',
    session,
    time: typeof record.time === 'string' ? record.time : now().toISOString(),
  };
}

/** A lifecycle event line from the launcher. */
export function sessionRecord(line: string, session: string, now: () => Date): LogRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return forwarderRecord(session, now, 'unparsable-event', { line: line.slice(0, 4096) });
  }
  const event = parsed as Record<string, unknown>;
  return {
    ...event,
    type: 'session',
    session,
    time: typeof event.time === 'string' ? event.time : now().toISOString(),
  };
}

export function forwarderRecord(
  session: string,
  now: () => Date,
  event: string,
  details: Record<string, unknown> = {},
): LogRecord {
  return { ...details, type: 'forwarder', session, time: now().toISOString(), event };
}
