import { defineConfig } from 'vitest/config';
import BrowserFirst from './test/support/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each file gets its own process: PGlite's WebAssembly heap is freed when the file ends.
    pool: 'forks',
    // Two files at a time even on two cores: much of a file's time is spent waiting on PostgreSQL,
    // Redis or Chromium, which run in processes of their own.
    maxWorkers: 2,
    // The longest files first, so the run does not end waiting on one of them (test/support/sequencer.ts).
    sequence: { sequencer: BrowserFirst },
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
