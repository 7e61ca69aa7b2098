import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each file gets its own process: PGlite's WebAssembly heap is freed when the file ends.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
