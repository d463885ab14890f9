// Makes sure an image exists, building its chain (Debian base → containai
// base → agent or sidecar image) where needed. Tags carry a content hash of
// the build context and the parent image ID: an unchanged tree never
// rebuilds, a changed one always does.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ContainaiError } from '../../broker/errors.js';
import type { DockerEngine } from '../docker/engine.js';
import { installRoot } from '../install-root.js';
import {
  contextHash,
  contextTar,
  readContextDir,
  type BuildContext,
  type ContextFile,
} from './build-context.js';
import { ensureDebianBase, type ResolvedImage } from './debian-base.js';
import { hostCaCertificates } from './host-ca-certificates.js';

export const CONTEXT_HASH_LABEL = 'containai.context-hash';

export interface EnsureOptions {
  env: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
}

interface ImageDefinition {
  /** 'debian' is the Debian base; anything else names another definition. */
  parent: string;
  /** Programs from dist/bundles/ copied into the context under bundles/. */
  bundles?: string[];
  /** Whether the host's extra CA certificates go into the context. */
  caCertificates?: boolean;
  /** The context directory relative to the install root; default images/<name>. */
  dir?: string;
  /** Only these entries of the directory form the context (and its hash); default all. */
  include?: string[];
}

/** Every image containai builds, by images/<name> directory. */
const IMAGES: Readonly<Record<string, ImageDefinition>> = {
  base: { parent: 'debian', bundles: ['mcp-stub'], caCertificates: true },
  shell: { parent: 'base' },
  // Node 22, shared by the vendor CLI images so they reuse one Node layer.
  node22: { parent: 'base' },
  copilot: { parent: 'node22' },
  codex: { parent: 'node22' },
  claude: { parent: 'node22' },
  // Sidecars of the squid network profile (docs/proxy.md). The proxy's
  // directory also holds the TypeScript that renders its config: only the
  // files the image needs are its context.
  proxy: { parent: 'debian', dir: 'proxy', include: ['Dockerfile', 'entrypoint.sh', 'squid-errors'] },
  'log-forwarder': { parent: 'base', bundles: ['log-forwarder'] },
};

export function imageNamespace(env: Readonly<Record<string, string | undefined>>): string {
  return env.CONTAINAI_IMAGE_NAMESPACE || 'containai';
}

export function imageDir(name: string): string {
  return join(installRoot(), IMAGES[name]?.dir ?? join('images', name));
}

function contextFiles(name: string, definition: ImageDefinition): ContextFile[] {
  const dir = imageDir(name);
  if (!definition.include) return readContextDir(dir);
  return definition.include.flatMap((entry): ContextFile[] => {
    const path = join(dir, entry);
    const stat = statSync(path);
    if (stat.isDirectory()) return readContextDir(path, entry);
    // The same mode normalisation as readContextDir: only the executable bit counts.
    return [{ path: entry, mode: stat.mode & 0o111 ? 0o755 : 0o644, content: readFileSync(path) }];
  });
}

/**
 * Ensures images/<name> is built (and its parents); resolves to its tag and
 * ID. One launch needs several images that share parents (the agent's, the
 * proxy's, the log forwarder's): each is resolved once per process.
 */
export function ensureImage(engine: DockerEngine, name: string, opts: EnsureOptions): Promise<ResolvedImage> {
  const key = [name, imageNamespace(opts.env), opts.env.CONTAINAI_BASE_IMAGE, opts.env.CONTAINAI_CA_DIR].join(
    '\0',
  );
  const resolved = resolvedImages(engine);
  let image = resolved.get(key);
  if (!image) {
    image = resolveImage(engine, name, opts);
    resolved.set(key, image);
    // A failed build is not remembered: the next call tries again.
    image.catch(() => resolved.delete(key));
  }
  return image;
}

const resolvedByEngine = new WeakMap<DockerEngine, Map<string, Promise<ResolvedImage>>>();

function resolvedImages(engine: DockerEngine): Map<string, Promise<ResolvedImage>> {
  let map = resolvedByEngine.get(engine);
  if (!map) resolvedByEngine.set(engine, (map = new Map()));
  return map;
}

async function resolveImage(engine: DockerEngine, name: string, opts: EnsureOptions): Promise<ResolvedImage> {
  const definition = IMAGES[name];
  if (!definition) throw new ContainaiError('INTERNAL', `no image definition for ${name}`);
  const namespace = imageNamespace(opts.env);
  const parent =
    definition.parent === 'debian'
      ? await ensureDebianBase(engine, { env: opts.env, namespace, log: opts.log })
      : await ensureImage(engine, definition.parent, opts);
  const context: BuildContext = {
    files: [
      ...contextFiles(name, definition),
      ...(definition.caCertificates ? hostCaCertificates(opts.env) : []),
      ...(definition.bundles ?? []).map(bundleFile),
    ],
    dirs: [
      ...(definition.caCertificates ? ['ca-certificates'] : []),
      ...(definition.bundles ? ['bundles'] : []),
    ],
  };
  return ensureBuilt(engine, { name, namespace, context, parent }, opts);
}

/** The image of one agent (images/<agent>). */
export function ensureAgentImage(
  engine: DockerEngine,
  agent: string,
  opts: EnsureOptions,
): Promise<ResolvedImage> {
  return ensureImage(engine, agent, opts);
}

function bundleFile(bundle: string): ContextFile {
  const path = join(installRoot(), 'dist', 'bundles', `${bundle}.js`);
  if (!existsSync(path)) {
    throw new ContainaiError('INTERNAL', `the ${bundle} bundle is missing (${path})`, {
      causes: ['containai was not built'],
      actions: ['run: npm run build'],
    });
  }
  return { path: `bundles/${bundle}.js`, mode: 0o644, content: readFileSync(path) };
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
