// What every secret backend offers. Values pass through `get` and `set` only;
// `list` returns names, so nothing that lists secrets can print one.

export type BackendId = 'keyring' | 'env' | 'file' | 'gh';

export interface SecretBackend {
  readonly id: BackendId;
  /** Whether `set` and `rm` work; env and gh are read-only sources. */
  readonly writable: boolean;
  get(name: string): Promise<string | undefined>;
  list(): Promise<string[]>;
  set?(name: string, value: string): Promise<void>;
  /** True when the backend held the name. */
  rm?(name: string): Promise<boolean>;
}
