// Create options of the squid profile's two sidecars, as pure functions: the
// proxy (Squid) and the log forwarder. Both run with the agent's hardening:
// read-only root, no capabilities, no-new-privileges, small limits.
import type Dockerode from 'dockerode';

/** Squid's user in the proxy image and in Debian generally (base-passwd). */
export const PROXY_UID = 13;
export const PROXY_ALIAS = 'proxy';
export const PROXY_PORT = 3128;
export const PROXY_URL = `http://${PROXY_ALIAS}:${PROXY_PORT}`;
/** Where the shared log volume is mounted in both sidecars. */
export const LOG_DIR = '/var/log/squid';

const HARDENED = {
  ReadonlyRootfs: true,
  CapDrop: ['ALL'],
  CapAdd: [],
  SecurityOpt: ['no-new-privileges:true'],
  Privileged: false,
  IpcMode: 'private',
  RestartPolicy: { Name: 'no' },
  AutoRemove: false,
} as const;

const owned = (size: string): string =>
  `rw,nosuid,nodev,noexec,size=${size},uid=${PROXY_UID},gid=${PROXY_UID},mode=0700`;

export interface ProxyContainerInput {
  name: string;
  image: string;
  labels: Record<string, string>;
  internalNetwork: string;
  logVolume: string;
  squidConf: string;
}

export function proxyContainerSpec(input: ProxyContainerInput): Dockerode.ContainerCreateOptions {
  return {
    name: input.name,
    Image: input.image,
    Labels: input.labels,
    Hostname: PROXY_ALIAS,
    User: `${PROXY_UID}:${PROXY_UID}`,
    // squid.conf holds no secret (domains, ports, the session id), so the
    // environment is an acceptable carrier; the entrypoint writes it to the
    // /run/squid tmpfs and starts Squid on it (docs/proxy.md).
    Env: [`CONTAINAI_SQUID_CONF_TEXT=${input.squidConf}`],
    HostConfig: {
      ...HARDENED,
      PidsLimit: 64,
      Memory: 256 * 1024 * 1024,
      MemorySwap: 256 * 1024 * 1024,
      NanoCpus: 1e9,
      NetworkMode: input.internalNetwork,
      Tmpfs: { '/run/squid': owned('8m'), '/var/spool/squid': owned('16m') },
      Mounts: [{ Type: 'volume', Source: input.logVolume, Target: LOG_DIR }],
      // Squid's diagnostics (cache_log is stderr): `docker logs` while it runs.
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
    },
    NetworkingConfig: { EndpointsConfig: { [input.internalNetwork]: { Aliases: [PROXY_ALIAS] } } },
  };
}

export interface ForwarderContainerInput {
  name: string;
  image: string;
  labels: Record<string, string>;
  logVolume: string;
  /** The egress network when logs go to an HTTP collector; otherwise no network. */
  network: string | undefined;
}

export function forwarderContainerSpec(input: ForwarderContainerInput): Dockerode.ContainerCreateOptions {
  return {
    name: input.name,
    Image: input.image,
    Labels: input.labels,
    Hostname: 'logs',
    // The proxy's uid: it owns the log volume (mounted read-only here).
    User: `${PROXY_UID}:${PROXY_UID}`,
    Env: ['LANG=C.UTF-8'],
    HostConfig: {
      ...HARDENED,
      PidsLimit: 32,
      Memory: 256 * 1024 * 1024,
      MemorySwap: 256 * 1024 * 1024,
      NanoCpus: 5e8,
      NetworkMode: input.network ?? 'none',
      Tmpfs: { '/tmp': owned('16m') },
      Mounts: [{ Type: 'volume', Source: input.logVolume, Target: LOG_DIR, ReadOnly: true }],
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}

/** The log volume: a tmpfs owned by the proxy's uid, whichever container mounts it first. */
export function logVolumeOptions(): Record<string, string> {
  return { type: 'tmpfs', device: 'tmpfs', o: `size=256m,uid=${PROXY_UID},gid=${PROXY_UID},mode=0750` };
}
