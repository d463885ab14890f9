// CONTAINAI_SECRET_<NAME> variables: read-only, for CI where nothing else exists.
import { SECRET_NAME_PATTERN } from '../secret-name.js';
import type { SecretBackend } from './backend.js';

const PREFIX = 'CONTAINAI_SECRET_';

export function envBackend(env: Readonly<Record<string, string | undefined>> = process.env): SecretBackend {
  return {
    id: 'env',
    writable: false,
    get: (name) => Promise.resolve(nonEmpty(env[PREFIX + name])),
    list: () =>
      Promise.resolve(
        Object.keys(env)
          .filter((key) => key.startsWith(PREFIX) && nonEmpty(env[key]) !== undefined)
          .map((key) => key.slice(PREFIX.length))
          .filter((name) => SECRET_NAME_PATTERN.test(name))
          .sort(),
      ),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
