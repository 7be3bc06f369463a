/**
 * Structure-aware fuzzing of the receive path (bench/fuzz/rx-cases.ts): `npm run fuzz:rx -- --cases 1000000 --seed 1`.
 * Prints the case count, the `$PMIBV` results and rejections by reason code, and the crashes (a throw out of the
 * receiver or an error its last-resort containment absorbed); exits 1 when there was any crash.
 */
import { parseArgs } from 'node:util';
import { runRxFuzz } from './fuzz/rx-run.js';
import { rxFuzzFixture } from './fuzz/rx-fixture.js';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' } } });
const cases = Number(values.cases);
const seed = Number(values.seed);
if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed)) throw new Error('usage: fuzz-rx [--cases N] [--seed S]');

const START_MS = 1_795_521_600_000;
const fixture = rxFuzzFixture(`fuzz-rx/${seed}`, START_MS);
const t0 = performance.now();
const res = runRxFuzz({
  cases,
  seed,
  startMs: START_MS,
  config: fixture.config,
  receiver: fixture.receiver,
  progress: (n) => {
    if (n % 100_000 === 0) process.stderr.write(`${n} cases\n`);
  },
});
const s = (performance.now() - t0) / 1000;
const sorted = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).sort((a, b) => b[1] - a[1]));
console.log(JSON.stringify({ seed, cases: res.cases, lines: res.lines, seconds: Math.round(s), byLabel: sorted(res.byLabel), statuses: sorted(res.statuses), rejected: sorted(res.rejected), crashes: res.crashes }, null, 2));
if (res.firstCrash) {
  console.error('first crash:', res.firstCrash.error);
  console.error(res.firstCrash.lines.join('\n'));
  process.exitCode = 1;
}
