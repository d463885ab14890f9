// Redemptions over a real per-session socket against a real broker (in this
// process), against the same line protocol's cheapest round trip (a control
// socket ping) as the baseline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBroker } from '../../broker/client.js';
import { startBroker } from '../../broker/daemon.js';
import { resolvePaths } from '../../broker/paths.js';
import { SessionClient } from '../../broker/session-client.js';
import { ms, percentile, printLine } from './stats.js';

export async function benchRedemption(count: number): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'cab-'));
  const paths = resolvePaths({ CONTAINAI_HOME: home });
  const broker = await startBroker({ paths, secrets: async () => 'bench-secret-value' });
  try {
    const control = await connectBroker(paths);
    const opened = await control.openSession({
      agent: 'bench',
      manifestHash: 'a'.repeat(64),
      capabilities: [{ name: 'BENCH', scope: 'mcp' }],
      ttlSeconds: 3600,
      maxUses: 1_000_000,
    });
    const session = await SessionClient.connect(opened.socketPath, opened.bundle);
    const pings = await timed(count, () => control.ping());
    const started = process.hrtime.bigint();
    const redeems = await timed(count, () => session.redeem('BENCH'));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    session.close();
    control.close();
    printLine({
      name: `redemption p50 over ${count} (sequential)`,
      value: ms(percentile(redeems, 50)),
      baseline: `control ping p50 ${ms(percentile(pings, 50))}`,
      ratio: percentile(redeems, 50) / percentile(pings, 50),
    });
    printLine({ name: 'redemption p99', value: ms(percentile(redeems, 99)), target: '≤ 5 ms' });
    printLine({ name: 'redemptions per second', value: (count / seconds).toFixed(0), target: '≥ 5000' });
  } finally {
    await broker.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

async function timed(count: number, call: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    await call();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return samples;
}
