// `containai doctor`: every preflight check, each with a status and, when it
// fails, the error code and what to do. Checks never build or create anything.
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { asContainaiError, ContainaiError } from '../../broker/errors.js';
import { resolvePaths } from '../../broker/paths.js';
import { DockerEngine } from '../docker/engine.js';
import { findRepoRoot } from '../git/host-repo.js';
import { hostAptMirror } from '../images/apt-mirror.js';
import { DEBIAN_SUITE, localBaseCandidates } from '../images/debian-base.js';
import { hostCaCertificates } from '../images/host-ca-certificates.js';
import { imageNamespace } from '../images/ensure-images.js';
import { runCommand } from '../process/run-command.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  code?: string;
  causes?: string[];
  actions?: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

export async function runDoctor(env: Env, cwd: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [checkNode()];
  const engine = await guarded(
    'docker-endpoint',
    'Docker engine address',
    async () => {
      const e = DockerEngine.fromEnv(env);
      return { value: e, detail: e.endpoint.display };
    },
    results,
  );
  if (engine) {
    const version = await guarded(
      'docker-engine',
      'Docker engine reachable and recent enough',
      async () => {
        const v = await engine.checkReady();
        return { value: v, detail: `Docker ${v.engineVersion}, API ${v.apiVersion}` };
      },
      results,
    );
    if (version) results.push(await checkBaseImage(engine, env));
  }
  results.push(await checkGit(cwd));
  results.push(checkDebootstrap(env));
  results.push(checkCaCertificates(env));
  results.push(checkPaths(env));
  return results;
}

async function guarded<T>(
  id: string,
  title: string,
  check: () => Promise<{ value: T; detail: string }>,
  results: CheckResult[],
): Promise<T | undefined> {
  try {
    const { value, detail } = await check();
    results.push({ id, title, status: 'ok', detail });
    return value;
  } catch (thrown) {
    results.push(failed(id, title, asContainaiError(thrown)));
    return undefined;
  }
}

function failed(id: string, title: string, err: ContainaiError): CheckResult {
  return {
    id,
    title,
    status: 'fail',
    detail: err.message,
    code: err.code,
    causes: [...err.causes],
    actions: [...err.actions],
  };
}

function checkNode(): CheckResult {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return {
    id: 'node',
    title: 'Node.js version',
    status: ok ? 'ok' : 'fail',
    detail: `Node ${process.versions.node}${ok ? '' : ' (containai needs 20.19 or newer)'}`,
    ...(ok ? {} : { code: 'CONFIG_INVALID', actions: ['install Node 20.19+ or 22 LTS'] }),
  };
}

async function checkBaseImage(engine: DockerEngine, env: Env): Promise<CheckResult> {
  const title = 'Debian base image source';
  const candidates = localBaseCandidates(env, imageNamespace(env));
  for (const ref of candidates) {
    if (ref && (await engine.imageId(ref)))
      return { id: 'base-image', title, status: 'ok', detail: `${ref} is present` };
  }
  return {
    id: 'base-image',
    title,
    status: 'warn',
    detail: 'no base image yet: the first run pulls one or builds it with debootstrap (about 30 s)',
    actions: ['build everything now: containai images build'],
  };
}

function checkDebootstrap(env: Env): CheckResult {
  const title = 'offline base build (debootstrap + apt mirror)';
  const hasDebootstrap = ['/usr/sbin/debootstrap', '/usr/bin/debootstrap'].some((p) => existsSync(p));
  const isRoot = process.getuid?.() === 0;
  let mirror: string | undefined;
  try {
    mirror = env.CONTAINAI_DEBIAN_MIRROR || hostAptMirror(DEBIAN_SUITE);
  } catch {
    mirror = undefined;
  }
  const ok = hasDebootstrap && isRoot && mirror !== undefined;
  const missing = [
    hasDebootstrap ? '' : 'debootstrap is not installed',
    isRoot ? '' : 'not running as root',
    mirror ? '' : 'no bookworm mirror in the apt sources',
  ].filter(Boolean);
  return {
    id: 'debootstrap',
    title,
    status: ok ? 'ok' : 'warn',
    detail: ok
      ? `mirror ${mirror}`
      : `unavailable: ${missing.join('; ')} (only needed when no registry is reachable)`,
    ...(ok ? {} : { actions: ['sudo apt-get install -y debootstrap, then: sudo containai images build'] }),
  };
}

async function checkGit(cwd: string): Promise<CheckResult> {
  const version = await runCommand('git', ['--version']).catch(() => undefined);
  if (!version || version.exitCode !== 0) {
    return {
      id: 'git',
      title: 'git',
      status: 'fail',
      detail: 'git is not installed',
      code: 'REPO_NOT_GIT',
      actions: ['sudo apt-get install -y git'],
    };
  }
  const repo = await findRepoRoot(cwd).catch(() => undefined);
  return {
    id: 'git',
    title: 'git',
    status: 'ok',
    detail: `${version.stdout.trim()}; ${repo ? `repository ${repo.root}` : 'current directory is not a repository (empty workspace)'}`,
  };
}

function checkCaCertificates(env: Env): CheckResult {
  const certs = hostCaCertificates(env);
  return {
    id: 'ca-certificates',
    title: 'extra CA certificates for images',
    status: 'ok',
    detail: certs.length
      ? `${certs.length} added at build time: ${certs.map((c) => c.path.split('/').pop()).join(', ')}`
      : 'none',
  };
}

function checkPaths(env: Env): CheckResult {
  const paths = resolvePaths(env);
  const unwritable = Object.entries(paths).filter(([, dir]) => !writableOrCreatable(dir));
  return {
    id: 'paths',
    title: 'config, state and runtime directories',
    status: unwritable.length ? 'fail' : 'ok',
    detail: unwritable.length
      ? `not writable: ${unwritable.map(([k, d]) => `${k} ${d}`).join(', ')}`
      : `config ${paths.config}, state ${paths.state}, runtime ${paths.runtime}`,
    ...(unwritable.length
      ? { code: 'CONFIG_INVALID', actions: ['set CONTAINAI_HOME to a writable directory'] }
      : {}),
  };
}

function writableOrCreatable(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(d)) {
      try {
        accessSync(d, constants.W_OK);
        return true;
      } catch {
        return false;
      }
    }
    if (dirname(d) === d) return false;
  }
}

export function renderDoctor(results: CheckResult[]): string {
  const mark: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`[${mark[r.status]}] ${r.title}: ${r.detail}${r.code ? ` (${r.code})` : ''}`);
    for (const c of r.causes ?? []) lines.push(`       likely cause: ${c}`);
    for (const a of r.actions ?? []) lines.push(`       to fix: ${a}`);
  }
  return `${lines.join('\n')}\n`;
}
