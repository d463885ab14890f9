// Launch step 5: streams the bundle into the container's /run/containai
// tmpfs through `docker exec -u containai-stub -i … mcp-stub install`. Never
// `docker cp`/putArchive: those write under a tmpfs mount, onto the
// container's disk layer, where nobody sees them.
import { createHash, randomBytes } from 'node:crypto';
import { pack } from 'tar-stream';
import type { Bundle } from '../../broker/capability.js';
import { ContainaiError } from '../../broker/errors.js';
import {
  BROKER_SOCKET_IN_CONTAINER,
  type StubConfig,
  type StubMcpServer,
} from '../../broker/stub-install.js';
import type { DockerEngine } from '../docker/engine.js';
import type { SecretGrant } from './secret-grants.js';

export const STUB_USER = 'containai-stub';

export interface DeliveredBundle {
  /** One-time tokens for `mcp-stub agent-exec`, one per agent start. */
  agentTokens: string[];
}

export async function deliverBundle(
  engine: DockerEngine,
  containerId: string,
  bundle: Bundle,
  grants: readonly SecretGrant[],
  agentStarts = 1,
  mcp: { session: string; servers: readonly StubMcpServer[] } | undefined = undefined,
): Promise<DeliveredBundle> {
  const agentTokens = Array.from({ length: agentStarts }, () => randomBytes(24).toString('base64url'));
  const config: StubConfig = {
    version: 1,
    brokerSocket: BROKER_SOCKET_IN_CONTAINER,
    agentEnv: grants.map((g) => ({ capability: g.secret, env: g.env })),
    agentTokens: agentTokens.map((t) => createHash('sha256').update(t).digest('hex')),
    ...(mcp ? { session: mcp.session } : {}),
    mcpServers: [...(mcp?.servers ?? [])],
  };
  const tar = await installTar({
    'bundle.json': JSON.stringify(bundle),
    'stub.json': JSON.stringify(config),
  });
  const result = await engine.execCapture(containerId, {
    cmd: ['mcp-stub', 'install'],
    user: STUB_USER,
    stdin: tar,
  });
  if (result.exitCode !== 0) {
    throw new ContainaiError('SESSION_SETUP_FAILED', `the stub refused the bundle: ${result.stderr.trim()}`, {
      causes: ['/run/containai is not the expected private tmpfs', 'the image is not a containai image'],
      actions: [
        'rebuild the images: containai images build',
        'do not override --image with a non-containai image',
      ],
    });
  }
  return { agentTokens };
}

/** A tar of small text files, built in memory. */
function installTar(files: Record<string, string>): Promise<Buffer> {
  const tar = pack();
  for (const [name, text] of Object.entries(files))
    tar.entry({ name, mode: 0o600, mtime: new Date(0) }, text);
  tar.finalize();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    tar.on('data', (c: unknown) => chunks.push(c as Buffer));
    tar.on('end', () => resolve(Buffer.concat(chunks)));
    tar.on('error', reject);
  });
}
