// Reading a session's JSON-lines log: all of it, or following it until the
// log forwarder's final summary (the session has ended), and one-line human
// renderings of each record. Records are untrusted text (a User-Agent is the
// agent's choice): control characters are escaped before they reach a terminal.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { escapeControls } from '../../broker/errors.js';

export function readLog(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** Prints lines as they are appended; returns after the forwarder's summary record. */
export async function followLog(
  path: string,
  onLine: (line: string) => void,
  opts: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  let offset = 0;
  let partial = '';
  while (!opts.signal?.aborted) {
    let size = 0;
    try {
      size = statSync(path).size;
    } catch {
      size = 0; // not created yet
    }
    if (size > offset) {
      const fd = openSync(path, 'r');
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      closeSync(fd);
      offset = size;
      const lines = (partial + buf.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        onLine(line);
        if (isSummary(line)) return;
      }
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}

function isSummary(line: string): boolean {
  try {
    const r = JSON.parse(line) as Record<string, unknown>;
    return r.type === 'forwarder' && r.event === 'summary';
  } catch {
    return false;
  }
}

export function formatLogRecord(line: string): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `(unreadable) ${escapeControls(line)}`;
  }
  const s = (v: unknown): string => escapeControls(typeof v === 'string' ? v : JSON.stringify(v ?? '-'));
  const time = s(r.time);
  if (r.type === 'proxy') {
    const error = r.error && r.error !== '-' ? ` ${s(r.error)}` : '';
    return `${time} proxy ${s(r.status)} ${s(r.result)} ${s(r.method)} ${s(r.url)}${error} ua=${s(r.user_agent)}`;
  }
  const { type, event, time: _t, session: _s, ...rest } = r;
  return `${time} ${s(type)} ${s(event)} ${escapeControls(JSON.stringify(rest))}`;
}
