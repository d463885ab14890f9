// Threat model: the agent inside the container is untrusted. At the end of a
// session the launcher imports its branch into the user's repository; a
// compromised agent controls everything in /workspace (refs, tags, hooks,
// git config) and must still be unable to change anything on the host but
// the one session branch, or to make anything run on the host.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AUTOCOMMIT_MESSAGE, importBundle } from '../../../launchers/git/session-push.js';
import {
  leftovers,
  runCli,
  startCli,
  useTestEnv,
  waitForSessionContainer,
  type TestEnv,
} from '../helpers/cli.js';
import { git, makeRepo } from '../helpers/git-repo.js';
import { refs, treeHashes, userState } from './helpers.js';

const FAST = ['--network-proxy', 'restricted'];

function env(): TestEnv {
  return useTestEnv({ CONTAINAI_ALLOW_TAMPERED: '1' });
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'containai-push-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A hook in the host repository that records whether any git command ran it. */
function plantHostHooks(repo: string, marker: string): void {
  for (const hook of ['reference-transaction', 'post-checkout', 'post-merge', 'pre-receive', 'post-update']) {
    const path = join(repo, '.git', 'hooks', hook);
    writeFileSync(path, `#!/bin/sh\necho ${hook} >> '${marker}'\n`);
    chmodSync(path, 0o755);
  }
}

describe('auto-push at the end of run-*', () => {
  it('imports a commit made inside, plus uncommitted work, as shell/session-1 and touches nothing else', async () => {
    const t = env();
    const repo = makeRepo(`repo-${t.runId}`);
    const marker = join(tempDir(), 'hook-ran');
    plantHostHooks(repo, marker);
    const before = userState(repo);
    const refsBefore = refs(repo);
    const r = await runCli(
      'run-shell',
      [
        ...FAST,
        '--prompt',
        'echo made > inside.txt && git add inside.txt && git commit -qm "made inside" && echo later > pending.txt',
      ],
      { env: t.env, cwd: repo },
    );
    expect(r.stderr).toContain('imported');
    expect(r.status, r.stderr).toBe(0);
    const after = refs(repo);
    expect(Object.keys(after).sort()).toEqual(
      [...Object.keys(refsBefore), 'refs/heads/shell/session-1'].sort(),
    );
    expect(after['refs/heads/main']).toBe(refsBefore['refs/heads/main']);
    expect(git(repo, 'log', '--format=%s', 'shell/session-1').trim().split('\n')).toEqual([
      AUTOCOMMIT_MESSAGE,
      'made inside',
      'initial',
    ]);
    expect(git(repo, 'show', 'shell/session-1:pending.txt')).toBe('later\n');
    expect(userState(repo)).toEqual(before);
    expect(existsSync(join(repo, '.git', 'FETCH_HEAD'))).toBe(false);
    expect(existsSync(marker)).toBe(false);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('--no-push leaves the host repository byte-identical', async () => {
    const t = env();
    const repo = makeRepo(`repo-${t.runId}`);
    const before = treeHashes(repo);
    const refsBefore = git(repo, 'for-each-ref');
    const r = await runCli(
      'run-shell',
      [...FAST, '--no-push', '--prompt', 'echo x > y && git add y && git commit -qm inside && echo z > w'],
      { env: t.env, cwd: repo },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(treeHashes(repo)).toEqual(before);
    expect(git(repo, 'for-each-ref')).toBe(refsBefore);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('numbers sessions by the branches in the host repository: session-1, then session-2', async () => {
    const t = env();
    const repo = makeRepo(`repo-${t.runId}`);
    for (const _ of [1, 2]) {
      const r = await runCli('run-shell', [...FAST, '--prompt', 'git commit -q --allow-empty -m "work"'], {
        env: t.env,
        cwd: repo,
      });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(Object.keys(refs(repo)).sort()).toEqual([
      'refs/heads/main',
      'refs/heads/shell/session-1',
      'refs/heads/shell/session-2',
    ]);
  });

  it('a session with no new commits imports nothing', async () => {
    const t = env();
    const repo = makeRepo(`repo-${t.runId}`);
    const before = git(repo, 'for-each-ref');
    const r = await runCli('run-shell', [...FAST, '--prompt', 'true'], { env: t.env, cwd: repo });
    expect(r.status, r.stderr).toBe(0);
    // No news: a session without commits says nothing about importing.
    expect(r.stderr).not.toContain('imported');
    expect(git(repo, 'for-each-ref')).toBe(before);
  });

  it('imports to {branch}-{timestamp} when the host branch moved during the session', async () => {
    const t = env();
    const repo = makeRepo(`repo-${t.runId}`);
    git(repo, 'branch', 'shell/feature');
    const { done } = startCli(
      'run-shell',
      [
        ...FAST,
        '--branch',
        'feature',
        '--prompt',
        'git commit -q --allow-empty -m "session work" && touch /tmp/ready && sleep 4',
      ],
      { env: t.env, cwd: repo },
    );
    const id = await waitForSessionContainer(t);
    for (let i = 0; i < 200; i++) {
      if (
        (await t.engine.execCapture(id, { cmd: ['test', '-e', '/tmp/ready'], user: 'agent' })).exitCode === 0
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The user commits on the same branch meanwhile (without checking it out).
    const tree = git(repo, 'rev-parse', 'shell/feature^{tree}').trim();
    const moved = git(repo, 'commit-tree', tree, '-p', 'shell/feature', '-m', 'host work').trim();
    git(repo, 'update-ref', 'refs/heads/shell/feature', moved);
    const r = await done;
    expect(r.status, r.stderr).toBe(0);
    const after = refs(repo);
    expect(after['refs/heads/shell/feature']).toBe(moved);
    const redirected = Object.keys(after).filter((ref) =>
      /^refs\/heads\/shell\/feature-\d{8}-\d{6}$/.test(ref),
    );
    expect(redirected).toHaveLength(1);
    expect(git(repo, 'log', '-1', '--format=%s', redirected[0]!).trim()).toBe('session work');
    expect(r.stderr).toContain(redirected[0]!.slice('refs/heads/'.length));
  });

  it('--use-current-branch never moves the checked-out branch: the work lands beside it', async () => {
    const t = env();
    const repo = makeRepo(`repo-${t.runId}`);
    const before = userState(repo);
    const main = refs(repo)['refs/heads/main'];
    const r = await runCli(
      'run-shell',
      [
        ...FAST,
        '--use-current-branch',
        '--prompt',
        'test "$(git branch --show-current)" = main && git commit -q --allow-empty -m on-main',
      ],
      { env: t.env, cwd: repo },
    );
    expect(r.status, r.stderr).toBe(0);
    const after = refs(repo);
    expect(after['refs/heads/main']).toBe(main);
    const beside = Object.keys(after).filter((ref) => /^refs\/heads\/main-\d{8}-\d{6}$/.test(ref));
    expect(beside).toHaveLength(1);
    expect(userState(repo)).toEqual(before);
  });

  it('--use-current-branch is refused on a detached HEAD and together with --branch', async () => {
    const t = env();
    const repo = makeRepo(`repo-${t.runId}`);
    const both = await runCli(
      'run-shell',
      [...FAST, '--use-current-branch', '--branch', 'x', '--prompt', 'true'],
      {
        env: t.env,
        cwd: repo,
      },
    );
    expect(both.status).toBe(64);
    expect(both.stderr).toContain('cannot be combined');
    git(repo, 'checkout', '-q', '--detach');
    const detached = await runCli('run-shell', [...FAST, '--use-current-branch', '--prompt', 'true'], {
      env: t.env,
      cwd: repo,
    });
    expect(detached.status).toBe(64);
    expect(detached.stderr).toContain('detached HEAD');
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });
});

describe('hostile session contents', () => {
  it('refs, tags, hooks and git config planted inside change nothing on the host but the session branch', async () => {
    const t = env();
    const repo = makeRepo(`repo-${t.runId}`);
    const marker = join(tempDir(), 'hook-ran');
    plantHostHooks(repo, marker);
    const before = userState(repo);
    const refsBefore = refs(repo);
    // Inside: rewrite main, add tags and odd refs, plant hooks and config that
    // would run code if any git on the host honoured them.
    const attack = [
      'set -e',
      'for h in reference-transaction post-checkout post-merge post-commit pre-commit pre-push post-receive; do',
      `  printf '#!/bin/sh\\necho pwned > /tmp/pwned-host\\n' > .git/hooks/$h; chmod +x .git/hooks/$h`,
      'done',
      'git config core.hooksPath .git/hooks',
      'git config core.fsmonitor "touch /tmp/pwned-fsmonitor"',
      'evil=$(git commit-tree -m evil "HEAD^{tree}")',
      'git update-ref refs/heads/main "$evil"',
      'git tag -f v-evil "$evil"',
      'git update-ref refs/remotes/origin/main "$evil"',
      'git update-ref refs/notes/commits "$evil"',
      'mkdir -p hooks && cp .git/hooks/post-checkout hooks/post-checkout && git add hooks',
      'git -c core.hooksPath=/dev/null commit -q -m "session work"',
    ].join('\n');
    const r = await runCli('run-shell', [...FAST, '--prompt', attack], { env: t.env, cwd: repo });
    expect(r.status, r.stderr).toBe(0);
    const after = refs(repo);
    expect(Object.keys(after).sort()).toEqual(
      [...Object.keys(refsBefore), 'refs/heads/shell/session-1'].sort(),
    );
    expect(after['refs/heads/main']).toBe(refsBefore['refs/heads/main']);
    expect(git(repo, 'log', '--format=%s', 'shell/session-1')).toContain('session work\n');
    expect(git(repo, 'log', '--format=%s', 'shell/session-1')).not.toContain('evil');
    expect(userState(repo)).toEqual(before);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync('/tmp/pwned-host')).toBe(false);
    expect(existsSync('/tmp/pwned-fsmonitor')).toBe(false);
  });

  it('a forged bundle (main, tags, "../../x", duplicate or non-commit session refs) imports only the session branch or nothing', async () => {
    const repo = makeRepo();
    const dir = tempDir();
    const marker = join(dir, 'hook-ran');
    plantHostHooks(repo, marker);
    // The attacker's repository: a session branch and an evil commit.
    const evilRepo = makeRepo('evil');
    git(evilRepo, 'checkout', '-q', '-b', 'shell/session-1');
    git(evilRepo, 'commit', '-q', '--allow-empty', '-m', 'session work');
    const session = git(evilRepo, 'rev-parse', 'HEAD').trim();
    const evil = git(evilRepo, 'commit-tree', '-m', 'evil', 'HEAD^{tree}').trim();
    git(evilRepo, 'update-ref', 'refs/heads/evil', evil);
    const blob = git(evilRepo, 'hash-object', '-w', 'README.md').trim();
    const real = join(dir, 'real.bundle');
    git(evilRepo, 'bundle', 'create', '-q', real, 'refs/heads/shell/session-1', 'refs/heads/evil');
    const bytes = readFileSync(real);
    const pack = bytes.subarray(bytes.indexOf('\n\n') + 2);
    const forge = (lines: string[]): string => {
      const file = join(dir, `forged-${Math.random().toString(36).slice(2)}.bundle`);
      writeFileSync(file, Buffer.concat([Buffer.from(`# v2 git bundle\n${lines.join('\n')}\n\n`), pack]));
      return file;
    };
    const before = userState(repo);
    const refsBefore = refs(repo);

    const hostile = forge([
      `${evil} refs/heads/main`,
      `${evil} ../../x`,
      `${evil} refs/tags/v1`,
      `${evil} HEAD`,
      `${session} refs/heads/shell/session-1`,
    ]);
    const result = await importBundle(repo, hostile, 'shell/session-1', '20250101-000000');
    expect(result).toMatchObject({ kind: 'imported', ref: 'shell/session-1', commit: session });
    expect(refs(repo)).toEqual({ ...refsBefore, 'refs/heads/shell/session-1': session });
    expect(existsSync(join(repo, 'x')) || existsSync(join(repo, '..', 'x'))).toBe(false);

    // Listed twice: refused. Pointing at a blob: refused. Absent: nothing imported.
    const twice = forge([`${session} refs/heads/shell/session-2`, `${evil} refs/heads/shell/session-2`]);
    await expect(importBundle(repo, twice, 'shell/session-2', 'x')).rejects.toThrow(/2 times/);
    const notCommit = forge([`${blob} refs/heads/shell/session-3`]);
    await expect(importBundle(repo, notCommit, 'shell/session-3', 'x')).rejects.toThrow();
    expect(await importBundle(repo, forge([`${evil} refs/heads/main`]), 'shell/session-4', 'x')).toEqual({
      kind: 'no-branch',
    });
    const garbage = join(dir, 'garbage.bundle');
    writeFileSync(garbage, '# v2 git bundle\nnot a ref line\n\nPACKgarbage');
    await expect(importBundle(repo, garbage, 'shell/session-5', 'x')).rejects.toThrow();

    expect(refs(repo)).toEqual({ ...refsBefore, 'refs/heads/shell/session-1': session });
    expect(userState(repo)).toEqual(before);
    expect(existsSync(marker)).toBe(false);
    // The host repository is still sound.
    execFileSync('git', ['-C', repo, 'fsck', '--no-progress'], { stdio: 'pipe' });
  });
});
