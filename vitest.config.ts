import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Model conversion and TF.js parity runs are slow on 2 cores; keep files in separate forks.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
