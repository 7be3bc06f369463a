/**
 * `npm run bench:rx-scaling`: what the receiver pays to verify a signed report as the number of ships it hears
 * grows, through its verifier cache (firmware/keyring.ts `VerifierCache`, default 1 024 prepared verifiers).
 *
 * Includes: the cache look-up, admission and (when admitted) preparation of a verifier, and the BLMQ verification
 * itself — the pairing work of one report. Excludes: NMEA framing, envelope parsing, freshness and the verification
 * budget (bench/envelope.ts and bench/attack.ts measure those). One core, CPU time of this process.
 *
 * Traffic: N ships, half the reports from the 100 heard most ("regulars", every few seconds) and half from all N in
 * turn (the crowd). Each N starts with two unmeasured sightings of every ship, so the table shows the steady state;
 * then `--reports` reports are timed. Signatures come from a pool of 8 keys: a verification under another ship's
 * identity does the same work and returns false; the regulars' own reports are checked to verify.
 * Columns: ms per report (all / regulars / crowd), the ratio to a cached verify and to an uncached one, RSS and
 * the WASM heap (the pairing library's linear memory, which never shrinks) after the run.
 */
import mcl from 'mcl-wasm';
import { decodePublicParams, extractSigningKey, prepareVerifier, setup, sign, verify } from '../crypto/index.js';
import { DEFAULT_VERIFIER_CACHE, identityOf, VerifierCache, type SystemParams } from '../firmware/keyring.js';

const PI_FACTOR = 5; // bench/link DEFAULT_MEASURE.pi4SlowdownFactor: a Raspberry Pi 4 core ≈ 5× slower than this host
const SHIPS = [10, 1_000, 5_000, 20_000];
const REGULARS = 100;
const EPOCH = 1;

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const reports = arg('--reports', 1_000);
const capacity = arg('--capacity', DEFAULT_VERIFIER_CACHE);

const { params, masterSecret } = setup();
const sp: SystemParams = { pp: decodePublicParams(params), epochSeconds: 30 * 24 * 3600 };
const msg = new TextEncoder().encode('!AIVDM position report, 21 bytes of AIS + envelope');
const mmsiOf = (i: number): number => 200_000_000 + i;
const pool = Array.from({ length: 8 }, (_, k) => {
  const id = identityOf('mmsi', mmsiOf(k), EPOCH);
  return sign(sp.pp, extractSigningKey(sp.pp, masterSecret, id), id, msg);
});

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const wasmBytes = (): number => (mcl as unknown as { getMemory(): { buffer: ArrayBuffer } }).getMemory().buffer.byteLength;
const mib = (b: number): string => (b / 2 ** 20).toFixed(0);

/** Baselines, timed between the reports so that both sides see the same machine: a prepared verifier reused,
 * and a plain verify with nothing prepared. */
const baseId = identityOf('mmsi', mmsiOf(0), EPOCH);
const baseVerifier = prepareVerifier(sp.pp, baseId);
function baselineCall(k: number, into: { cached: number; uncached: number }): void {
  const t = cpuMs();
  if (k % 2 === 0) {
    if (!baseVerifier.verify(msg, pool[0]!)) throw new Error('baseline signature does not verify');
    into.cached += cpuMs() - t;
  } else {
    verify(sp.pp, baseId, msg, pool[0]!);
    into.uncached += cpuMs() - t;
  }
}

/** Steps through the crowd in an order coprime to every N, so a short timed run samples all of it. */
const STRIDE = 7_919;

/** The i-th report of the mix: even ones from a regular, odd ones from the crowd in turn. */
function sender(i: number, ships: number): { ship: number; regular: boolean } {
  const regulars = Math.min(REGULARS, ships);
  return i % 2 === 0 ? { ship: (i >> 1) % regulars, regular: true } : { ship: ((i >> 1) * STRIDE) % ships, regular: false };
}

