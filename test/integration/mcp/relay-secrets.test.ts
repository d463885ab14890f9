// Threat: the agent (hostile) learns the credential an MCP server uses. The
// server is declared in config.toml with env = { X = "${secret:NAME}" }; the
// agent may call its tools through `mcp-stub run NAME`, but the secret lives
// only in the server process (uid containai-stub): never in the agent's
// processes, files, the relay stream, or the audit trail.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { leftovers, startCli, useTestEnv, waitForSessionContainer, storeSecret } from '../helpers/cli.js';
import { containerProcesses, containsSecret, filesContaining } from '../helpers/leak-scan.js';
import { bundleFixtures } from './fixtures/bundle.js';
import {
  deliverFixtures,
  FIXTURE_DIR,
  sessionLogRecords,
  WAIT_FOR_FIXTURES,
  waitForOutput,
  writeUserConfig,
} from './helpers.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
let fixtures: Awaited<ReturnType<typeof bundleFixtures>>;

beforeAll(async () => {
  fixtures = await bundleFixtures();
  // Removed after the file, whatever happened.
  return () => rmSync(fixtures.dir, { recursive: true, force: true });
});

describe('an MCP server through the stub', () => {
  it.each(['restricted', 'squid'])(
    '%s: the SDK client lists and calls tools; the secret stays in the server process; audit reaches the host',
    async (profile) => {
      const t = useTestEnv({ CONTAINAI_KEYRING: '0' });
      const secret = `canary-${randomBytes(12).toString('hex')}`;
      await storeSecret(t.env, 'MCP_CANARY', secret);
      writeUserConfig(t);
      const script = [
        WAIT_FOR_FIXTURES,
        'mkdir -p /tmp/relay',
        `node ${FIXTURE_DIR}/client.mjs test /tmp/hold /tmp/relay`,
      ].join('\n');
      const run = startCli('run-shell', ['--network-proxy', profile, '--prompt', script], { env: t.env });
      const id = await waitForSessionContainer(t);
      await deliverFixtures(t.engine, id, { 'server.mjs': fixtures.server, 'client.mjs': fixtures.client });
      await waitForOutput(run.child, 'client-ready');

      // Host-side view of every process: agent-uid ones never hold the secret;
      // the server (uid 999) does, in its environment only.
      const processes = containerProcesses(id);
      const summary = processes.map((p) => `${p.pid} ${p.uid} ${p.cmdline}`).join('\n');
      for (const p of processes) {
        expect(containsSecret(p.cmdline, secret), summary).toBe(false);
        if (p.uid === 1000) expect(containsSecret(p.environ, secret), `${p.pid} ${p.cmdline}`).toBe(false);
      }
      const server = processes.find((p) => p.uid === 999 && p.cmdline.includes('server.mjs'));
      expect(server, summary).toBeDefined();
      expect(containsSecret(server!.environ, secret)).toBe(true);
      // The stub daemon holds it in memory only.
      for (const p of processes.filter((p) => p.uid === 999 && p !== server))
        expect(containsSecret(p.environ, secret)).toBe(false);

      // As the agent user: the server's environ, /run/containai, the relay stream and everything readable.
      const serverPidInContainer = await t.engine.execCapture(id, {
        cmd: ['pgrep', '-u', 'containai-stub', '-f', 'server.mjs'],
        user: 'agent',
      });
      const pid = serverPidInContainer.stdout.trim().split('\n')[0];
      const probe = await t.engine.execCapture(id, {
        cmd: [
          'sh',
          '-c',
          // The canary arrives on stdin, so no probe process carries it in argv.
          [
            'read -r s',
            'cat /proc/$1/environ >/dev/null 2>&1 && echo environ=ok || echo environ=denied',
            'ls /run/containai >/dev/null 2>&1 && echo ls=ok || echo ls=denied',
            'printf "%s\\n" "$s" | grep -rqF -f - /tmp/relay /home/agent /workspace /run/containai-agent 2>/dev/null && echo files=leak || echo files=clean',
            'for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do case "$(tr "\\0" " " < $f 2>/dev/null)" in *"$s"*) echo "leak $f";; esac; done; echo proc=scanned',
            'wc -c < /tmp/relay/to-client',
          ].join('\n'),
          'probe',
          pid ?? '0',
        ],
        user: 'agent',
        stdin: Buffer.from(`${secret}\n`),
      });
      const lines = probe.stdout.trim().split('\n');
      expect(lines.slice(0, 4)).toEqual(['environ=denied', 'ls=denied', 'files=clean', 'proc=scanned']);
      expect(Number(lines[4])).toBeGreaterThan(100);

      await t.engine.execCapture(id, { cmd: ['touch', '/tmp/hold'], user: 'agent' });
      const result = await run.done;
      expect(result.stderr).not.toContain('error');
      expect(result.status).toBe(0);
      const out = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
      expect(out).toMatchObject({
        tools: ['crash', 'echo', 'secret_sha256'],
        sha256: sha256(secret),
        echo: 'argument-marker-7f3a',
      });
      expect(containsSecret(result.stdout + result.stderr, secret)).toBe(false);

      // Audit on the host: initialize, tools/list, tools/call with the tool name; no arguments, no secret.
      const records = sessionLogRecords(t.home).filter((r) => r.type === 'mcp');
      const requests = records.filter((r) => r.event === 'mcp-request' && r.from === 'client');
      expect(requests.map((r) => r.method)).toEqual(
        expect.arrayContaining(['initialize', 'notifications/initialized', 'tools/list', 'tools/call']),
      );
      expect(requests.filter((r) => r.method === 'tools/call').map((r) => r.tool)).toEqual([
        'secret_sha256',
        'echo',
      ]);
      expect(records.some((r) => r.event === 'mcp-server-start' && r.server === 'test')).toBe(true);
      expect(records.some((r) => r.event === 'mcp-server-stop' && r.server === 'test')).toBe(true);
      for (const r of records) {
        expect(typeof r.session).toBe('string');
        expect(r.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      }
      const logText = JSON.stringify(records);
      expect(logText).not.toContain('argument-marker-7f3a');
      expect(containsSecret(logText, secret)).toBe(false);
      // Host state (logs, manifests, audit log): only the secrets file holds the value.
      expect(filesContaining(t.home, secret, [join(t.home, 'config', 'mcp-secrets.env')])).toEqual([]);
      expect(readFileSync(join(t.home, 'config', 'config.toml'), 'utf8')).not.toContain(secret);
      expect(await leftovers(t)).toEqual({ containers: [], volumes: [], networks: [] });
    },
  );
});
