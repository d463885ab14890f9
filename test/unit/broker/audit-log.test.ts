import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditLog } from '../../../broker/audit-log.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function writeLog(entries = 4): string {
  const dir = mkdtempSync(join(tmpdir(), 'containai-audit-'));
  dirs.push(dir);
  const path = join(dir, 'audit.log');
  const log = AuditLog.open(path, () => 1_700_000_000_000);
  for (let i = 0; i < entries; i += 1) log.append({ event: 'redeem', session: `s${i}`, capability: 'DEMO' });
  log.close();
  return path;
}

function rewrite(path: string, edit: (lines: string[]) => string[]): void {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  writeFileSync(path, `${edit(lines).join('\n')}\n`);
}

describe('audit log', () => {
  it('verifies a clean log, created 0600, and continues the chain across reopen', () => {
    const path = writeLog();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(`${path}.head`).mode & 0o777).toBe(0o600);
    expect(verifyAuditLog(path)).toEqual({ ok: true, entries: 4 });
    const log = AuditLog.open(path);
    log.append({ event: 'revoke', session: 's0' });
    log.close();
    expect(verifyAuditLog(path)).toEqual({ ok: true, entries: 5 });
  });

  it('detects an edited line', () => {
    const path = writeLog();
    rewrite(path, (lines) => lines.map((l, i) => (i === 1 ? l.replace('"redeem"', '"deny"') : l)));
    expect(verifyAuditLog(path)).toMatchObject({
      ok: false,
      line: 2,
      reason: expect.stringContaining('edited'),
    });
  });

  it('detects a deleted line', () => {
    const path = writeLog();
    rewrite(path, (lines) => lines.filter((_, i) => i !== 1));
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 2 });
  });

  it('detects reordered lines', () => {
    const path = writeLog();
    rewrite(path, (lines) => [lines[0]!, lines[2]!, lines[1]!, lines[3]!]);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 2 });
  });

  it('detects lines removed from the end', () => {
    const path = writeLog();
    rewrite(path, (lines) => lines.slice(0, 2));
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, reason: expect.stringContaining('end') });
  });

  it('refuses to append to a broken log', () => {
    const path = writeLog();
    rewrite(path, (lines) => lines.slice(1));
    expect(() => AuditLog.open(path)).toThrow(expect.objectContaining({ code: 'AUDIT_BROKEN' }));
  });

  it('tightens a pre-existing log to 0600', () => {
    const path = writeLog(0);
    writeFileSync(path, '', { mode: 0o644 });
    AuditLog.open(path).close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