interface Row {
  ships: number;
  /** ms per call of the baselines, in this row's run. */
  cachedMs: number;
  uncachedMs: number;
  msAll: number;
  msRegulars: number;
  msCrowd: number;
  cached: number;
  rssMiB: number;
  wasmMiB: number;
  hitRate: number;
  /** Verifiers prepared during the timed reports (each ≈1.1× an uncached verify). */
  admitted: number;
}

function run(ships: number): Row {
  const cache = new VerifierCache(sp, capacity);
  for (let pass = 0; pass < 2; pass++) for (let i = 0; i < 2 * ships; i++) {
    const { ship } = sender(i, ships);
    cache.get('mmsi', mmsiOf(ship), EPOCH);
  }
  const spent = { regular: 0, crowd: 0, nRegular: 0, nCrowd: 0 };
  const before = { ...cache.stats };
  const offset = 4 * ships;
  const base = { cached: 0, uncached: 0 };
  for (let k = 0; k < reports; k++) {
    baselineCall(k, base);
    const { ship, regular } = sender(offset + k, ships);
    const t = cpuMs();
    const ok = cache.get('mmsi', mmsiOf(ship), EPOCH).verify(msg, pool[ship % 8]!);
    const dt = cpuMs() - t;
    if (ship < 8 && !ok) throw new Error(`ship ${ship}'s own report did not verify`);
    if (regular) {
      spent.regular += dt;
      spent.nRegular++;
    } else {
      spent.crowd += dt;
      spent.nCrowd++;
    }
  }
  const hits = cache.stats.hits - before.hits;
  const row: Row = {
    ships,
    cachedMs: base.cached / Math.ceil(reports / 2),
    uncachedMs: base.uncached / Math.floor(reports / 2),
    msAll: (spent.regular + spent.crowd) / reports,
    msRegulars: spent.regular / spent.nRegular,
    msCrowd: spent.crowd / spent.nCrowd,
    cached: cache.size,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    wasmMiB: wasmBytes() / 2 ** 20,
    hitRate: hits / reports,
    admitted: cache.stats.admitted - before.admitted,
  };
  cache.clear();
  return row;
}

for (let k = 0; k < 40; k++) baselineCall(k, { cached: 0, uncached: 0 });
const rows = SHIPS.map(run);
console.log(`bench:rx-scaling — cost per verified report (cache look-up + admission + BLMQ verify), one core, ${reports} timed reports per row`);
console.log(`  cache capacity ${capacity}; half the reports from the ${REGULARS} ships heard most, half from all N in turn`);
console.log('  ×cached, ×uncached: against a prepared verifier and a plain verify timed between the same reports');
console.log('  ships   ms/report  ×cached  ×uncached  regulars ×cached  crowd ×uncached  hit rate  prepared  cached  RSS MiB  WASM MiB');
for (const r of rows) {
  console.log(
    `  ${String(r.ships).padStart(6)}  ${r.msAll.toFixed(3).padStart(9)}  ${(r.msAll / r.cachedMs).toFixed(2).padStart(7)}  ${(r.msAll / r.uncachedMs).toFixed(2).padStart(9)}` +
      `  ${(r.msRegulars / r.cachedMs).toFixed(2).padStart(16)}  ${(r.msCrowd / r.uncachedMs).toFixed(2).padStart(15)}` +
      `  ${(100 * r.hitRate).toFixed(0).padStart(7)} %  ${String(r.admitted).padStart(8)}  ${String(r.cached).padStart(6)}  ${r.rssMiB.toFixed(0).padStart(7)}  ${r.wasmMiB.toFixed(0).padStart(8)}`,
  );
}
const worst = Math.max(...rows.map((r) => r.msAll));
const perSecond = 1000 / (worst * PI_FACTOR);
console.log(
  `  Pi-class core (${PI_FACTOR}× this host), worst row: ${perSecond.toFixed(0)} verified reports/s → ` +
    `${Math.floor(perSecond * 10).toLocaleString('en-US')} ships reporting every 10 s, ${Math.floor(perSecond * 2).toLocaleString('en-US')} every 2 s (RSS ${mib(process.memoryUsage().rss)} MiB)`,
);
