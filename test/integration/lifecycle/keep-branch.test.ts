// remove-agent --keep-branch: the session's branch survives as a git bundle
// under the state dir — instead of the import with --no-push (the host
// repository stays byte-identical), or beside it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { leftovers, runCli, useTestEnv } from '../helpers/cli.js';
import { git, makeRepo } from '../helpers/git-repo.js';
import { refs, treeHashes } from './helpers.js';

async function launchWithCommit(t: ReturnType<typeof useTestEnv>, repo: string): Promise<string> {
  const launched = await runCli('launch-agent', ['shell', repo, '--network-proxy', 'restricted', '--json'], {
    env: t.env,
  });
  expect(launched.status, launched.stderr).toBe(0);
  const name = (JSON.parse(launched.stdout) as { name: string }).name;
  execFileSync('docker', [
    'exec',
    '-u',
    'agent',
    '-w',
    '/workspace',
    name,
    'git',
    'commit',
    '-q',
    '--allow-empty',
    '-m',
    'kept work',
  ]);
  return name;
}

function bundlePath(stderr: string): string {
  const match = / as (\S+\.bundle) /.exec(stderr) ?? /kept the session branch as (\S+\.bundle)/.exec(stderr);
  expect(match, stderr).toBeTruthy();
  return match![1]!;
}

describe('remove-agent --keep-branch', () => {
  it('with --no-push keeps the branch as a bundle and leaves the repository byte-identical', async () => {
    const t = useTestEnv({ CONTAINAI_KEYRING: '0' });
    const repo = makeRepo(`keep-${t.runId}`);
    const name = await launchWithCommit(t, repo);
    const before = { refs: refs(repo), tree: treeHashes(repo) };
    const removed = await runCli('remove-agent', [name, '--no-push', '--keep-branch'], { env: t.env });
    expect(removed.status, removed.stderr).toBe(0);
    expect({ refs: refs(repo), tree: treeHashes(repo) }).toEqual(before);
    const bundle = bundlePath(removed.stderr);
    expect(bundle.startsWith(t.home)).toBe(true);
    const heads = execFileSync('git', ['bundle', 'list-heads', bundle], { encoding: 'utf8' });
    expect(heads.trim()).toMatch(/^[0-9a-f]{40} refs\/heads\/shell\/session-1$/);
    // The work is there, and can be imported later by hand.
    git(repo, 'fetch', '-q', bundle, 'shell/session-1:review');
    expect(git(repo, 'log', '-1', '--format=%s', 'review').trim()).toBe('kept work');
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('without --no-push imports the branch and keeps the bundle too', async () => {
    const t = useTestEnv({ CONTAINAI_KEYRING: '0' });
    const repo = makeRepo(`keep2-${t.runId}`);
    const name = await launchWithCommit(t, repo);
    const removed = await runCli('remove-agent', [name, '--keep-branch', '--json'], { env: t.env });
    expect(removed.status, removed.stderr).toBe(0);
    expect(git(repo, 'log', '-1', '--format=%s', 'shell/session-1').trim()).toBe('kept work');
    const result = JSON.parse(removed.stdout) as { push: { kind: string; bundle?: string } };
    expect(result.push.kind).toBe('imported');
    expect(existsSync(result.push.bundle ?? '')).toBe(true);
  });
});
