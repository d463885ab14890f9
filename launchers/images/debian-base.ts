// Chooses the Debian base image every containai image is built FROM:
// an explicit CONTAINAI_BASE_IMAGE, else debian:bookworm-slim if present or
// pullable, else one built from Debian packages by scripts/build-debian-base.sh.
import { join } from 'node:path';
import { ContainaiError } from '../../broker/errors.js';
import type { DockerEngine } from '../docker/engine.js';
import { installRoot } from '../install-root.js';
import { runCommand } from '../process/run-command.js';
import { hostAptMirror } from './apt-mirror.js';

export const DEBIAN_SUITE = 'bookworm';
export const REGISTRY_BASE = 'debian:bookworm-slim';

export interface ResolvedImage {
  ref: string;
  id: string;
}

export interface BaseImageOptions {
  env: Readonly<Record<string, string | undefined>>;
  namespace: string;
  log: (line: string) => void;
  /** How long a registry pull may take before we build locally instead. */
  pullTimeoutMs?: number;
}

export async function ensureDebianBase(engine: DockerEngine, opts: BaseImageOptions): Promise<ResolvedImage> {
  const explicit = opts.env.CONTAINAI_BASE_IMAGE;
  if (explicit) {
    const id =
      (await engine.imageId(explicit)) ??
      ((await engine.tryPull(explicit, 120_000)) ? await engine.imageId(explicit) : undefined);
    if (!id) {
      throw new ContainaiError(
        'BASE_IMAGE_UNAVAILABLE',
        `CONTAINAI_BASE_IMAGE=${explicit} is not present and cannot be pulled`,
        {
          actions: [
            'unset CONTAINAI_BASE_IMAGE to let containai build a Debian base itself',
            `or: docker pull ${explicit}`,
          ],
        },
      );
    }
    return { ref: explicit, id };
  }
  const local = debootstrapTag(opts.namespace);
  for (const ref of [REGISTRY_BASE, local]) {
    const id = await engine.imageId(ref);
    if (id) return { ref, id };
  }
  opts.log(`no ${REGISTRY_BASE} image here; trying to pull it`);
  if (await engine.tryPull(REGISTRY_BASE, opts.pullTimeoutMs ?? 30_000)) {
    const id = await engine.imageId(REGISTRY_BASE);
    if (id) return { ref: REGISTRY_BASE, id };
  }
  opts.log(`no registry reachable; building ${local} from Debian packages (debootstrap)`);
  return buildWithDebootstrap(engine, local, opts);
}

async function buildWithDebootstrap(
  engine: DockerEngine,
  tag: string,
  opts: BaseImageOptions,
): Promise<ResolvedImage> {
  const mirror = opts.env.CONTAINAI_DEBIAN_MIRROR || hostAptMirror(DEBIAN_SUITE);
  const script = join(installRoot(), 'scripts', 'build-debian-base.sh');
  const result = await runCommand('bash', [script, DEBIAN_SUITE, mirror, tag], {
    onStderr: (text) => text.split('\n').forEach((l) => l.trim() && opts.log(`  │ ${l}`)),
    env: { ...process.env, DOCKER_HOST: engine.endpoint.display },
  });
  const id = result.exitCode === 0 ? await engine.imageId(tag) : undefined;
  if (!id) {
    const needsRoot = result.exitCode === 3;
    throw new ContainaiError(
      'BASE_IMAGE_UNAVAILABLE',
      `could not build the Debian base image ${tag} (exit ${result.exitCode})`,
      {
        causes: needsRoot
          ? [result.stderr.trim().split('\n').pop() ?? 'a prerequisite is missing']
          : ['the Debian mirror is unreachable', 'debootstrap failed (see output above)'],
        actions: [
          `as root: bash ${script} ${DEBIAN_SUITE} ${mirror} ${tag}`,
          `or, with a registry: docker pull ${REGISTRY_BASE}`,
          'or set CONTAINAI_BASE_IMAGE to a Debian bookworm image you have',
        ],
      },
    );
  }
  return { ref: tag, id };
}

/** The tag of the base built locally with debootstrap. */
export function debootstrapTag(namespace: string): string {
  return `${namespace}/debian-base:${DEBIAN_SUITE}`;
}

/** Base images used as they are, in the order ensureDebianBase looks for them (before pulling or building). */
export function localBaseCandidates(
  env: Readonly<Record<string, string | undefined>>,
  namespace: string,
): string[] {
  return env.CONTAINAI_BASE_IMAGE ? [env.CONTAINAI_BASE_IMAGE] : [REGISTRY_BASE, debootstrapTag(namespace)];
}
