// `gh auth token` as a source for GITHUB_TOKEN, and nothing else.
import { execFile } from 'node:child_process';
import type { SecretBackend } from './backend.js';

const NAME = 'GITHUB_TOKEN';

export interface GhOptions {
  /** The gh executable; tests point it at a fake. */
  command?: string;
  timeoutMs?: number;
}

export function ghBackend(options: GhOptions = {}): SecretBackend {
  const command = options.command ?? 'gh';
  const timeout = options.timeoutMs ?? 5000;
  // One spawn per store: `list` then `get` should not ask gh twice.
  let cached: Promise<string | undefined> | undefined;
  const token = (): Promise<string | undefined> =>
    (cached ??= new Promise((resolve) => {
      // Argv only; gh missing, logged out or slow all mean "no token here".
      execFile(command, ['auth', 'token'], { timeout, windowsHide: true }, (error, stdout) => {
        const value = error ? '' : String(stdout).trim();
        resolve(value === '' ? undefined : value);
      });
    }));
  return {
    id: 'gh',
    writable: false,
    get: (name) => (name === NAME ? token() : Promise.resolve(undefined)),
    list: async () => ((await token()) === undefined ? [] : [NAME]),
  };
}
