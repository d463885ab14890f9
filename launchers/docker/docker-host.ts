// Where the Docker engine is: DOCKER_HOST when set (unix:// or tcp://), else
// the standard socket. Parsed here, once, so error messages can name it.
import { ContainaiError, quote } from '../../broker/errors.js';

export type DockerEndpoint =
  | { kind: 'unix'; socketPath: string; display: string }
  | { kind: 'tcp'; host: string; port: number; tls: boolean; display: string };

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export function parseDockerHost(value: string | undefined, tlsVerify?: string): DockerEndpoint {
  if (value === undefined || value === '') {
    return { kind: 'unix', socketPath: DEFAULT_SOCKET, display: `unix://${DEFAULT_SOCKET}` };
  }
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw invalid(value, 'a unix socket path must be absolute');
    return { kind: 'unix', socketPath, display: value };
  }
  if (value.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(`http://${value.slice('tcp://'.length)}`);
    } catch (err) {
      throw invalid(value, 'not a valid tcp://HOST:PORT address', err);
    }
    const tls = tlsVerify !== undefined && tlsVerify !== '' && tlsVerify !== '0';
    const port = url.port === '' ? (tls ? 2376 : 2375) : Number(url.port);
    return { kind: 'tcp', host: url.hostname, port, tls, display: value };
  }
  throw invalid(value, 'only unix:// and tcp:// engine addresses are supported');
}

function invalid(value: string, why: string, cause?: unknown): ContainaiError {
  return new ContainaiError('CONFIG_INVALID', `DOCKER_HOST=${quote(value)}: ${why}`, {
    causes: ['DOCKER_HOST is set to an address containai cannot use'],
    actions: [
      'unset DOCKER_HOST to use /var/run/docker.sock',
      'or set DOCKER_HOST=unix:///path/to/docker.sock',
    ],
    cause,
  });
}
