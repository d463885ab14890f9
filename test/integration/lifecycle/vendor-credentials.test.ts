// Threat: a vendor agent's API key leaks beyond the one process that needs it
// (engine metadata, exec records, host state, the session's proxy log), or a
// session starts without its key and fails somewhere deep with no hint.
// claude talks to a fake Anthropic API of the test's own (an upstream
// container on a test network, reached through the session's squid proxy):
// no traffic leaves the host. The fake records only the SHA-256 of the
// x-api-key header it receives, so no log this test prints holds the key.
//
// How the fake API is injected: the launcher has no per-run env flag, but
// `--secret NAME=ENVVAR` delivers any stored value to the agent process as
// ENVVAR. The base URL (ANTHROPIC_BASE_URL) and claude's retry limit
// (CLAUDE_CODE_MAX_RETRIES=0: without it, claude retries a 401 for minutes)
// are stored as secrets and granted that way.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { AGENTS } from '../../../launchers/agents/definitions.js';
import { DockerEngine } from '../../../launchers/docker/engine.js';
import { LABEL } from '../../../launchers/docker/labels.js';
import { ensureAgentImage } from '../../../launchers/images/ensure-images.js';
import {
  leftovers,
  runCli,
  startCli,
  TEST_RUN_LABEL,
  useTestEnv,
  waitForSessionContainer,
  type TestEnv,
  storeSecret,
} from '../helpers/cli.js';
import { containerProcesses, containsSecret, docker, filesContaining } from '../helpers/leak-scan.js';
import { parseLogLines } from '../network/upstreams.js';

const NONE = { containers: [], volumes: [], networks: [] };
const FAKE_API_HOST = 'api.anthropic.test';
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The environment without any source of the key the test does not control. */
function scrubbedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (name === 'ANTHROPIC_API_KEY' || name.startsWith('CONTAINAI_SECRET_')) delete env[name];
  return { ...env, CONTAINAI_KEYRING: '0', CONTAINAI_ALLOW_TAMPERED: '1' };
}

function testEnv(extra: NodeJS.ProcessEnv = {}): TestEnv {
  const t = useTestEnv();
  t.env = { ...scrubbedEnv(), CONTAINAI_HOME: t.home, CONTAINAI_LABELS: t.env.CONTAINAI_LABELS, ...extra };
  return t;
}

// Records {method, url, keySha256} per request, then holds the answer until
// /tmp/release exists (so the test can inspect the live session), then
// answers as the real API does for a bad key.
const FAKE_API = String.raw`
const http = require('http');
const fs = require('fs');
const crypto = require('crypto');
http.createServer((req, res) => {
  const key = req.headers['x-api-key'];
  fs.appendFileSync('/tmp/seen.ndjson', JSON.stringify({
    method: req.method,
    url: req.url,
    keySha256: key === undefined ? null : crypto.createHash('sha256').update(String(key)).digest('hex'),
  }) + '\n');
  req.resume();
  const answer = () => {
    if (!fs.existsSync('/tmp/release')) return setTimeout(answer, 50);
    res.statusCode = 401;
    res.setHeader('content-type', 'application/json');
    res.setHeader('request-id', 'req_fake');
    res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }));
  };
  answer();
}).listen(80);
`;

interface FakeApi {
  network: string;
  containerId: string;
  env: NodeJS.ProcessEnv;
  seen(): Promise<Array<{ method: string; url: string; keySha256: string | null }>>;
  release(): Promise<void>;
}

