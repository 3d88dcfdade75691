// Two projects: "workers" runs inside workerd with real Durable Objects; "node" runs the pure unit
// tests, the CLI and the end-to-end tests (serially: the machine has 2 cores and e2e tests start clusters).
import { defineConfig } from 'vitest/config';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { randomBytes } from 'node:crypto';

// A fresh admin token per test run: tests inside workerd talk to the real API Worker with it.
const testToken = randomBytes(24).toString('base64url');

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: { ADMIN_TOKEN: testToken, PARTITIONS: '2', SERVICE_CIDR: '127.96.0.0/16' },
              // The API Worker wakes the scheduler and controllers through service bindings. Tests in
              // workerd run the loops' code directly, so these Workers only take the wake-up calls.
              workers: ['edgeplane-scheduler', 'edgeplane-controllers'].map((name) => ({
                name,
                modules: true,
                compatibilityDate: '2026-11-01',
                script: `import { WorkerEntrypoint } from 'cloudflare:workers';
export default class extends WorkerEntrypoint { async wake() {} }`,
              })),
            },
          }),
        ],
        test: {
          name: 'workers',
          include: ['test/worker/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        // Real containers through podman: `npm run test:podman` (not part of `npm test`; .ci/run runs both).
        test: {
          name: 'podman',
          include: ['test/podman/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        // Fault injection against whole local clusters: `npm run test:faults` (not part of `npm test`;
        // .ci/run runs it after). One file at a time: each scenario loads both cores.
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'node',
          include: ['test/unit/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/agent/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
