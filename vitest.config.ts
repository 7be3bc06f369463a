import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // mcl-wasm initialisation and pairing work are slow on a small CI machine; keep per-test limits generous.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