async function startFakeApi(engine: DockerEngine, runId: string): Promise<FakeApi> {
  const labels = { 'containai.session': `test-fake-anthropic-${runId}`, [TEST_RUN_LABEL]: runId };
  const network = `containai-test-anthropic-${runId}`;
  await engine.createNetwork({ Name: network, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
  const containerId = await engine.createContainer({
    name: `${network}-api`,
    Image: inject('shellImage'),
    Labels: labels,
    User: 'root',
    Entrypoint: ['node', '-e'],
    Cmd: [FAKE_API],
    HostConfig: { NetworkMode: network },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [FAKE_API_HOST] } } },
  });
  await engine.startContainer(containerId);
  const subnet = (await engine.inspectNetwork(network))?.IPAM?.Config?.[0]?.Subnet;
  if (!subnet) throw new Error(`no subnet on ${network}`);
  const sh = async (script: string): Promise<string> => {
    const r = await engine.execCapture(containerId, { cmd: ['bash', '-c', script], user: 'root' });
    if (r.exitCode !== 0) throw new Error(`fake API exec failed: ${r.stderr}`);
    return r.stdout;
  };
  for (let i = 0; ; i++) {
    const r = await engine.execCapture(containerId, {
      cmd: ['bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/80'],
      user: 'root',
    });
    if (r.exitCode === 0) break;
    if (i > 100) throw new Error('the fake API never listened');
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    network,
    containerId,
    env: { CONTAINAI_EGRESS_NETWORK: network, CONTAINAI_TEST_ONLY_REACHABLE_CIDRS: subnet },
    seen: async () =>
      (await sh('cat /tmp/seen.ndjson 2>/dev/null || true'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { method: string; url: string; keySha256: string | null }),
    release: async () => void (await sh('touch /tmp/release')),
  };
}

