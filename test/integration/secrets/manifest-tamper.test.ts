// Threat: a trusted file (launcher, broker, stub, Dockerfile) was changed,
// so the code about to handle secrets is not the code that was built and
// reviewed. The launch stops before the broker is asked for anything.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ROOT, useTestEnv, type CliResult } from '../helpers/cli.js';
import { git } from '../helpers/git-repo.js';

/** A copy of this installation (node_modules linked), optionally as a clean git checkout. */
function copyInstall(asCheckout: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'containai-install-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const part of [
    'package.json',
    'package-lock.json',
    '.gitignore',
    'dist',
    'images',
    'proxy',
    'scripts',
    'launchers',
    'broker',
    'mcp-stub',
  ]) {
    if (existsSync(join(ROOT, part))) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  if (asCheckout) {
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'install');
  }
  return dir;
}

function runFrom(install: string, args: string[], env: NodeJS.ProcessEnv): CliResult {
  try {
    const stdout = execFileSync(
      process.execPath,
      [join(install, 'dist/launchers/bin/run-shell.js'), ...args],
      {
        env,
        cwd: tmpdir(),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return { status: 0, signal: null, stdout, stderr: '', stdoutBytes: Buffer.from(stdout) };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return {
      status: e.status,
      signal: null,
      stdout: e.stdout,
      stderr: e.stderr,
      stdoutBytes: Buffer.from(e.stdout),
    };
  }
}

function auditEvents(home: string): string[] {
  const path = join(home, 'state', 'audit.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { event: string }).event);
}

describe('a tampered install is refused before the broker is contacted', () => {
  it.each([
    ['git checkout, source edited after commit', true, 'launchers/session/names.ts'],
    ['git checkout, stub bundle edited after build', true, 'dist/bundles/mcp-stub.js'],
    ['package install, launcher edited after build', false, 'dist/launchers/session/names.js'],
  ])('%s', (_label, asCheckout, file) => {
    const install = copyInstall(asCheckout);
    const t = useTestEnv({ CONTAINAI_KEYRING: '0', CONTAINAI_SECRET_DEMO: 'demo-value' });
    // The developer override must not leak in from the environment running the tests.
    const env: NodeJS.ProcessEnv = { ...t.env };
    delete env.CONTAINAI_ALLOW_TAMPERED;

    // Untouched, it launches.
    const untouched = runFrom(install, ['--secret', 'DEMO', '--prompt', 'true'], env);
    expect(untouched.status, untouched.stderr).toBe(0);
    const before = auditEvents(t.home);

    appendFileSync(join(install, file), '\n// tampered\n');
    const refused = runFrom(install, ['--secret', 'DEMO', '--prompt', 'true'], env);
    expect(refused.stderr).toContain('error MANIFEST_TAMPERED:');
    expect(refused.stderr).toContain(file);
    expect(refused.status).toBe(93);
    // Nothing reached the broker: no new audit line at all.
    expect(auditEvents(t.home)).toEqual(before);

    // The override runs, and says so in the audit log.
    const overridden = runFrom(
      install,
      ['--allow-tampered', '--secret', 'DEMO', '--prompt', 'echo ran'],
      env,
    );
    expect(overridden.status).toBe(0);
    expect(overridden.stdout).toBe('ran\n');
    const after = readFileSync(join(t.home, 'state', 'audit.log'), 'utf8');
    expect(after).toContain('tamper-override');
    expect(after).toContain(file);
  });
});
