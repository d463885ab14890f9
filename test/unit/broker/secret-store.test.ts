import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keyringUsable } from '../../../broker/secret-backends/keyring.js';
import { SecretStore } from '../../../broker/secret-store.js';

const VALUE = 'hunter2-\n"quoted" value=with=equals';
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function home(): { root: string; config: string; paths: { config: string; state: string; runtime: string } } {
  const root = mkdtempSync(join(tmpdir(), 'containai-secrets-'));
  dirs.push(root);
  const config = join(root, 'config');
  return { root, config, paths: { config, state: join(root, 'state'), runtime: join(root, 'run') } };
}

function store(
  paths: { config: string; state: string; runtime: string },
  env: Record<string, string> = {},
  gh: string | false = false,
) {
  return SecretStore.create({ paths, env, keyring: false, gh: gh === false ? false : { command: gh } });
}

describe('file backend', () => {
  it('creates the file 0600 in a 0700 dir and round-trips any value', async () => {
    const { config, paths } = home();
    const secrets = await store(paths);
    expect(await secrets.set('DEMO', VALUE)).toBe('file');
    expect(statSync(config).mode & 0o777).toBe(0o700);
    expect(statSync(join(config, 'mcp-secrets.env')).mode & 0o777).toBe(0o600);
    expect(await secrets.get('DEMO')).toEqual({ value: VALUE, backend: 'file' });
    expect(await secrets.rm('DEMO')).toEqual(['file']);
    await expect(secrets.get('DEMO')).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
  });

  it.each([
    ['file', 0o644, 0o700],
    ['file', 0o640, 0o700],
    ['directory', 0o600, 0o755],
  ])(
    'refuses a group/world-readable %s (file %o, dir %o), without printing the value',
    async (_what, fileMode, dirMode) => {
      const { config, paths } = home();
      mkdirSync(config, { mode: 0o700 });
      writeFileSync(join(config, 'mcp-secrets.env'), `DEMO=${VALUE.split('\n')[0]}\n`, { mode: 0o600 });
      chmodSync(join(config, 'mcp-secrets.env'), fileMode);
      chmodSync(config, dirMode);
      const secrets = await store(paths);
      const error = await secrets.get('DEMO').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SECRET_STORE_INSECURE' });
      expect(JSON.stringify(error) + String(error)).not.toContain('hunter2');
      await expect(secrets.list()).rejects.toMatchObject({ code: 'SECRET_STORE_INSECURE' });
      await expect(secrets.set('OTHER', 'x')).rejects.toMatchObject({ code: 'SECRET_STORE_INSECURE' });
    },
  );

  it('reports a malformed line by number only', async () => {
    const { config, paths } = home();
    mkdirSync(config, { mode: 0o700 });
    writeFileSync(join(config, 'mcp-secrets.env'), 'lower=hunter2\n', { mode: 0o600 });
    const error = await (await store(paths)).list().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('line 1') });
    expect(String((error as Error).message)).not.toContain('hunter2');
  });
});

describe('SecretStore', () => {
  it('reads CONTAINAI_SECRET_<NAME> before the file, read-only, and lists names and backends only', async () => {
    const { paths } = home();
    const secrets = await store(paths, {
      CONTAINAI_SECRET_DEMO: 'from-env',
      CONTAINAI_SECRET_lower: 'ignored',
    });
    await secrets.set('DEMO', 'from-file');
    await secrets.set('ONLY_FILE', 'file-value');
    expect(await secrets.get('DEMO')).toEqual({ value: 'from-env', backend: 'env' });
    const listed = await secrets.list();
    expect(listed).toEqual([
      { name: 'DEMO', backend: 'env', shadowed: ['file'] },
      { name: 'ONLY_FILE', backend: 'file', shadowed: [] },
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/from-env|from-file|file-value/);
    await secrets.rm('DEMO');
    await expect(secrets.rm('DEMO')).rejects.toMatchObject({ code: 'SECRET_STORE_READONLY' });
  });

  it('takes GITHUB_TOKEN, and only that, from gh auth token (argv, not a shell)', async () => {
    const { root, paths } = home();
    const fakeGh = join(root, 'gh');
    writeFileSync(fakeGh, '#!/bin/sh\n[ "$1 $2" = "auth token" ] && echo gho_faketoken\n', { mode: 0o700 });
    const secrets = await store(paths, {}, fakeGh);
    expect(await secrets.get('GITHUB_TOKEN')).toEqual({ value: 'gho_faketoken', backend: 'gh' });
    expect(await secrets.find('GH_OTHER')).toBeUndefined();
    expect(await secrets.list()).toEqual([{ name: 'GITHUB_TOKEN', backend: 'gh', shadowed: [] }]);
    const missing = await store(paths, {}, join(root, 'no-such-gh'));
    expect(await missing.find('GITHUB_TOKEN')).toBeUndefined();
  });

  it('validates names before touching any backend', async () => {
    const { config, paths } = home();
    const secrets = await store(paths);
    for (const bad of ['demo', '1ABC', 'A-B', `A${'B'.repeat(64)}`, '../X', 'A\nB']) {
      await expect(secrets.set(bad, 'v')).rejects.toMatchObject({ code: 'NAME_INVALID' });
    }
    expect(() => readFileSync(join(config, 'mcp-secrets.env'))).toThrow();
  });
});

describe('keyring detection', () => {
  it('says no quickly on Linux without a session bus, and on a bus with no Secret Service', async () => {
    const started = Date.now();
    expect(await keyringUsable({ platform: 'linux', env: {} })).toBe(false);
    expect(
      await keyringUsable({
        platform: 'linux',
        env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
      }),
    ).toBe(false);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await keyringUsable({ platform: 'darwin' })).toBe(true);
  });
});
