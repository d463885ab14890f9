// Threat: a misbehaving client or server (malformed JSON, a 20 MiB line, a
// crash mid-call) hangs the agent or takes the stub daemon down with it.
// Each gets a JSON-RPC error; the daemon keeps serving the other servers.
import { rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { leftovers, startCli, useTestEnv, waitForSessionContainer, storeSecret } from '../helpers/cli.js';
import { bundleFixtures } from './fixtures/bundle.js';
import {
  deliverFixtures,
  FIXTURE_DIR,
  sessionLogRecords,
  WAIT_FOR_FIXTURES,
  writeUserConfig,
} from './helpers.js';

let fixtures: Awaited<ReturnType<typeof bundleFixtures>>;
beforeAll(async () => {
  fixtures = await bundleFixtures();
  // Removed after the file, whatever happened.
  return () => rmSync(fixtures.dir, { recursive: true, force: true });
});

describe('relay limits and failures', () => {
  it('malformed JSON, a 20 MiB line and a crashing server each give a JSON-RPC error; other servers keep working', async () => {
    const t = useTestEnv({ CONTAINAI_KEYRING: '0' });
    await storeSecret(t.env, 'MCP_CANARY', 'limits-test-value');
    writeUserConfig(t);
    const run = startCli(
      'run-shell',
      [
        '--network-proxy',
        'restricted',
        '--prompt',
        `${WAIT_FOR_FIXTURES}\nnode ${FIXTURE_DIR}/raw-client.mjs`,
      ],
      { env: t.env },
    );
    const id = await waitForSessionContainer(t);
    await deliverFixtures(t.engine, id, {
      'server.mjs': fixtures.server,
      'raw-client.mjs': join(import.meta.dirname, 'fixtures', 'raw-client.mjs'),
    });
    const result = await run.done;
    expect(result.status, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form fixture output
    expect(out.aInit).toBe('containai-test');
    expect(out.bInit).toBe('containai-test');
    expect(out.malformed).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    expect(out.malformed.error.message).toMatch(/^containai: Parse error/);
    expect(out.oversize).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    expect(out.oversize.error.message).toContain('longer than 8388608 bytes');
    expect(out.afterErrors).toBe('still-serving');
    expect(out.bDuring).toBe('b-serving');
    expect(out.crash).toMatchObject({ jsonrpc: '2.0', id: 3, error: { code: -32603 } });
    expect(out.crash.error.message).toContain('MCP server "test" exited (status 3) before answering');
    expect(out.aClosed).toBe(true);
    expect(out.bAfter).toBe('b-after-crash');
    expect(out.newRelay).toBe('new-relay');
    expect(out.unknown.code).not.toBe(0);
    expect(out.unknown.stderr).toContain('no MCP server named "no-such-server"');

    const records = sessionLogRecords(t.home).filter((r) => r.type === 'mcp');
    expect(records.filter((r) => r.event === 'mcp-refused').map((r) => r.reason)).toEqual([
      'parse-error',
      'oversize',
    ]);
    expect(records).toContainEqual(
      expect.objectContaining({ event: 'mcp-server-stop', server: 'test', status: 3, unanswered: 1 }),
    );
    expect(records).toContainEqual(expect.objectContaining({ event: 'mcp-request', tool: 'crash' }));
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });
});
