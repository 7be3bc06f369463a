/**
 * `npm run bench:rx-bounds`: what the receive path's tables cost when an attacker fills each to its bound
 * (docs/memory.md §Bounds), against the unit's MemoryMax. One mode-2 receive pipeline in simulated time; after each
 * step the V8 heap (after a full GC, so run with `--expose-gc`: the npm script does) and the WASM memory are read.
 *
 * Steps, longest-kept first so that all tables are full together at the end:
 * - prepared verifiers: forged signed reports from 1 100 senders, each heard three times (admitted on the second),
 *   spread over simulated minutes so the verification budget lets them through;
 * - per-source budget and display rate limit: forged signed reports from 4 096 senders (each charged, each an `F`);
 * - held plain reports: 4 096 senders × 8 distinct reports (the 32 768-report total) within 10 s;
 * - reassembly: incomplete fragment groups (three of four fragments) from 1 024 senders within 2 s;
 * - replay guard: 65 536 accepted (sender, kind, second, digest) entries put in directly — filling it through the
 *   pipeline would need 65 536 genuine signatures within 31 s.
 * Excludes the amortised receiver (bounded by its limits, not filled here) and the daemon's queues.
 */
import mcl from 'mcl-wasm';
import { attackerSignatures, craftRound, type CraftContext } from './attack-craft.js';
import { writeResults } from './results.js';
import { AppliancePipeline } from '../firmware/appliance-pipeline.js';
import { ReplayGuard } from '../firmware/freshness.js';
import { epochOf } from '../firmware/epoch.js';
import { MemoryNonceStore } from '../hal/index.js';
import { encodeAis, encodeVdm } from '../nmea/index.js';
import { seededRandom, testPkg } from '../test/firmware/_pkg.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('bench:rx-bounds needs node --expose-gc (npm run bench:rx-bounds passes it)');
  process.exit(2);
}
const MB = 2 ** 20;
const MEMORY_MAX_MB = 256;
const OWN = 237_000_002;
const FIRST = 300_000_000;
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

const pkg = testPkg('rx-bounds pkg');
const epoch = epochOf(Math.floor(T0 / 1000), pkg.params.epochSeconds);
const rx = new AppliancePipeline(
  { tx: { mode: 2, emit: 'bbm', ownShip: 'vdo' }, rx: {} },
  { params: pkg.params, identity: pkg.identity(OWN, [epoch]), nonceState: new MemoryNonceStore() },
  seededRandom('rx-bounds'),
);
rx.prepare(T0);
const craft: CraftContext = { attacker: pkg.identity(FIRST - 1, [epoch]), victim: OWN, dac: 0, fi: 58, random: seededRandom('rx-bounds attacker') };
const signatures = attackerSignatures(craft);

const wasm = (): number => (mcl as unknown as { getMemory(): { buffer: ArrayBuffer } }).getMemory().buffer.byteLength / MB;
function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / MB;
}

const rows: { step: string; lines: number; heapMb: number; wasmMb: number; seconds: number }[] = [];
let before = { heap: heap(), wasm: wasm() };
function step(name: string, run: () => number): void {
  const t = performance.now();
  const lines = run();
  const now = { heap: heap(), wasm: wasm() };
  rows.push({ step: name, lines, heapMb: now.heap - before.heap, wasmMb: now.wasm - before.wasm, seconds: (performance.now() - t) / 1000 });
  console.error(`  ${name}: +${(now.heap - before.heap).toFixed(1)} MB heap, +${(now.wasm - before.wasm).toFixed(1)} MB WASM`);
  before = now;
}
const feed = (lines: readonly string[], atMs: number): number => {
  for (const l of lines) rx.fromRadio(l, atMs);
  return lines.length;
};
const report = (mmsi: number, n: number) =>
  encodeVdm(encodeAis({ type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed: n, accuracy: true, lon: 2_400_000 + n, lat: 31_800_000, course: 900, heading: 90, second: n % 60, maneuver: 0, spare: 0, raim: false, radio: 0 }), { channel: 'A' });

const startHeap = before.heap;
const startWasm = before.wasm;

// Longest-kept first, so that every table is full at the end: verifiers and per-source state do not expire, held
// reports are kept 30 s and fragment groups 16 s.
step('prepared verifiers (1 100 senders × 3 sightings)', () => {
  let n = 0;
  for (let pass = 0; pass < 3; pass++) {
    for (let s = 0; s < 1100; s++) {
      // One report per 100 ms of simulated time: within the verification budget's total rate.
      const at = T0 + (pass * 1100 + s) * 100;
      n += feed(craftRound(craft, 'inline', FIRST + 30_000 + s, at, signatures, (pass * 7 + s) % 16).slice(0, 4).flatMap((m) => m.lines), at);
    }
  }
  return n;
});

step('forged signatures from 4 096 senders (budget, display rate limit)', () => {
  let n = 0;
  for (let s = 0; s < 4096; s++) {
    const at = T0 + 400_000 + s * 5;
    n += feed(craftRound(craft, 'inline', FIRST + 20_000 + s, at, signatures, s % 16).slice(0, 4).flatMap((m) => m.lines), at);
  }
  return n;
});

step('held plain reports (4 096 senders × 8)', () => {
  let n = 0;
  for (let r = 0; r < 8; r++) for (let s = 0; s < 4096; s++) n += feed(report(FIRST + s, r), T0 + 430_000 + ((r * 4096 + s) * 10_000) / 32_768);
  return n;
});

step('incomplete fragment groups (1 024 senders)', () => {
  let n = 0;
  for (let s = 0; s < 1024; s++) {
    const at = T0 + 440_000 + (s * 2_000) / 1024;
    n += feed(craftRound(craft, 'inline', FIRST + 10_000 + s, at, signatures, s % 16).slice(0, 3).flatMap((m) => m.lines), at);
  }
  return n;
});

step('replay guard (65 536 entries, direct)', () => {
  const guard = new ReplayGuard();
  const digest = new Uint8Array(8);
  for (let i = 0; i < 65_536; i++) {
    new DataView(digest.buffer).setUint32(0, i);
    guard.accept(FIRST + (i % 5000), 1, 1_000_000, digest, 1_000_000);
  }
  (globalThis as { keep?: unknown }).keep = guard;
  return 0;
});

const counters = Object.fromEntries(Object.entries(rx.counters()).filter(([k, v]) => k.startsWith('rx.') && v !== 0));
const totalHeap = before.heap - startHeap;
const totalWasm = before.wasm - startWasm;
console.log('bench:rx-bounds — receive-path tables filled to their bounds (V8 heap after GC, WASM linear memory)');
console.log('  step                                                        lines   +heap MB  +WASM MB');
for (const r of rows) console.log(`  ${r.step.padEnd(58)} ${String(r.lines).padStart(7)}  ${r.heapMb.toFixed(1).padStart(8)}  ${r.wasmMb.toFixed(1).padStart(8)}`);
console.log(`  all tables full: +${totalHeap.toFixed(1)} MB heap, +${totalWasm.toFixed(1)} MB WASM, against MemoryMax=${MEMORY_MAX_MB} MB`);
console.log(`  receive counters: ${JSON.stringify(counters)}`);
writeResults('rx-table-bounds', { rows, totalHeapMb: totalHeap, totalWasmMb: totalWasm, memoryMaxMb: MEMORY_MAX_MB, counters });
