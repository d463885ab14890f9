// Secret names, without the schema library: the launcher checks them on its
// fast path, before anything heavier is loaded.
import { ContainaiError, quote } from './errors.js';

export const SECRET_NAME_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

export function assertSecretName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new ContainaiError('NAME_INVALID', `secret name ${quote(name)} is not acceptable`, {
      causes: ['secret names are 1-64 characters: an upper-case letter, then A-Z, 0-9 or _'],
      actions: ['use a name like OPENAI_API_KEY or DEMO'],
    });
  }
}
