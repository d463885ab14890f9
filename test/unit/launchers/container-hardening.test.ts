import { describe, expect, it } from 'vitest';
import {
  AGENT_HOME,
  agentContainerSpec,
  REPO_MOUNT,
  WORKSPACE,
  type AgentContainerInput,
} from '../../../launchers/session/container-spec.js';
import { parseLimits } from '../../../launchers/session/limits.js';

const limits = parseLimits({ memory: '512m', cpus: '1.5', pids: '256' });

function input(overrides: Partial<AgentContainerInput> = {}): AgentContainerInput {
  return {
    name: 'shell-repo-main',
    image: 'containai-shell:abc123',
    labels: { 'containai.session': 'shell-repo-main' },
    limits,
    workspaceVolume: 'containai-ws-shell-repo-main',
    repoRoot: '/home/user/repo',
    ...overrides,
  };
}

describe('agentContainerSpec hardening', () => {
  const spec = agentContainerSpec(input());
  const host = spec.HostConfig ?? {};

  it('runs with a read-only root filesystem', () => {
    expect(host.ReadonlyRootfs).toBe(true);
  });

  it('drops every capability and adds none back', () => {
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.CapAdd ?? []).toEqual([]);
    expect(host.Privileged).not.toBe(true);
  });

  it('forbids privilege escalation and keeps the default seccomp profile', () => {
    expect(host.SecurityOpt).toContain('no-new-privileges:true');
    expect(
      (host.SecurityOpt ?? []).some((o: string) => /seccomp|apparmor/.test(o) && /unconfined/.test(o)),
    ).toBe(false);
  });

  it('has no network', () => {
    expect(host.NetworkMode).toBe('none');
  });

  it('shares no host namespaces', () => {
    expect(host.PidMode ?? '').not.toBe('host');
    expect(host.IpcMode).not.toBe('host');
    expect(host.UsernsMode ?? '').not.toBe('host');
    expect(host.Devices ?? []).toEqual([]);
  });

  it('applies the parsed limits, with no swap on top of memory', () => {
    expect(host.Memory).toBe(512 * 1024 ** 2);
    expect(host.MemorySwap).toBe(host.Memory);
    expect(host.NanoCpus).toBe(1.5e9);
    expect(host.PidsLimit).toBe(256);
  });

  it('gives /tmp, the agent home and the stub dirs as size-limited nosuid,nodev tmpfs', () => {
    const tmpfs = host.Tmpfs ?? {};
    expect(Object.keys(tmpfs).sort()).toEqual(
      ['/tmp', AGENT_HOME, '/run/containai', '/run/containai-agent'].sort(),
    );
    for (const options of Object.values(tmpfs)) {
      expect(options).toMatch(/(^|,)nosuid(,|$)/);
      expect(options).toMatch(/(^|,)nodev(,|$)/);
      expect(options).toMatch(/(^|,)size=\d+[kmg]?(,|$)/);
      expect(options).not.toMatch(/(^|,)exec(,|$)/);
    }
    expect(tmpfs[AGENT_HOME]).toMatch(/mode=0700/);
    // The bundle's tmpfs belongs to the stub user alone and executes nothing.
    expect(tmpfs['/run/containai']).toMatch(/(^|,)uid=999,gid=999,mode=0700(,|$)/);
    expect(tmpfs['/run/containai']).toMatch(/(^|,)noexec(,|$)/);
  });

  it('runs as the unprivileged agent user in the workspace', () => {
    expect(spec.User).toBe('agent');
    expect(spec.User).not.toMatch(/^(root|0)(:|$)/);
    expect(spec.WorkingDir).toBe(WORKSPACE);
  });

  it('mounts the host repository read-only', () => {
    const repo = (host.Mounts ?? []).filter((m) => m.Target === REPO_MOUNT);
    expect(repo).toEqual([{ Type: 'bind', Source: '/home/user/repo', Target: REPO_MOUNT, ReadOnly: true }]);
  });

  it('binds nothing from the host except the repository', () => {
    const binds = (host.Mounts ?? []).filter((m) => m.Type === 'bind');
    expect(binds.map((m) => m.Source)).toEqual(['/home/user/repo']);
    expect(host.Binds ?? []).toEqual([]);
    expect(host.VolumesFrom ?? []).toEqual([]);
  });

  it('mounts the workspace volume at the working directory', () => {
    expect(host.Mounts).toContainEqual({
      Type: 'volume',
      Source: 'containai-ws-shell-repo-main',
      Target: WORKSPACE,
    });
  });

  it('carries the session labels and name', () => {
    expect(spec.Labels).toEqual({ 'containai.session': 'shell-repo-main' });
    expect(spec.name).toBe('shell-repo-main');
    expect(spec.Hostname).toBe('shell-repo-main');
    expect(spec.Image).toBe('containai-shell:abc123');
  });

  it('is never restarted or auto-removed behind the launcher', () => {
    expect(host.RestartPolicy?.Name ?? 'no').toBe('no');
    expect(host.AutoRemove).toBe(false);
  });
});

describe('agentContainerSpec without a repository', () => {
  it('mounts only the workspace volume when repoRoot is undefined', () => {
    const spec = agentContainerSpec(input({ repoRoot: undefined }));
    const mounts = spec.HostConfig?.Mounts ?? [];
    expect(mounts).toEqual([{ Type: 'volume', Source: 'containai-ws-shell-repo-main', Target: WORKSPACE }]);
    expect(mounts.some((m) => m.Target === REPO_MOUNT)).toBe(false);
  });

  it('mounts no repository for an empty repoRoot either', () => {
    const spec = agentContainerSpec(input({ repoRoot: '' }));
    expect((spec.HostConfig?.Mounts ?? []).some((m) => m.Type === 'bind')).toBe(false);
  });
});

describe('agentContainerSpec never exposes the Docker socket', () => {
  it.each([undefined, '/home/user/repo'])('repoRoot %j', (repoRoot) => {
    const spec = agentContainerSpec(input({ repoRoot }));
    const text = JSON.stringify(spec);
    expect(text).not.toMatch(/docker\.sock/);
    for (const m of spec.HostConfig?.Mounts ?? []) {
      expect(m.Target).not.toMatch(/docker\.sock|^\/var\/run|^\/run/);
    }
    expect(spec.Env ?? []).not.toContainEqual(expect.stringMatching(/^DOCKER_HOST=/));
  });
});
