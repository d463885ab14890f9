// Runs once before the integration suite: the engine must be reachable (a
// missing engine fails the suite loudly; it is never skipped) and the shell
// image must exist, built through the same code path users take.
import type { TestProject } from 'vitest/node';
import { DockerEngine } from '../../launchers/docker/engine.js';
import { ensureAgentImage, ensureImage } from '../../launchers/images/ensure-images.js';

declare module 'vitest' {
  export interface ProvidedContext {
    shellImage: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const engine = DockerEngine.fromEnv(process.env);
  await engine.checkReady(10_000);
  const image = await ensureAgentImage(engine, 'shell', {
    env: process.env,
    log: (line) => process.stderr.write(`[global-setup] ${line}\n`),
  });
  project.provide('shellImage', image.ref);
  // The squid profile (the default) needs its sidecar images.
  for (const sidecar of ['proxy', 'log-forwarder']) {
    await ensureImage(engine, sidecar, {
      env: process.env,
      log: (line) => process.stderr.write(`[global-setup] ${line}\n`),
    });
  }
}
