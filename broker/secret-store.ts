// Host secrets by NAME, from the first backend that has them:
// OS keychain (when usable) → CONTAINAI_SECRET_<NAME> → <config>/mcp-secrets.env → `gh auth token`.
// Values leave this module only through `get`; everything else speaks names.
import { assertSecretName, MAX_SECRET_BYTES } from './capability.js';
import { ContainaiError, quote } from './errors.js';
import type { ContainaiPaths } from './paths.js';
import type { BackendId, SecretBackend } from './secret-backends/backend.js';
import { envBackend } from './secret-backends/env.js';
import { fileBackend } from './secret-backends/file.js';
import { ghBackend, type GhOptions } from './secret-backends/gh.js';
import { keyringBackend, keyringUsable } from './secret-backends/keyring.js';

export type { BackendId, SecretBackend } from './secret-backends/backend.js';

export interface SecretStoreOptions {
  paths: ContainaiPaths;
  env?: Readonly<Record<string, string | undefined>>;
  /** 'auto' probes for a usable keychain; default: 'auto' unless CONTAINAI_KEYRING=0. */
  keyring?: 'auto' | boolean;
  /** false leaves `gh` out entirely. */
  gh?: GhOptions | false;
}

export interface SecretListing {
  name: string;
  /** The backend `get` would read it from. */
  backend: BackendId;
  /** Other backends that also hold the name, shadowed by the first. */
  shadowed: BackendId[];
}

export class SecretStore {
  constructor(readonly backends: readonly SecretBackend[]) {}

  static async create(options: SecretStoreOptions): Promise<SecretStore> {
    const env = options.env ?? process.env;
    // CONTAINAI_KEYRING=0 (headless machines, CI) skips even the probe.
    const keyring = options.keyring ?? (env.CONTAINAI_KEYRING === '0' ? false : 'auto');
    const useKeyring = keyring === 'auto' ? await keyringUsable({ env }) : keyring;
    const backends: SecretBackend[] = [];
    if (useKeyring) backends.push(await keyringBackend());
    backends.push(envBackend(env), fileBackend(options.paths.config));
    if (options.gh !== false) backends.push(ghBackend(options.gh ?? {}));
    return new SecretStore(backends);
  }

  async find(name: string): Promise<{ value: string; backend: BackendId } | undefined> {
    assertSecretName(name);
    for (const backend of this.backends) {
      const value = await backend.get(name);
      if (value !== undefined) return { value, backend: backend.id };
    }
    return undefined;
  }

  async get(name: string): Promise<{ value: string; backend: BackendId }> {
    const found = await this.find(name);
    if (!found) throw notFound(name, this.backends);
    return found;
  }

  /** Writes to the first writable backend (keychain if usable, else the file) and says which. */
  async set(name: string, value: string): Promise<BackendId> {
    assertSecretName(name);
    if (value === '' || Buffer.byteLength(value) > MAX_SECRET_BYTES) {
      throw new ContainaiError(
        'CONFIG_INVALID',
        `the value for ${quote(name)} must be 1 to ${MAX_SECRET_BYTES} bytes`,
        {
          actions: [`printf '%s' "$VALUE" | containai secrets set ${name}`],
        },
      );
    }
    const target = this.backends.find((b) => b.writable && b.set);
    if (!target?.set)
      throw new ContainaiError('SECRET_STORE_READONLY', 'no writable secret backend is available');
    await target.set(name, value);
    return target.id;
  }

  async list(): Promise<SecretListing[]> {
    const byName = new Map<string, SecretListing>();
    for (const backend of this.backends) {
      for (const name of await backend.list()) {
        const seen = byName.get(name);
        if (seen) seen.shadowed.push(backend.id);
        else byName.set(name, { name, backend: backend.id, shadowed: [] });
      }
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Removes the name from every writable backend; returns where it was removed from. */
  async rm(name: string): Promise<BackendId[]> {
    assertSecretName(name);
    const removed: BackendId[] = [];
    const readOnlyHolders: BackendId[] = [];
    for (const backend of this.backends) {
      if (backend.writable && backend.rm) {
        if (await backend.rm(name)) removed.push(backend.id);
      } else if ((await backend.list()).includes(name)) {
        readOnlyHolders.push(backend.id);
      }
    }
    if (removed.length === 0 && readOnlyHolders.length > 0) {
      throw new ContainaiError(
        'SECRET_STORE_READONLY',
        `${quote(name)} comes from ${readOnlyHolders.join(', ')}, which containai cannot change`,
        {
          actions: [readOnlyHolders.includes('env') ? `unset CONTAINAI_SECRET_${name}` : 'gh auth logout'],
        },
      );
    }
    if (removed.length === 0) throw notFound(name, this.backends);
    return removed;
  }
}

function notFound(name: string, backends: readonly SecretBackend[]): ContainaiError {
  return new ContainaiError(
    'SECRET_NOT_FOUND',
    `no secret named ${quote(name)} in ${backends.map((b) => b.id).join(', ')}`,
    {
      actions: [`containai secrets set ${name}`, 'containai secrets list'],
    },
  );
}
