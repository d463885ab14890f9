// Test-only upstreams for the squid profile: a labelled egress network of the
// test's own, with HTTP servers answering as allowed.test and denied.test (on
// 80, 443 and 8443) and, when asked, a log collector. The proxy uses this
// network as its egress (CONTAINAI_EGRESS_NETWORK) and may reach its subnet
// (CONTAINAI_TEST_ONLY_REACHABLE_CIDRS). No traffic ever leaves the host.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { DockerEngine } from '../../../launchers/docker/engine.js';
import { TEST_RUN_LABEL } from '../helpers/cli.js';

export interface Upstreams {
  network: string;
  subnet: string;
  allowedIp: string;
  /** Env for the CLI: the proxy's egress is this network. */
  env: NodeJS.ProcessEnv;
  collectorId?: string;
}

const SERVER = String.raw`
const http = require('http');
const name = process.argv[1];
for (const port of [80, 443, 8443])
  http.createServer((req, res) => {
    res.setHeader('x-seen-via', String(req.headers['via'] ?? '-'));
    res.setHeader('x-seen-xff', String(req.headers['x-forwarded-for'] ?? '-'));
    res.end('hello from ' + name + ' ' + port + '\n');
  }).listen(port);
`;

// Fails the first N posts with 500 (before storing them), stores the others.
const COLLECTOR = String.raw`
const http = require('http');
const fs = require('fs');
let failFirst = Number(process.argv[1]);
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (failFirst > 0) { failFirst--; res.statusCode = 500; return res.end('not now'); }
    fs.appendFileSync('/tmp/received.ndjson', Buffer.concat(chunks));
    res.end('ok');
  });
}).listen(80);
`;

export async function startUpstreams(
  engine: DockerEngine,
  runId: string,
  opts: { collectorFailFirst?: number } = {},
): Promise<Upstreams> {
  const labels = { 'containai.session': `test-upstreams-${runId}`, [TEST_RUN_LABEL]: runId };
  const network = `containai-test-egress-${runId}-${randomBytes(3).toString('hex')}`;
  await engine.createNetwork({ Name: network, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
  const image = inject('shellImage');
  const start = async (alias: string, cmd: string[]): Promise<string> => {
    const id = await engine.createContainer({
      name: `${network}-${alias.replace(/\./g, '-')}`,
      Image: image,
      Labels: labels,
      User: 'root',
      Entrypoint: ['node', '-e'],
      Cmd: cmd,
      HostConfig: { NetworkMode: network },
      NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [alias] } } },
    });
    await engine.startContainer(id);
    return id;
  };
  const allowedId = await start('allowed.test', [SERVER, 'allowed-upstream']);
  await start('denied.test', [SERVER, 'denied-upstream']);
  const collectorId =
    opts.collectorFailFirst === undefined
      ? undefined
      : await start('collector.test', [COLLECTOR, String(opts.collectorFailFirst)]);
  const info = await engine.inspectNetwork(network);
  const subnet = info?.IPAM?.Config?.[0]?.Subnet;
  if (!subnet) throw new Error(`no subnet on ${network}`);
  const allowedIp = (await engine.inspectContainer(allowedId)).NetworkSettings.Networks[network]?.IPAddress;
  if (!allowedIp) throw new Error('allowed upstream has no address');
  // The servers take a moment to listen.
  await waitForListening(engine, allowedId);
  return {
    network,
    subnet,
    allowedIp,
    collectorId,
    env: { CONTAINAI_EGRESS_NETWORK: network, CONTAINAI_TEST_ONLY_REACHABLE_CIDRS: subnet },
  };
}

async function waitForListening(engine: DockerEngine, id: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await engine.execCapture(id, {
      cmd: ['bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/8443'],
      user: 'root',
    });
    if (r.exitCode === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('upstream never listened');
}

/** Records of a session's host log file, parsed (every line must be JSON). */
export function parseLogLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
