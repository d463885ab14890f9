// The OS keychain through @napi-rs/keyring, used only when one is really there.
//
// On Linux the keyring talks to a Secret Service over the D-Bus session bus.
// On a headless box there is none, and a keyring call can then block on D-Bus
// activation; so we ask the bus first, with a short timeout, and load the
// native module only after a yes.
import { execFile } from 'node:child_process';
import type { SecretBackend } from './backend.js';

const SERVICE = 'containai';
const OP_TIMEOUT_MS = 5000;

export interface KeyringProbeOptions {
  platform?: NodeJS.Platform;
  env?: Readonly<Record<string, string | undefined>>;
  timeoutMs?: number;
}

/** True when a keychain can be used without hanging: always on macOS/Windows, on Linux only with a Secret Service. */
export async function keyringUsable(options: KeyringProbeOptions = {}): Promise<boolean> {
  const platform = options.platform ?? process.platform;
  if (platform === 'darwin' || platform === 'win32') return true;
  if (platform !== 'linux') return false;
  const env = options.env ?? process.env;
  const bus = env.DBUS_SESSION_BUS_ADDRESS;
  if (bus === undefined || bus === '') return false;
  const timeoutMs = options.timeoutMs ?? 1500;
  const ask = (method: string, args: string[]): Promise<string> =>
    new Promise((resolve) => {
      execFile(
        'dbus-send',
        [
          '--session',
          '--print-reply',
          `--reply-timeout=${timeoutMs}`,
          '--dest=org.freedesktop.DBus',
          '/org/freedesktop/DBus',
          `org.freedesktop.DBus.${method}`,
          ...args,
        ],
        { timeout: timeoutMs + 500, env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus } },
        (error, stdout) => resolve(error ? '' : String(stdout)),
      );
    });
  if ((await ask('NameHasOwner', ['string:org.freedesktop.secrets'])).includes('boolean true')) return true;
  return (await ask('ListActivatableNames', [])).includes('"org.freedesktop.secrets"');
}

export async function keyringBackend(): Promise<SecretBackend> {
  const keyring = await import('@napi-rs/keyring');
  const signal = (): AbortSignal => AbortSignal.timeout(OP_TIMEOUT_MS);
  return {
    id: 'keyring',
    writable: true,
    get: async (name) => {
      try {
        return (await new keyring.AsyncEntry(SERVICE, name).getPassword(signal())) ?? undefined;
      } catch {
        // NoEntry is an error in the binding; a missing name is simply not here.
        return undefined;
      }
    },
    list: async () =>
      (await keyring.findCredentialsAsync(SERVICE, undefined, signal())).map((c) => c.account).sort(),
    set: (name, value) => new keyring.AsyncEntry(SERVICE, name).setPassword(value, signal()),
    rm: async (name) => {
      try {
        return await new keyring.AsyncEntry(SERVICE, name).deleteCredential(signal());
      } catch {
        return false;
      }
    },
  };
}
