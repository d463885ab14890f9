// Append-only, hash-chained audit log: one JSON line per broker decision.
//
// Each line carries the hash of the line before it and its own hash over
// (previous hash, its fields), so editing, deleting or reordering a line
// breaks the chain at that line. Deleting lines from the end leaves a valid
// prefix; `audit.head` (last seq and hash) lets verify notice that too. Both
// files belong to the user, so this detects tampering, it cannot prevent it.
//
// The entry type has no field for a secret value: callers can only record
// names, session ids, codes and our own messages.
import { closeSync, existsSync, fstatSync, fchmodSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ContainaiError } from './errors.js';
import { sha256Hex } from './crypto.js';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditEvent =
  'broker-start' | 'broker-stop' | 'open' | 'issue' | 'redeem' | 'deny' | 'revoke' | 'renew' | 'note';

export interface AuditFields {
  event: AuditEvent;
  session?: string;
  agent?: string;
  capability?: string;
  code?: string;
  detail?: string;
}

export interface AuditEntry extends AuditFields {
  seq: number;
  ts: string;
  prev: string;
  hash: string;
}

export type AuditVerdict = { ok: true; entries: number } | { ok: false; line: number; reason: string };

function entryHash(body: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(JSON.stringify(body));
}

export class AuditLog {
  private seq: number;
  private prev: string;

  private constructor(
    private readonly fd: number,
    private readonly headFd: number,
    last: { seq: number; hash: string },
    private readonly clock: () => number,
  ) {
    this.seq = last.seq;
    this.prev = last.hash;
  }

  /** Opens (creating 0600) and continues the chain; refuses a log whose chain is already broken. */
  static open(path: string, clock: () => number = Date.now): AuditLog {
    const verdict = verifyAuditLog(path);
    if (!verdict.ok) {
      throw new ContainaiError(
        'AUDIT_BROKEN',
        `the audit log ${path} is broken at line ${verdict.line}: ${verdict.reason}`,
        {
          actions: [`move ${path} aside (keep it as evidence), then start the broker again`],
        },
      );
    }
    const last = lastEntry(path);
    const fd = openSync(path, 'a', 0o600);
    const headFd = openSync(`${path}.head`, existsSync(`${path}.head`) ? 'r+' : 'w+', 0o600);
    // A pre-existing file keeps its mode on open; the log names sessions, so tighten it.
    if ((fstatSync(fd).mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
    if ((fstatSync(headFd).mode & 0o777) !== 0o600) fchmodSync(headFd, 0o600);
    return new AuditLog(fd, headFd, last, clock);
  }

  append(fields: AuditFields): AuditEntry {
    const body = { seq: this.seq + 1, ts: new Date(this.clock()).toISOString(), ...fields, prev: this.prev };
    const entry: AuditEntry = { ...body, hash: entryHash(body) };
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    // Fixed width, written in place: one syscall, never a half-old head.
    writeSync(this.headFd, `${String(entry.seq).padStart(16, '0')} ${entry.hash}\n`, 0);
    this.seq = entry.seq;
    this.prev = entry.hash;
    return entry;
  }

  close(): void {
    closeSync(this.fd);
    closeSync(this.headFd);
  }
}

function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  if (text === '') return [];
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : [...text.split('\n'), ''];
}

function lastEntry(path: string): { seq: number; hash: string } {
  const lines = readLines(path);
  const last = lines.at(-1);
  if (last === undefined) return { seq: 0, hash: GENESIS_HASH };
  const entry = JSON.parse(last) as AuditEntry;
  return { seq: entry.seq, hash: entry.hash };
}

/** Checks every line's hash, its link to the line before, its sequence number, and the head file. */
export function verifyAuditLog(path: string): AuditVerdict {
  const lines = readLines(path);
  let prev = GENESIS_HASH;
  for (const [index, line] of lines.entries()) {
    const lineNo = index + 1;
    let entry: AuditEntry;
    try {
      entry = JSON.parse(line) as AuditEntry;
    } catch {
      return { ok: false, line: lineNo, reason: 'not a JSON line (truncated or edited)' };
    }
    if (typeof entry !== 'object' || entry === null)
      return { ok: false, line: lineNo, reason: 'not an entry' };
    const { hash, ...body } = entry;
    if (entry.prev !== prev)
      return { ok: false, line: lineNo, reason: 'does not follow the line before (deleted or reordered)' };
    if (entry.seq !== lineNo)
      return {
        ok: false,
        line: lineNo,
        reason: `sequence ${String(entry.seq)} where ${lineNo} was expected`,
      };
    if (hash !== entryHash(body))
      return { ok: false, line: lineNo, reason: 'its content does not match its hash (edited)' };
    prev = hash;
  }
  const head = existsSync(`${path}.head`) ? readFileSync(`${path}.head`, 'utf8').trim() : '';
  if (head !== '') {
    const [seqText, hash] = head.split(' ');
    if (Number(seqText) !== lines.length || hash !== prev) {
      return {
        ok: false,
        line: lines.length,
        reason: `the log ends before entry ${Number(seqText)} it recorded (lines removed from the end)`,
      };
    }
  } else if (lines.length > 0) {
    return { ok: false, line: lines.length, reason: 'the head file is missing' };
  }
  return { ok: true, entries: lines.length };
}
