// A remote (Streamable HTTP) MCP server: the agent talks to it through
// `mcp-stub run NAME` like to a local one; the stub's bridge adds the secret
// header and goes out through the session's proxy (so the allowlist applies);
// the agent never sees the header. The server is a container of the test's
// own network with a certificate from a test CA built into the images.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerEngine } from '../../../launchers/docker/engine.js';
import { ensureImage } from '../../../launchers/images/ensure-images.js';
import {
  leftovers,
  startCli,
  TEST_RUN_LABEL,
  useTestEnv,
  waitForSessionContainer,
  storeSecret,
} from '../helpers/cli.js';
import { containsSecret } from '../helpers/leak-scan.js';
import { bundleFixtures } from './fixtures/bundle.js';
import { deliverFixtures, FIXTURE_DIR, sessionLogRecords, WAIT_FOR_FIXTURES } from './helpers.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const runId = randomBytes(4).toString('hex');
const namespace = `containai-test-ca-${runId}`;
const work = mkdtempSync(join(tmpdir(), 'containai-remote-mcp-'));
const engine = DockerEngine.fromEnv(process.env);
let imageEnv: NodeJS.ProcessEnv;
let fixtures: Awaited<ReturnType<typeof bundleFixtures>>;
let network = '';
let subnet = '';

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: work, stdio: 'ignore' });
}

beforeAll(async () => {
  // A test CA, and a certificate for mcp.test signed by it.
  mkdirSync(join(work, 'ca'));
  mkdirSync(join(work, 'upstream'));
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=containai test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca/containai-test-ca.crt',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=mcp.test',
    '-keyout',
    'upstream/server.key',
    '-out',
    'server.csr',
  );
  writeFileSync(join(work, 'ext.cnf'), 'subjectAltName=DNS:mcp.test\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca/containai-test-ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
    '-out',
    'upstream/server.crt',
  );
  execFileSync('chmod', ['-R', 'a+rX', join(work, 'upstream')]);
  await build({
    entryPoints: [join(import.meta.dirname, 'fixtures/http-server.ts')],
    outfile: join(work, 'upstream/http-server.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'esm',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  fixtures = await bundleFixtures();

  // The images, with the test CA among the "host" CAs, in a namespace of their own.
  const base = (await engine.imageId('debian:bookworm-slim'))
    ? 'debian:bookworm-slim'
    : 'containai/debian-base:bookworm';
  imageEnv = {
    ...process.env,
    CONTAINAI_CA_DIR: join(work, 'ca'),
    CONTAINAI_IMAGE_NAMESPACE: namespace,
    CONTAINAI_BASE_IMAGE: base,
  };
  for (const name of ['shell', 'proxy', 'log-forwarder'])
    await ensureImage(engine, name, { env: imageEnv, log: () => undefined });

  // The upstream: the remote MCP server as mcp.test on a network of the test's own.
  const labels = { 'containai.session': `test-remote-mcp-${runId}`, [TEST_RUN_LABEL]: `remote-${runId}` };
  network = `containai-test-remote-${runId}`;
  await engine.createNetwork({ Name: network, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
  const id = await engine.createContainer({
    name: `${network}-mcp`,
    Image: inject('shellImage'),
    Labels: labels,
    User: 'root',
    Entrypoint: ['node', '/fixture/http-server.mjs', '/fixture'],
    Cmd: [],
    HostConfig: { NetworkMode: network, Binds: [`${join(work, 'upstream')}:/fixture:ro`] },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: ['mcp.test'] } } },
  });
  await engine.startContainer(id);
  subnet = (await engine.inspectNetwork(network))?.IPAM?.Config?.[0]?.Subnet ?? '';
}, 600_000);

afterAll(async () => {
  await engine.removeLabelled([`${TEST_RUN_LABEL}=remote-${runId}`]);
  const tags = execFileSync(
    'docker',
    ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${namespace}/*`],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter(Boolean);
  // By tag: an image shared with the default namespace only loses this name.
  for (const tag of tags) await engine.removeImage(tag);
  rmSync(fixtures.dir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('a remote MCP server through the stub', () => {
  it('adds the secret header, goes out through the proxy, and the agent never sees the header', async () => {
    const t = useTestEnv({
      ...imageEnv,
      CONTAINAI_KEYRING: '0',
      CONTAINAI_EGRESS_NETWORK: network,
      CONTAINAI_TEST_ONLY_REACHABLE_CIDRS: subnet,
    });
    const token = `canary-${randomBytes(12).toString('hex')}`;
    await storeSecret(t.env, 'REMOTE_TOKEN', token);
    mkdirSync(join(t.home, 'config'), { recursive: true, mode: 0o700 });
    writeFileSync(
      join(t.home, 'config', 'config.toml'),
      '[mcp_servers.remote]\nurl = "https://mcp.test/mcp"\nheaders = { Authorization = "Bearer ${secret:REMOTE_TOKEN}" }\n',
    );
    const script = [
      WAIT_FOR_FIXTURES,
      'mkdir -p /tmp/relay',
      `node ${FIXTURE_DIR}/client.mjs remote "" /tmp/relay`,
      'cat /tmp/relay/to-client /tmp/relay/to-server | wc -c >&2',
    ].join('\n');
    const run = startCli('run-shell', ['--allow-domain', 'mcp.test', '--prompt', script], { env: t.env });
    const id = await waitForSessionContainer(t);
    await deliverFixtures(t.engine, id, { 'client.mjs': fixtures.client });
    const result = await run.done;
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout, result.stderr).toMatch(/"tools"/);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(out).toMatchObject({
      tools: ['echo', 'secret_sha256'],
      sha256: sha256(`Bearer ${token}`),
      echo: 'argument-marker-7f3a',
    });
    expect(containsSecret(result.stdout + result.stderr, token)).toBe(false);
    // Audited like a local server; the request went through the proxy.
    const records = sessionLogRecords(t.home);
    expect(
      records.some((r) => r.type === 'mcp' && r.method === 'tools/call' && r.tool === 'secret_sha256'),
    ).toBe(true);
    expect(records.some((r) => JSON.stringify(r).includes('mcp.test'))).toBe(true);
    expect(containsSecret(JSON.stringify(records), token)).toBe(false);
    expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
  });
});
