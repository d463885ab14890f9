// Threat: branch and repository names built to inject options, traverse
// paths or break out of quoting. They are refused before anything is created,
// or folded into valid session names.
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isValidSessionName } from '../../launchers/session/names.js';
import { leftovers, runCli, useTestEnv } from './helpers/cli.js';
import { git, makeRepo } from './helpers/git-repo.js';

describe('hostile --branch values are refused and nothing is created', () => {
  it.each([
    ['../x'],
    ['-rf'],
    ['with space'],
    ['new\nline'],
    ['$(x)'],
    ['a'.repeat(300)],
    ['a..b'],
    ['x.lock'],
    ['.hidden'],
  ])('%j', async (branch) => {
    const t = useTestEnv();
    const repo = makeRepo();
    const before = git(repo, 'for-each-ref');
    const result = await runCli('run-shell', [repo, `--branch=${branch}`, '--prompt', 'true'], {
      env: t.env,
    });
    expect(result.status).toBe(65);
    expect(result.stderr).toContain('NAME_INVALID');
    expect(result.stderr).toContain('to fix:');
    // The hostile value is quoted and escaped: it cannot forge extra lines.
    expect(result.stderr.split('\n')[0]).toContain('--branch');
    expect(git(repo, 'for-each-ref')).toBe(before);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('accepts a normal --branch and uses {agent}/B', async () => {
    const t = useTestEnv();
    const repo = makeRepo();
    const result = await runCli(
      'run-shell',
      [repo, '--branch', 'fix/login-ü', '--prompt', 'git branch --show-current'],
      {
        env: t.env,
      },
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('shell/fix/login-ü\n');
  });
});

describe('hostile repository directory names become valid session names', () => {
  it.each([
    ['my repo'],
    ['new\nline'],
    ['$(touch x)'],
    ['-rf'],
    ['日本語のリポジトリ'],
    ['r'.repeat(200)],
    ['Ünïcödé Rèpo'],
  ])('%j', async (name) => {
    const t = useTestEnv();
    const repo = makeRepo(name);
    const result = await runCli('run-shell', [repo, '--prompt', 'echo "$CONTAINAI_SESSION"; cat README.md'], {
      env: t.env,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [session, readme] = result.stdout.split('\n');
    expect(isValidSessionName(session ?? '')).toBe(true);
    expect(session).toMatch(/^shell-/);
    expect(readme).toBe('hello');
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });
});

describe('concurrent sessions on one repository', () => {
  it('get distinct branches and names', async () => {
    const t = useTestEnv();
    const repo = makeRepo();
    mkdirSync(`${repo}/sub`);
    const [a, b] = await Promise.all([
      runCli(
        'run-shell',
        [repo, '--prompt', 'sleep 2; echo "$CONTAINAI_SESSION $(git branch --show-current)"'],
        { env: t.env },
      ),
      runCli(
        'run-shell',
        [repo, '--prompt', 'sleep 2; echo "$CONTAINAI_SESSION $(git branch --show-current)"'],
        { env: t.env },
      ),
    ]);
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect(a.stdout).not.toBe(b.stdout);
  });
});
