// The squid profile's objects: hardened sidecars on the right networks, all
// labelled and all removed at the end; a broken proxy or a hostile
// --allow-domain stops the launch with nothing left behind; `restricted`
// keeps no network at all.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { leftovers, runCli, startCli, TEST_RUN_LABEL, useTestEnv, type TestEnv } from '../helpers/cli.js';
import { parseLogLines, startUpstreams } from './upstreams.js';

async function waitForRole(t: TestEnv, role: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const found = await t.engine.listContainers([`${TEST_RUN_LABEL}=${t.runId}`, `containai.role=${role}`]);
    const running = found.find((c) => c.State === 'running');
    if (running) return running.Id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no running ${role} container`);
}

const NOTHING = { containers: [], volumes: [], networks: [] };

describe('squid profile objects', () => {
  it('puts the agent on an internal network only, hardens both sidecars, and removes everything', async () => {
    const t = useTestEnv();
    const run = startCli('run-shell', ['--prompt', 'echo ready; sleep 60'], { env: t.env });
    await new Promise<void>((resolve) =>
      run.child.stdout!.on('data', (c: Buffer) => c.includes('ready') && resolve()),
    );
    const agent = await t.engine.inspectContainer(await waitForRole(t, 'agent'));
    const proxy = await t.engine.inspectContainer(await waitForRole(t, 'proxy'));
    const logs = await t.engine.inspectContainer(await waitForRole(t, 'logs'));
    const internal = await t.engine.inspectNetwork(agent.HostConfig.NetworkMode ?? '');
    run.child.kill('SIGTERM');
    await run.done;

    expect(internal?.Internal).toBe(true);
    expect(Object.keys(agent.NetworkSettings.Networks)).toEqual([agent.HostConfig.NetworkMode]);
    expect(agent.Config.Env).toEqual(
      expect.arrayContaining([
        'HTTP_PROXY=http://proxy:3128',
        'HTTPS_PROXY=http://proxy:3128',
        'http_proxy=http://proxy:3128',
        'https_proxy=http://proxy:3128',
        'NO_PROXY=localhost,127.0.0.1',
      ]),
    );
    // The log volume is mounted in the sidecars only.
    const logVolume = proxy.Mounts.find((m) => m.Destination === '/var/log/squid')?.Name;
    expect(logVolume).toBeTruthy();
    expect(agent.Mounts.some((m) => m.Name === logVolume)).toBe(false);
    expect(logs.Mounts.find((m) => m.Name === logVolume)?.RW).toBe(false);
    // The proxy joins the internal and an egress network; the forwarder none (no HTTP sink).
    expect(Object.keys(proxy.NetworkSettings.Networks)).toHaveLength(2);
    expect(logs.HostConfig.NetworkMode).toBe('none');
    for (const sidecar of [proxy, logs]) {
      expect(sidecar.HostConfig.ReadonlyRootfs).toBe(true);
      expect(sidecar.HostConfig.CapDrop).toEqual(['ALL']);
      expect(sidecar.HostConfig.CapAdd ?? []).toEqual([]);
      expect(sidecar.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
      expect(sidecar.HostConfig.PidsLimit).toBeGreaterThan(0);
      expect(sidecar.Config.User).toBe('13:13');
      expect(sidecar.Config.Labels['containai.session']).toBe(agent.Config.Labels['containai.session']);
    }
    expect(Object.keys(proxy.HostConfig.Tmpfs ?? {}).sort()).toEqual(['/run/squid', '/var/spool/squid']);
    expect(await leftovers(t)).toEqual(NOTHING);
  });

  it('aborts the launch when the proxy does not answer (EGRESS_CHECK_FAILED), leaving nothing', async () => {
    // The shell image as "proxy": it idles instead of serving 3128.
    const t = useTestEnv({ CONTAINAI_TEST_ONLY_PROXY_IMAGE: inject('shellImage') });
    const result = await runCli('run-shell', ['--prompt', 'echo agent-ran'], { env: t.env });
    expect(result.status).toBe(97);
    expect(result.stderr).toContain('EGRESS_CHECK_FAILED');
    expect(result.stderr).toContain('proxy: no answer');
    expect(result.stdout).not.toContain('agent-ran');
    expect(await leftovers(t)).toEqual(NOTHING);
    // The failed check is in the session's log.
    const dir = join(t.home, 'state', 'logs');
    const records = parseLogLines(readFileSync(join(dir, readdirSync(dir)[0] ?? ''), 'utf8'));
    expect(records.find((r) => r.event === 'egress-check')).toMatchObject({ ok: false });
  });

  it.each([
    ['example.com\nhttp_access allow all'],
    ['*'],
    ['169.254.169.254'],
    ['http://example.com/'],
    ['localhost'],
    ['.com'],
  ])('refuses --allow-domain %j with ALLOWLIST_INVALID before creating anything', async (value) => {
    const t = useTestEnv();
    const result = await runCli('run-shell', [`--allow-domain=${value}`, '--prompt', 'true'], { env: t.env });
    expect(result.status).toBe(96);
    expect(result.stderr).toContain('ALLOWLIST_INVALID');
    expect(result.stderr).not.toContain('\nhttp_access');
    expect(await leftovers(t)).toEqual(NOTHING);
  });

  it('restricted: no network but loopback, no sidecars', async () => {
    const t = useTestEnv();
    const run = startCli(
      'run-shell',
      ['--network-proxy', 'restricted', '--prompt', 'ls /sys/class/net; sleep 60'],
      {
        env: t.env,
      },
    );
    await new Promise<void>((resolve) =>
      run.child.stdout!.on('data', (c: Buffer) => c.includes('lo') && resolve()),
    );
    const agent = await t.engine.inspectContainer(await waitForRole(t, 'agent'));
    const all = await t.engine.listContainers([`${TEST_RUN_LABEL}=${t.runId}`]);
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.stdout).toBe('lo\n');
    expect(agent.HostConfig.NetworkMode).toBe('none');
    expect(all).toHaveLength(1);
    expect(await leftovers(t)).toEqual(NOTHING);
  });
});

describe('HTTP log sink', () => {
  it('delivers every line exactly once when the collector fails the first posts', async () => {
    const t = useTestEnv();
    const up = await startUpstreams(t.engine, t.runId, { collectorFailFirst: 2 });
    const result = await runCli(
      'run-shell',
      [
        '--allow-domain',
        'allowed.test',
        '--prompt',
        'for i in 1 2 3; do curl -s -o /dev/null http://allowed.test/$i; done',
      ],
      { env: { ...t.env, ...up.env, CONTAINAI_LOG_HTTP_ENDPOINT: 'http://collector.test/ingest' } },
    );
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain('could not be delivered');
    const dir = join(t.home, 'state', 'logs');
    const file = parseLogLines(readFileSync(join(dir, readdirSync(dir)[0] ?? ''), 'utf8'));
    const received = await t.engine.execCapture(up.collectorId ?? '', {
      cmd: ['cat', '/tmp/received.ndjson'],
      user: 'root',
    });
    const shipped = parseLogLines(received.stdout);
    // Everything but the final summary (written after the sink closed), once each, in order.
    expect(shipped).toEqual(file.slice(0, -1));
    expect(shipped.filter((r) => r.type === 'proxy').map((r) => r.url)).toEqual(
      expect.arrayContaining(['http://allowed.test/1', 'http://allowed.test/2', 'http://allowed.test/3']),
    );
    expect(file.at(-1)).toMatchObject({ event: 'summary', http: { dropped: 0, failedPosts: 2 } });
  });

  it('still runs the session when the collector is down, and reports the drop count', async () => {
    const t = useTestEnv();
    const up = await startUpstreams(t.engine, t.runId);
    const result = await runCli('run-shell', ['--prompt', 'echo ran'], {
      env: { ...t.env, ...up.env, CONTAINAI_LOG_HTTP_ENDPOINT: 'http://nobody-listens.test/ingest' },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('ran\n');
    expect(result.stderr).toMatch(
      /log forwarder: \d+ log lines could not be delivered to http:\/\/nobody-listens\.test\/ingest/,
    );
    const dir = join(t.home, 'state', 'logs');
    const file = parseLogLines(readFileSync(join(dir, readdirSync(dir)[0] ?? ''), 'utf8'));
    const summary = file.at(-1) as { http?: { dropped: number; delivered: number } };
    expect(summary.http?.delivered).toBe(0);
    expect(summary.http?.dropped).toBe(file.length - 1);
    // Only the test's own upstreams remain; every session object is gone.
    expect(await t.engine.findLabelled([`${TEST_RUN_LABEL}=${t.runId}`, 'containai.role'])).toEqual(NOTHING);
  });
});