describe('run-claude and its API key', () => {
  let claudeImage: string;

  beforeAll(async () => {
    // Built through the launcher's own path (cached by content hash: only a changed tree pays).
    const image = await ensureAgentImage(DockerEngine.fromEnv(process.env), AGENTS.claude!.imageDir, {
      env: process.env,
      log: (line) => process.stderr.write(`[vendor-credentials] ${line}\n`),
    });
    claudeImage = image.ref;
  }, 900_000);

  it('without a stored key fails before building or creating anything, naming the secret and the command', async () => {
    // A fresh image namespace: had the launcher planned an image, it would have to build one here.
    const namespace = `containai-test-${randomBytes(4).toString('hex')}`;
    const t = testEnv({ CONTAINAI_IMAGE_NAMESPACE: namespace });
    const started = Date.now();
    const r = await runCli('run-claude', ['--prompt', 'hi'], { env: t.env });
    const elapsed = Date.now() - started;
    expect(r.stderr).toContain('error SECRET_NOT_FOUND:');
    expect(r.stderr).toContain('ANTHROPIC_API_KEY');
    expect(r.stderr).toContain('containai secrets set ANTHROPIC_API_KEY');
    expect(r.status).toBe(83);
    expect(r.stdout).toBe('');
    expect(await leftovers(t)).toEqual(NONE);
    expect(docker('images', '-q', `${namespace}/*`).trim()).toBe('');
    // No launch record, no broker, no socket dir: nothing for gc to find.
    expect(existsSync(join(t.home, 'state', 'launches'))).toBe(false);
    expect(existsSync(join(t.home, 'run', 'sessions'))).toBe(false);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('with a stored canary key: only the claude process holds it, the fake API sees its hash, and claude’s own error and exit status come back', async () => {
    const t = testEnv();
    const api = await startFakeApi(t.engine, t.runId);
    const canary = `sk-ant-canary-${randomBytes(16).toString('hex')}`;
    await storeSecret(t.env, 'ANTHROPIC_API_KEY', canary);
    await storeSecret(t.env, 'CLAUDE_BASE', `http://${FAKE_API_HOST}`);
    await storeSecret(t.env, 'CLAUDE_RETRIES', '0');

    const run = startCli(
      'run-claude',
      [
        '--allow-domain',
        FAKE_API_HOST,
        '--secret',
        'CLAUDE_BASE=ANTHROPIC_BASE_URL',
        '--secret',
        'CLAUDE_RETRIES=CLAUDE_CODE_MAX_RETRIES',
        '--prompt',
        'hi',
      ],
      { env: { ...t.env, ...api.env } },
    );
    const id = await waitForSessionContainer(t, 120_000);

    // The request is held at the fake API: the session is live while we look.
    let seen: Awaited<ReturnType<FakeApi['seen']>> = [];
    for (const deadline = Date.now() + 90_000; seen.length === 0 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 200));
      seen = await api.seen();
    }
    expect(seen.length, 'claude never reached the fake API').toBeGreaterThan(0);
    expect(seen[0]).toMatchObject({ method: 'POST', keySha256: sha256(canary) });
    expect(seen[0]!.url).toMatch(/^\/v1\/messages/);

    // Engine metadata of every container of the test, and every exec's record.
    for (const container of await t.engine.listContainers([`${TEST_RUN_LABEL}=${t.runId}`])) {
      const inspect = docker('inspect', container.Id);
      expect(containsSecret(inspect, canary), `docker inspect ${container.Names[0]}`).toBe(false);
      const execIds = (JSON.parse(inspect) as Array<{ ExecIDs: string[] | null }>)[0]?.ExecIDs ?? [];
      for (const execId of execIds)
        expect(containsSecret(JSON.stringify(await t.engine.inspectExec(execId)), canary)).toBe(false);
    }
    // Processes: only claude's own hold it, in their environment, never on a command line.
    const processes = containerProcesses(id);
    const holders = processes.filter((p) => containsSecret(p.environ, canary));
    const summary = processes.map((p) => `${p.pid} uid=${p.uid} ${p.cmdline}`).join('\n');
    expect(holders.length, summary).toBeGreaterThan(0);
    for (const p of processes) expect(containsSecret(p.cmdline, canary)).toBe(false);
    for (const p of holders)
      expect({ uid: p.uid, claude: /claude/.test(p.cmdline) }, summary).toEqual({ uid: 1000, claude: true });

    await api.release();
    const result = await run.done;
    const output = result.stdout + result.stderr;
    expect(containsSecret(output, canary)).toBe(false);
    expect(output).toMatch(/Invalid API key/i);

    // Reference: the same CLI, same image, same fake API, run directly (a dummy key).
    const reference = spawnSync(
      'docker',
      [
        'run',
        '--rm',
        '--label',
        `${TEST_RUN_LABEL}=${t.runId}`,
        '--network',
        api.network,
        '-u',
        '1000',
        '-e',
        'HOME=/tmp',
        '-e',
        `ANTHROPIC_BASE_URL=http://${FAKE_API_HOST}`,
        '-e',
        'ANTHROPIC_API_KEY=not-the-canary',
        '-e',
        'CLAUDE_CODE_MAX_RETRIES=0',
        '--entrypoint',
        'claude',
        claudeImage,
        '--print',
        '--dangerously-skip-permissions',
        '--',
        'hi',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(reference.status).not.toBe(0);
    expect(reference.stdout + reference.stderr).toMatch(/Invalid API key/i);
    expect(result.status, result.stderr).toBe(reference.status);

    // The request went through the session's proxy and is in its log; the
    // log, the audit log, manifests and every other state file lack the key.
    const logsDir = join(t.home, 'state', 'logs');
    const logs = readdirSync(logsDir);
    expect(logs).toHaveLength(1);
    const records = parseLogLines(readFileSync(join(logsDir, logs[0]!), 'utf8'));
    expect(
      records.some((r) => r.type === 'proxy' && String(r.url).startsWith(`http://${FAKE_API_HOST}/`)),
    ).toBe(true);
    expect(filesContaining(t.home, canary, [join(t.home, 'config', 'mcp-secrets.env')])).toEqual([]);
    // Every session object is gone (the fake API's own network and container remain until cleanup).
    expect(await t.engine.findLabelled([`${TEST_RUN_LABEL}=${t.runId}`, LABEL.launch])).toEqual(NONE);
  });
});
