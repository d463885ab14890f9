import { configDefaults, defineConfig } from 'vitest/config';

// Restarts the Docker daemon: it runs alone, after the integration project.
const ENGINE_RESTART_TESTS = ['test/integration/lifecycle/dockerd-restart.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Unit tests first (seconds), then the engine-bound suite.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...ENGINE_RESTART_TESTS],
          environment: 'node',
          // Builds (or finds, by content hash) the images once for the whole run.
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 900_000,
          // 2 cores: more parallel containers only add contention.
          maxWorkers: 2,
          fileParallelism: true,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'engine-restart',
          include: ENGINE_RESTART_TESTS,
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 900_000,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
