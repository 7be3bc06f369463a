import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Limits for two busy cores, not an idle one: mcl-wasm start, pairings and the tests that start `tsx` child
    // processes (several per test) run 2–4× slower under `stress-ng --cpu 2` (scripts/test-under-load.sh). Waits
    // inside tests poll with their own deadlines below these, so a broken behaviour still fails with its own message.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Workers stay at vitest's default (cores − 1: one on the 2-core CI machine), so the pseudo-terminal and
    // daemon tests never compete with a second test file for the cores.
  },
});
