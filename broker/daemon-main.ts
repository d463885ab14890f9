// Entry point of the detached broker process (`node dist/broker/daemon-main.js`).
// ensureBrokerRunning() starts it; it runs until SIGTERM, SIGINT or a shutdown request.
import { asContainaiError, formatError } from './errors.js';
import { startBroker } from './daemon.js';
import { resolvePaths } from './paths.js';
import { SecretStore } from './secret-store.js';

async function main(): Promise<void> {
  const paths = resolvePaths();
  const store = await SecretStore.create({ paths });
  const broker = await startBroker({ paths, secrets: async (name) => (await store.get(name)).value });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
    process.once(signal, () => void broker.stop());
  process.stdout.write(
    `containai broker: pid ${process.pid}, control socket ${broker.layout.controlSocket}\n`,
  );
  await broker.stopped;
}

main().catch((err: unknown) => {
  process.stderr.write(`${formatError(asContainaiError(err))}\n`);
  process.exitCode = asContainaiError(err).exitStatus;
});
