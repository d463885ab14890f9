// Fails fast — before any image build or container — when a secret the
// session needs is in no store this launcher can see. Names only: values stay
// with the broker, which is the authority when the session opens.
import { ContainaiError, quote } from '../../broker/errors.js';
import type { ContainaiPaths } from '../../broker/paths.js';

/** `usedBy(name)`: why the session needs it, for the error's cause line. */
export async function requireStoredSecrets(
  names: readonly string[],
  paths: ContainaiPaths,
  usedBy: (name: string) => string,
): Promise<void> {
  if (names.length === 0) return;
  // Loaded only when there is something to check (start-up time).
  const { SecretStore } = await import('../../broker/secret-store.js');
  const stored = new Set((await (await SecretStore.create({ paths })).list()).map((s) => s.name));
  const missing = names.find((name) => !stored.has(name));
  if (missing === undefined) return;
  throw new ContainaiError('SECRET_NOT_FOUND', `no secret named ${quote(missing)} is stored`, {
    causes: [usedBy(missing), 'it was never stored, or is stored under another name'],
    actions: [`store it: containai secrets set ${missing}`, 'list what is stored: containai secrets list'],
  });
}
