import {defineConfig} from 'vitest/config';

// Unit tests are pure and run in parallel; integration tests share one real
// Docker engine on a 2-core machine, so they run one file at a time.
export default defineConfig({
  test: {
    projects: [
      {test: {name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node'}},
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          // The real-services file gates services concurrently: mostly waiting, but JVMs on 2 cores.
          maxConcurrency: 3,
          globalSetup: ['test/helpers/global-setup.ts']
        }
      }
    ]
  }
});
