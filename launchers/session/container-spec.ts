// The agent container's create options, as a pure function of the session:
// the hardening lives here, in one place, where a test can read it.
import type Dockerode from 'dockerode';
import { AGENT_SOCKET_DIR, BROKER_SOCKET_DIR, INSTALL_DIR, STUB_UID } from '../../broker/stub-install.js';
import type { ResourceLimits } from './limits.js';

export const REPO_MOUNT = '/mnt/host-repo';
export const WORKSPACE = '/workspace';
export const AGENT_USER = 'agent';
export const AGENT_HOME = '/home/agent';
export const AGENT_UID = 1000;

export interface AgentContainerInput {
  name: string;
  image: string;
  labels: Record<string, string>;
  limits: ResourceLimits;
  workspaceVolume: string;
  /** Host repository root, mounted read-only; absent for an empty workspace. */
  repoRoot?: string;
  /** Host dir of the broker's per-session socket; mounted read-only for the stub. */
  brokerSocketDir?: string;
  /** The session's internal network (squid profile, launchers/network/); default 'none'. */
  networkMode?: string;
  /** Added to the container's environment (the proxy variables); never secrets. */
  extraEnv?: string[];
}

export function agentContainerSpec(input: AgentContainerInput): Dockerode.ContainerCreateOptions {
  const mounts: Dockerode.MountSettings[] = [
    { Type: 'volume', Source: input.workspaceVolume, Target: WORKSPACE },
  ];
  if (input.repoRoot) {
    mounts.push({ Type: 'bind', Source: input.repoRoot, Target: REPO_MOUNT, ReadOnly: true });
  }
  if (input.brokerSocketDir) {
    mounts.push({ Type: 'bind', Source: input.brokerSocketDir, Target: BROKER_SOCKET_DIR, ReadOnly: true });
  }
  return {
    name: input.name,
    Image: input.image,
    Labels: input.labels,
    Hostname: input.name,
    User: AGENT_USER,
    WorkingDir: WORKSPACE,
    Env: [`HOME=${AGENT_HOME}`, 'LANG=C.UTF-8', ...(input.extraEnv ?? [])],
    HostConfig: {
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      CapAdd: [],
      // Default seccomp profile stays on (no seccomp=unconfined here).
      SecurityOpt: ['no-new-privileges:true'],
      Privileged: false,
      PidsLimit: input.limits.pids,
      Memory: input.limits.memoryBytes,
      // Equal to Memory: no swap on top of the limit.
      MemorySwap: input.limits.memoryBytes,
      NanoCpus: input.limits.nanoCpus,
      NetworkMode: input.networkMode ?? 'none',
      // The engine's embedded DNS still answers session names (the proxy);
      // a loopback upstream gives outside names nowhere to go. Without it the
      // embedded resolver keeps trying the host's upstream servers, and
      // removing the container waits for those lookups (about 2 s).
      ...(input.networkMode && input.networkMode !== 'none' ? { Dns: ['127.0.0.1'] } : {}),
      IpcMode: 'private',
      Tmpfs: {
        '/tmp': 'rw,nosuid,nodev,size=512m,mode=1777',
        [AGENT_HOME]: `rw,nosuid,nodev,size=512m,uid=${AGENT_UID},gid=${AGENT_UID},mode=0700`,
        // The stub's private tmpfs for the bundle: only containai-stub may enter.
        [INSTALL_DIR]: `rw,noexec,nosuid,nodev,size=1m,uid=${STUB_UID},gid=${STUB_UID},mode=0700`,
        // The stub daemon's agent-facing socket; owned by the stub so the agent cannot squat it.
        [AGENT_SOCKET_DIR]: `rw,noexec,nosuid,nodev,size=64k,uid=${STUB_UID},gid=${STUB_UID},mode=0755`,
      },
      Mounts: mounts,
      AutoRemove: false,
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}
