import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Adapter tests start real-protocol stand-ins (PGlite, dynalite, s3rver); they are
    // slow to boot on two cores, not slow to run, so the limits are generous.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
