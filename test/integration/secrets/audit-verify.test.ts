// Threat: someone covers their tracks by editing, deleting or reordering
// audit lines. `containai audit verify` must notice each.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, useTestEnv, type TestEnv } from '../helpers/cli.js';

async function sessionWithAudit(): Promise<{ t: TestEnv; log: string; lines: string[] }> {
  const t = useTestEnv({ CONTAINAI_KEYRING: '0', CONTAINAI_SECRET_DEMO: 'audit-demo' });
  const run = await runCli('run-shell', ['--secret', 'DEMO', '--prompt', 'test -n "$DEMO"'], { env: t.env });
  expect(run.status).toBe(0);
  const log = join(t.home, 'state', 'audit.log');
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(4);
  return { t, log, lines };
}

describe('containai audit verify', () => {
  it('passes on the log a real session wrote, which holds names and decisions only', async () => {
    const { t, lines } = await sessionWithAudit();
    const events = lines.map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events).toEqual(expect.arrayContaining(['open', 'issue', 'redeem', 'revoke']));
    expect(lines.join('\n')).not.toContain('audit-demo');
    const verified = await runCli('containai', ['audit', 'verify', '--json'], { env: t.env });
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, entries: lines.length });
  });

  it.each([
    [
      'an edited line',
      (lines: string[]) =>
        lines.map((l, i) => {
          if (i !== 1) return l;
          const entry = JSON.parse(l) as { event: string };
          return JSON.stringify({ ...entry, event: entry.event === 'deny' ? 'redeem' : 'deny' });
        }),
    ],
    ['a deleted line', (lines: string[]) => lines.filter((_, i) => i !== 1)],
    ['reordered lines', (lines: string[]) => [lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)]],
    ['a deleted last line', (lines: string[]) => lines.slice(0, -1)],
  ])('fails on %s with AUDIT_BROKEN', async (_label, mutate) => {
    const { t, log, lines } = await sessionWithAudit();
    writeFileSync(log, `${mutate(lines).join('\n')}\n`);
    const verified = await runCli('containai', ['audit', 'verify'], { env: t.env });
    expect(verified.stderr).toContain('error AUDIT_BROKEN:');
    expect(verified.status).toBe(94);
  });
});
