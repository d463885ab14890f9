// Makes sure an agent's image exists, building the chain (Debian base →
// containai base → agent image) where needed. Tags carry a content hash of
// the build context and the parent image ID: an unchanged tree never
// rebuilds, a changed one always does.
import { join } from 'node:path';
import type { DockerEngine } from '../docker/engine.js';
import { installRoot } from '../install-root.js';
import { contextHash, contextTar, readContextDir, type BuildContext } from './build-context.js';
import { ensureDebianBase, type ResolvedImage } from './debian-base.js';
import { hostCaCertificates } from './host-ca-certificates.js';

export const CONTEXT_HASH_LABEL = 'containai.context-hash';

export interface EnsureOptions {
  env: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
}

export function imageNamespace(env: Readonly<Record<string, string | undefined>>): string {
  return env.CONTAINAI_IMAGE_NAMESPACE || 'containai';
}

/** The containai base image (users, tini, git, node for the stub). */
export async function ensureBaseImage(engine: DockerEngine, opts: EnsureOptions): Promise<ResolvedImage> {
  const namespace = imageNamespace(opts.env);
  const debian = await ensureDebianBase(engine, { env: opts.env, namespace, log: opts.log });
  const context: BuildContext = {
    files: [...readContextDir(imageDir('base')), ...hostCaCertificates()],
    dirs: ['ca-certificates'],
  };
  return ensureBuilt(engine, { name: 'base', namespace, context, parent: debian }, opts);
}

/** The image of one agent (images/<agent>), built FROM the containai base. */
export async function ensureAgentImage(
  engine: DockerEngine,
  agent: string,
  opts: EnsureOptions,
): Promise<ResolvedImage> {
  const base = await ensureBaseImage(engine, opts);
  const context: BuildContext = { files: readContextDir(imageDir(agent)), dirs: [] };
  return ensureBuilt(
    engine,
    { name: agent, namespace: imageNamespace(opts.env), context, parent: base },
    opts,
  );
}

export function imageDir(name: string): string {
  return join(installRoot(), 'images', name);
}

interface BuildTarget {
  name: string;
  namespace: string;
  context: BuildContext;
  parent: ResolvedImage;
}

async function ensureBuilt(
  engine: DockerEngine,
  target: BuildTarget,
  opts: EnsureOptions,
): Promise<ResolvedImage> {
  const hash = contextHash(target.context, { BASE_IMAGE_ID: target.parent.id });
  const ref = `${target.namespace}/${target.name}:${hash.slice(0, 16)}`;
  const existing = await engine.imageId(ref);
  if (existing) return { ref, id: existing };
  opts.log(`building image ${ref} (from ${target.parent.ref})`);
  const started = Date.now();
  const id = await engine.buildImage(
    contextTar(target.context),
    { tag: ref, buildArgs: { BASE_IMAGE: target.parent.ref }, labels: { [CONTEXT_HASH_LABEL]: hash } },
    (line) => opts.log(`  │ ${line}`),
  );
  opts.log(`built ${ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ref, id };
}
