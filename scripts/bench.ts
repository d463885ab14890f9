// npm run bench: each hot path next to a baseline measured in the same run.
// Needs a running engine and the shell image (built here if missing).
import { DockerEngine } from '../launchers/docker/engine.js';
import { ensureAgentImage } from '../launchers/images/ensure-images.js';
import { installRoot } from '../launchers/install-root.js';
import { benchLaunch } from './bench/launch.js';
import { benchLifecycle } from './bench/lifecycle.js';
import { benchManifest } from './bench/manifest.js';
import { benchMcpRelay } from './bench/mcp-relay.js';
import { benchRedemption } from './bench/redemption.js';

async function main(): Promise<void> {
  const root = installRoot();
  const runs = Number(process.env.BENCH_RUNS ?? 7);
  await benchManifest(root, runs);
  await benchRedemption(Number(process.env.BENCH_REDEMPTIONS ?? 5000));
  const engine = DockerEngine.fromEnv();
  await engine.checkReady();
  const image = await ensureAgentImage(engine, 'shell', {
    env: process.env,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  await benchLaunch(root, image.ref, runs, 'restricted');
  await benchLaunch(root, image.ref, runs, 'squid');
  await benchMcpRelay(engine, image.ref, Number(process.env.BENCH_MCP_CALLS ?? 2000));
  await benchLifecycle(engine, root, image.ref, {
    sessions: Number(process.env.BENCH_SESSIONS ?? 20),
    squid: Number(process.env.BENCH_SQUID_SESSIONS ?? 5),
    parallel: Number(process.env.BENCH_LAUNCH_PARALLEL ?? 4),
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
