import {randomBytes} from 'node:crypto';
import {defineConfig} from 'vitest/config';

// Every portgate this suite starts (CLI and Action children inherit the
// environment; DockerEngine instances in the tests read it) labels what it
// creates io.portgate.job=<this id>, so the leftover checks count only this
// suite's containers and networks: another portgate run on a shared engine
// (a second CI job, a developer's run) neither fails them nor hides in them.
// scripts/test.sh passes its own id (PORTGATE_TEST_JOB) to check after the run;
// an inherited PORTGATE_JOB (a CI job's id) is not reused: it is not the suite's own.
process.env.PORTGATE_JOB = process.env.PORTGATE_TEST_JOB || `portgate-test-${randomBytes(6).toString('hex')}`;

// Unit tests are pure and run in parallel; integration tests share one real
// Docker engine on a 2-core machine, so they run one file at a time.
export default defineConfig({
  test: {
    projects: [
      // 30 s, not 5: pure, but some spawn a parser (python3's XML) or compile schemas, and they share
      // 2 cores with the integration project's engine work; a slow machine must not fail them.
      {test: {name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 30_000}},
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          env: {PORTGATE_JOB: process.env.PORTGATE_JOB},
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
