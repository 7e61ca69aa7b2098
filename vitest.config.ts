import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each file gets its own process: PGlite's WebAssembly heap is freed when the file ends.
    pool: 'forks',
    // Two files at a time even on two cores: much of a file's time is spent waiting on PostgreSQL,
    // Redis or Chromium, which run in processes of their own.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
