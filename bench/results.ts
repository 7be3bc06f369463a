/**
 * Where every bench writes its figures (bench/results/NAME.json, as the README promises) and how it shows it is
 * alive: a progress line on stderr at most every few seconds, so a long run is never silent.
 */
import { mkdirSync, writeFileSync } from 'node:fs';

export const RESULTS_DIR = 'bench/results';

/** Writes `data` with the time of measurement to bench/results/NAME.json and says so; returns the path. */
export function writeResults(name: string, data: unknown, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const path = `${dir}/${name}.json`;
  writeFileSync(path, `${JSON.stringify({ measuredAt: new Date().toISOString(), ...(data as object) }, null, 2)}\n`);
  console.log(`wrote ${path}`);
  return path;
}

/** A reporter that prints `message()` to stderr when at least `everyMs` passed since the last print. */
export function progress(label: string, everyMs = 4_000): (message: () => string) => void {
  let last = performance.now();
  return (message) => {
    const now = performance.now();
    if (now - last < everyMs) return;
    last = now;
    process.stderr.write(`${label}: ${message()}\n`);
  };
}
