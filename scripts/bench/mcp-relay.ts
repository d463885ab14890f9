// Relay overhead of `mcp-stub run`: round-trip of a trivial tools/call
// through the stub daemon vs straight to the same server process, both timed
// inside one container (shell image, the real stub daemon, no broker: the
// bench server needs no secret). Skipped when the engine or image is missing.
import { randomBytes } from 'node:crypto';
import type { Bundle } from '../../broker/capability.js';
import type { DockerEngine } from '../../launchers/docker/engine.js';
import { deliverBundle, STUB_USER } from '../../launchers/secrets/deliver-bundle.js';
import { agentContainerSpec } from '../../launchers/session/container-spec.js';
import { ms, printLine } from './stats.js';

// A trivial MCP-shaped server: answers every request line with a result.
const SERVER = `
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (l) => { const m = JSON.parse(l); if (m.id !== undefined)
  process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: 'ok' }] } }) + '\\n'); });
`;
const CLIENT = `
const { spawn } = require('child_process');
async function measure(cmd, args, n) {
  const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = ''; let waiting;
  p.stdout.on('data', (d) => { buf += d; const i = buf.indexOf('\\n'); if (i >= 0) { buf = buf.slice(i + 1); waiting(); } });
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await new Promise((r) => { waiting = r; p.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'noop', arguments: {} } }) + '\\n'); });
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  p.kill();
  return samples.slice(Math.floor(n / 10)).sort((a, b) => a - b);
}
(async () => {
  const n = Number(process.argv[2]);
  const direct = await measure('/usr/bin/node', ['/tmp/bench/server.js'], n);
  const relayed = await measure('mcp-stub', ['run', 'bench'], n);
  const p = (s, q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  console.log(JSON.stringify({ direct50: p(direct, 0.5), direct99: p(direct, 0.99), relay50: p(relayed, 0.5), relay99: p(relayed, 0.99) }));
})();
`;

export async function benchMcpRelay(engine: DockerEngine, image: string, count: number): Promise<void> {
  const session = `bench-mcp-${randomBytes(4).toString('hex')}`;
  const labels = { 'containai.session': session, 'containai.role': 'agent' };
  const volume = `${session}-ws`;
  await engine.createVolume(volume, labels);
  let id: string | undefined;
  try {
    id = await engine.createContainer(
      agentContainerSpec({
        name: session,
        image,
        labels,
        limits: { pids: 256, memoryBytes: 1024 ** 3, nanoCpus: 2e9 },
        workspaceVolume: volume,
      }),
    );
    await engine.startContainer(id);
    const bundle: Bundle = {
      version: 1,
      sessionId: 'B'.repeat(22),
      sessionKey: `${'A'.repeat(43)}=`,
      agent: 'shell',
      manifestHash: '0'.repeat(64),
      capabilities: [],
    };
    await deliverBundle(engine, id, bundle, [], 1, {
      session,
      servers: [
        { name: 'bench', command: '/usr/bin/node', args: ['/tmp/bench/server.js'], env: [], secretEnv: [] },
      ],
    });
    for (const [name, text] of [
      ['server.js', SERVER],
      ['client.js', CLIENT],
    ] as const) {
      await engine.execCapture(id, {
        cmd: ['sh', '-c', 'mkdir -p -m 755 /tmp/bench && cat > "/tmp/bench/$1"', 'w', name],
        user: STUB_USER,
        stdin: Buffer.from(text),
      });
    }
    const daemon = await engine.execCapture(id, {
      cmd: ['mcp-stub', 'daemon'],
      user: STUB_USER,
      workdir: '/',
    });
    if (daemon.exitCode !== 0) throw new Error(`stub daemon: ${daemon.stderr}`);
    const run = await engine.execCapture(id, {
      cmd: ['node', '/tmp/bench/client.js', String(count)],
      user: 'agent',
    });
    if (run.exitCode !== 0) throw new Error(`bench client: ${run.stderr}`);
    const r = JSON.parse(run.stdout.trim()) as Record<
      'direct50' | 'direct99' | 'relay50' | 'relay99',
      number
    >;
    const fmt = (v: number): string => `${v.toFixed(3)} ms`;
    printLine({
      name: `MCP tools/call p50 via mcp-stub run (${count})`,
      value: fmt(r.relay50),
      baseline: `direct p50 ${fmt(r.direct50)}`,
      ratio: r.relay50 / r.direct50,
    });
    printLine({ name: 'MCP relay added latency p50', value: fmt(r.relay50 - r.direct50), target: '≤ 1 ms' });
    printLine({ name: 'MCP relay p99 (direct p99)', value: `${fmt(r.relay99)} (${ms(r.direct99)})` });
  } finally {
    if (id) await engine.removeContainer(id);
    await engine.removeVolume(volume);
  }
}
