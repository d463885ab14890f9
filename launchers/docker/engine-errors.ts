// Turns what dockerode / the socket throws into ContainaiErrors a user can act on.
import { ContainaiError } from '../../broker/errors.js';
import type { DockerEndpoint } from './docker-host.js';

export const MIN_API_VERSION = '1.41'; // Docker Engine 20.10

interface SystemError {
  code?: string;
  statusCode?: number;
  message?: string;
  json?: { message?: string };
}

export function connectionError(endpoint: DockerEndpoint, err: unknown): ContainaiError {
  const e = (err ?? {}) as SystemError;
  const where = endpoint.display;
  switch (e.code) {
    case 'ENOENT':
      return new ContainaiError('DOCKER_NO_SOCKET', `no Docker engine socket at ${where}`, {
        causes: [
          'Docker is not installed',
          'the Docker daemon is not running',
          'DOCKER_HOST points elsewhere',
        ],
        actions: [
          'Debian/Ubuntu: sudo apt-get install -y docker.io && sudo systemctl start docker',
          'or run: bash scripts/setup-local-dev.sh (installs and starts an engine when run as root)',
          'or set DOCKER_HOST to your engine, e.g. DOCKER_HOST=unix:///run/user/1000/docker.sock',
        ],
        cause: err,
      });
    case 'ECONNREFUSED':
      return new ContainaiError('DOCKER_DOWN', `the Docker engine at ${where} refused the connection`, {
        causes: ['the Docker daemon is not running (a stale socket file is left behind)'],
        actions: [
          'sudo systemctl start docker',
          'or, without systemd: sudo dockerd > /var/log/dockerd.log 2>&1 &',
        ],
        cause: err,
      });
    case 'EACCES':
    case 'EPERM':
      return new ContainaiError(
        'DOCKER_PERMISSION',
        `permission denied on the Docker engine socket ${where}`,
        {
          causes: ['your user is not in the "docker" group'],
          actions: [
            'sudo usermod -aG docker "$USER", then log out and back in (or run: newgrp docker)',
            'or use rootless Docker and set DOCKER_HOST to its socket',
          ],
          cause: err,
        },
      );
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
    case 'CONTAINAI_TIMEOUT':
      return unresponsive(where, err);
    case 'ENOTSOCK':
      return new ContainaiError('DOCKER_NO_SOCKET', `${where} exists but is not a socket`, {
        causes: ['DOCKER_HOST points at a regular file'],
        actions: ['set DOCKER_HOST=unix:///var/run/docker.sock (or your engine socket)'],
        cause: err,
      });
    default:
      return engineError(`cannot talk to the Docker engine at ${where}`, err);
  }
}

export function unresponsive(where: string, cause?: unknown): ContainaiError {
  return new ContainaiError('DOCKER_UNRESPONSIVE', `the Docker engine at ${where} did not answer in time`, {
    causes: ['the daemon is starting up or overloaded', 'DOCKER_HOST points at something that is not Docker'],
    actions: ['check: docker info', 'restart the daemon: sudo systemctl restart docker'],
    cause,
  });
}

/** An error reply from a reachable engine (bad request, conflict, no such image…). */
export function engineError(what: string, err: unknown): ContainaiError {
  const e = (err ?? {}) as SystemError;
  const said = e.json?.message ?? e.message ?? String(err);
  if (/non-overlapping IPv4 address pool/.test(said)) {
    // Each squid session uses two networks; the engine's default pools hold about 30.
    return new ContainaiError('DOCKER_ERROR', `${what}: the engine has no free network address range`, {
      causes: [
        'too many Docker networks exist (each squid session uses two)',
        'networks left behind by crashed sessions',
      ],
      actions: [
        'remove leftovers: containai gc; list networks: docker network ls',
        'run fewer squid sessions at once, or use --network-proxy restricted',
        'give the engine more, smaller ranges: "default-address-pools" in /etc/docker/daemon.json',
      ],
      cause: err,
    });
  }
  return new ContainaiError('DOCKER_ERROR', `${what}: ${said.trim()}`, {
    causes: e.statusCode ? [`the engine answered HTTP ${e.statusCode}`] : [],
    actions: ['check the engine: docker info', 'rerun with CONTAINAI_DEBUG=1 for details'],
    cause: err,
  });
}

export function statusCodeOf(err: unknown): number | undefined {
  return (err as SystemError | undefined)?.statusCode;
}

/** Compares dotted API versions numerically ("1.9" < "1.41"). */
export function apiVersionAtLeast(actual: string, minimum: string): boolean {
  const a = actual.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (Number.isNaN(x)) return false;
    if (x !== y) return x > y;
  }
  return true;
}

export function apiTooOld(where: string, apiVersion: string, engineVersion: string): ContainaiError {
  return new ContainaiError(
    'DOCKER_API_TOO_OLD',
    `the Docker engine at ${where} speaks API ${apiVersion} (Docker ${engineVersion}); containai needs API ${MIN_API_VERSION} (Docker 20.10) or newer`,
    {
      causes: ['an old Docker package from the distribution'],
      actions: ['upgrade Docker: sudo apt-get install -y docker.io (Debian 12 ships 20.10)'],
    },
  );
}
