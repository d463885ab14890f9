// Threat: a prompt-injected agent tries to gain privileges, write outside its
// workspace, or modify the host repository. The container must be locked
// down as ARCHITECTURE.md says, and attempts must fail from inside.
import { describe, expect, it } from 'vitest';
import { leftovers, runCli, startCli, useTestEnv, waitForSessionContainer } from './helpers/cli.js';
import { git, makeRepo } from './helpers/git-repo.js';

describe('agent container hardening', () => {
  it('is created read-only, without capabilities, with limits, as agent, with no network (restricted)', async () => {
    const t = useTestEnv();
    const repo = makeRepo();
    const run = startCli(
      'run-shell',
      [
        repo,
        '--network-proxy',
        'restricted',
        '--memory',
        '768m',
        '--cpus',
        '1.5',
        '--pids',
        '256',
        '--prompt',
        'sleep 60',
      ],
      {
        env: t.env,
      },
    );
    const id = await waitForSessionContainer(t);
    const info = await t.engine.inspectContainer(id);
    run.child.kill('SIGTERM');
    await run.done;

    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.CapAdd ?? []).toEqual([]);
    expect(info.HostConfig.Privileged).toBe(false);
    expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
    expect((info.HostConfig.SecurityOpt ?? []).some((o: string) => o.includes('unconfined'))).toBe(false);
    expect(info.HostConfig.PidsLimit).toBe(256);
    expect(info.HostConfig.Memory).toBe(768 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(1.5e9);
    expect(info.Config.User).toBe('agent');
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.Config.Entrypoint).toEqual(['/usr/bin/tini', '-g', '--']);
    const repoMount = info.Mounts.find((m) => m.Destination === '/mnt/host-repo');
    expect(repoMount?.Source).toBe(repo);
    expect(repoMount?.RW).toBe(false);
    expect(Object.keys(info.HostConfig.Tmpfs ?? {})).toEqual(expect.arrayContaining(['/tmp', '/home/agent']));
    expect(info.HostConfig.Binds ?? []).not.toContain(expect.stringContaining('docker.sock'));
    expect(info.Mounts.some((m) => (m.Source ?? '').includes('docker.sock'))).toBe(false);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('runs as uid 1000 and every escalation attempt fails from inside', async () => {
    const t = useTestEnv();
    const repo = makeRepo();
    const script = [
      'echo "uid=$(id -u)"',
      'touch /pwned 2>/dev/null && echo "root-write=ok" || echo "root-write=denied"',
      'touch /usr/bin/pwned 2>/dev/null && echo "usr-write=ok" || echo "usr-write=denied"',
      'mount -t tmpfs none /tmp/m 2>/dev/null && echo "mount=ok" || echo "mount=denied"',
      'unshare -r true 2>/dev/null && echo "unshare=ok" || echo "unshare=denied"',
      'unshare -m true 2>/dev/null && echo "unshare-m=ok" || echo "unshare-m=denied"',
      'touch /mnt/host-repo/pwned 2>/dev/null && echo "repo-write=ok" || echo "repo-write=denied"',
      'grep -q "^CapEff:\\s*0000000000000000" /proc/self/status && echo "caps=none" || echo "caps=some"',
      'grep -q "^NoNewPrivs:\\s*1" /proc/self/status && echo "nnp=1" || echo "nnp=0"',
      'grep -q "^Seccomp:\\s*2" /proc/self/status && echo "seccomp=filter" || echo "seccomp=off"',
      'command -v mount unshare >/dev/null && echo "tools=present"',
      'touch /workspace/ok && echo "workspace-write=ok"',
    ].join('\n');
    const result = await runCli('run-shell', [repo, '--no-push', '--prompt', script], { env: t.env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual([
      'uid=1000',
      'root-write=denied',
      'usr-write=denied',
      'mount=denied',
      'unshare=denied',
      'unshare-m=denied',
      'repo-write=denied',
      'caps=none',
      'nnp=1',
      'seccomp=filter',
      'tools=present',
      'workspace-write=ok',
    ]);
    // The host repository is untouched.
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it('clones the repository into /workspace on shell/session-N, found from a subdirectory', async () => {
    const t = useTestEnv();
    const repo = makeRepo();
    git(repo, 'checkout', '-q', '-b', 'shell/session-1');
    git(repo, 'checkout', '-q', 'main');
    const sub = `${repo}/deep/er`;
    await import('node:fs').then((fs) => fs.mkdirSync(sub, { recursive: true }));
    const result = await runCli(
      'run-shell',
      ['--prompt', 'git branch --show-current; cat README.md; git log --format=%s'],
      {
        env: t.env,
        cwd: sub,
      },
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('shell/session-2\nhello\ninitial\n');
  });

  it('gives an empty workspace when there is no repository', async () => {
    const t = useTestEnv();
    const result = await runCli('run-shell', ['--prompt', 'ls -A /workspace | wc -l; ls /mnt'], {
      env: t.env,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('0\n');
    expect(result.stderr).toContain('empty workspace');
  });
});

describe('extra CA certificates', () => {
  it("the host's extra CAs are in the image's bundle, which Node trusts too", async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = '/usr/local/share/ca-certificates';
    const hostCerts = readdirSync(dir)
      .filter((f) => f.endsWith('.crt'))
      .map(
        (f) =>
          readFileSync(`${dir}/${f}`, 'utf8').match(
            /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/,
          )?.[0],
      )
      .filter((pem): pem is string => pem !== undefined);
    const t = useTestEnv();
    const result = await runCli(
      'run-shell',
      [
        '--network-proxy',
        'restricted',
        '--prompt',
        'echo "$NODE_EXTRA_CA_CERTS"; cat "$NODE_EXTRA_CA_CERTS"',
      ],
      { env: t.env },
    );
    expect(result.status, result.stderr).toBe(0);
    const [path, ...bundle] = result.stdout.split('\n');
    expect(path).toBe('/etc/ssl/certs/ca-certificates.crt');
    const bundleText = bundle.join('\n').replace(/\s+/g, '');
    // Every host CA (none on a machine without extras) is in the bundle.
    for (const pem of hostCerts) expect(bundleText).toContain(pem.replace(/\s+/g, ''));
  });
});
