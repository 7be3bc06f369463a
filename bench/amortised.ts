/**
 * `npm run bench:amortised` — issue 8: channel load, authentication latency and authenticated share of the amortised
 * (TESLA + one BLMQ-signed anchor) scheme, by a seeded simulation: one Class A sender reporting every R seconds, one
 * receiver, each message 8 / report lost independently with probability `loss`, a body lost when any of its fragments
 * is, bodies delayed 0.5–4 s (RATDMA access), slots per body from the envelope table (firmware/amortised/slots.ts).
 * Prints the table for the chosen parameters and the trade-off curve over the sweep; writes
 * bench/results/amortised.json. The signature is a stand-in of the compact size (64 B): air time, not CPU, is measured.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import {
  AmortisedReceiver,
  AmortisedSender,
  messageSlotsForBody,
  type Report,
  type TeslaParams,
} from '../firmware/amortised/index.js';

const MMSI = 235_000_001;
const te = new TextEncoder();
const KEY = sha256(te.encode('bench-fake-blmq'));
const sign = (m: Uint8Array): Uint8Array => hmac(sha512, KEY, m);
const verify = (_mmsi: number, _ep: 0 | 1, m: Uint8Array, s: Uint8Array): boolean => {
  const w = sign(m);
  return w.length === s.length && w.every((b, i) => b === s[i]);
};

/** mulberry32: small, seeded, good enough for loss draws. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Scheme {
  readonly params: TeslaParams;
  readonly anchorPeriodS: number;
}

export interface Result {
  readonly reportEveryS: number;
  readonly loss: number;
  readonly plainSlotsPerMin: number;
  readonly slotsPerMin: number;
  readonly loadRatio: number;
  readonly latencyP50S: number;
  readonly latencyP99S: number;
  readonly authenticatedShare: number;
  readonly received: number;
  readonly failed: Record<string, number>;
}

const WARMUP_S = 600;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export function simulate(scheme: Scheme, reportEveryS: number, loss: number, durationS: number, seed: number): Result {
  const draw = rng(seed);
  const t0 = 1_800_000_000 + Math.floor(draw() * 1000);
  const sender = new AmortisedSender({
    mmsi: MMSI,
    params: scheme.params,
    sign,
    randomSeed: () => sha256(te.encode(`seed/${seed}/${draw()}`)),
    anchorPeriodS: scheme.anchorPeriodS,
  });
  const receiver = new AmortisedReceiver({ verify });
  let bodySlots = 0;
  let reportSlots = 0;
  const recvAt = new Map<number, number>();
  const counted = new Set<number>();
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  let authenticated = 0;
  const inbox: { at: number; kind: 5 | 6; body: Uint8Array }[] = [];
  const handle = (evs: ReturnType<AmortisedReceiver['tick']>): void => {
    for (const ev of evs) {
      if (ev.type !== 'report' || !counted.has(ev.id)) continue;
      if (ev.status === 'authenticated') {
        authenticated++;
        latencies.push(ev.atS - (recvAt.get(ev.id) ?? ev.atS));
      } else if (ev.status === 'failed') {
        const k = ev.reason ?? 'failed';
        failed[k] = (failed[k] ?? 0) + 1;
      }
    }
  };
  const phase = Math.floor(draw() * reportEveryS);
  let ch: 'A' | 'B' = 'A';
  const end = t0 + durationS;
  for (let t = t0; t <= end + 240; t++) {
    if (t < end && (t - t0 - phase) % reportEveryS === 0) {
      const bits = sha256(te.encode(`r/${seed}/${t}`)).slice(0, 21);
      const r: Report = { msgType: 1, second: t, channel: ch, bits, bitLength: 168 };
      ch = ch === 'A' ? 'B' : 'A';
      sender.addReport(r);
      reportSlots++;
      if (draw() >= loss) {
        const at = t + 0.05;
        const evs = receiver.onReport(MMSI, r, at);
        const first = evs[0];
        if (first?.type === 'report' && t >= t0 + WARMUP_S) {
          counted.add(first.id);
          recvAt.set(first.id, at);
        }
        handle(evs);
      }
    }
    {
      for (const e of sender.poll(t)) {
        const frags = messageSlotsForBody(e.body.length);
        if (t < end) for (const s of frags) bodySlots += s;
        if (frags.every(() => draw() >= loss)) inbox.push({ at: t + 0.5 + draw() * 3.5, kind: e.kind, body: e.body });
      }
    }
    inbox.sort((a, b) => a.at - b.at);
    while ((inbox[0]?.at ?? Number.POSITIVE_INFINITY) < t + 1) {
      const m = inbox.shift();
      if (m !== undefined) handle(receiver.onBody(MMSI, m.kind, m.body, m.at));
    }
    handle(receiver.tick(t + 0.999));
  }
  latencies.sort((a, b) => a - b);
  const minutes = durationS / 60;
  const plain = reportSlots / minutes;
  const total = (reportSlots + bodySlots) / minutes;
  return {
    reportEveryS,
    loss,
    plainSlotsPerMin: plain,
    slotsPerMin: total,
    loadRatio: total / plain,
    latencyP50S: quantile(latencies, 0.5),
    latencyP99S: quantile(latencies, 0.99),
    authenticatedShare: counted.size === 0 ? Number.NaN : authenticated / counted.size,
    received: counted.size,
    failed,
  };
}

const fmt = (x: number, d = 2): string => (Number.isNaN(x) ? '—' : x.toFixed(d));
const pct = (x: number): string => (Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)} %`);
const label = (s: Scheme): string => {
  const p = s.params;
  return `P=${p.intervalS}s d=${p.disclosureDelayS}s τ=${p.tagBytes}B key=${p.keyBytes}B W=${p.window} A=${s.anchorPeriodS}s`;
};

function main(): void {
  const durationS = Number(process.env.AMORTISED_BENCH_S ?? 7200);
  const seed = 8;
  const LOSSES = [0, 0.05, 0.2];
  const RATES = [2, 6, 10];

  // The trade-off curve at R = 10 s: interval P, disclosure (with the next batch, d = P, or a 1-slot bare key after
  // d = 8 s), redundancy W, tag length τ, key length, anchor period.
  const sweep: Scheme[] = [];
  for (const P of [10, 15, 20, 30, 40, 60]) {
    for (const d of [P, 8].filter((x, i, a) => x <= P && a.indexOf(x) === i)) {
      for (const W of [1, 2]) {
        for (const tagBytes of [2, 3, 4]) {
          for (const keyBytes of [8, 10]) {
            for (const anchorPeriodS of [300, 900]) {
              if (W * P > 256) continue;
              sweep.push({ params: { intervalS: P, disclosureDelayS: d, tagBytes, keyBytes, window: W }, anchorPeriodS });
            }
          }
        }
      }
    }
  }
  const curve = sweep.map((s) => {
    const r5 = simulate(s, 10, 0.05, durationS, seed);
    return { scheme: s, label: label(s), at5: r5 };
  });
  const meetsQuality = (c: (typeof curve)[number]): boolean =>
    c.at5.latencyP99S <= 60 && c.at5.authenticatedShare >= 0.95;
  // Security floor for the default: τ ≥ 3 (2^-24 per guess) and keys ≥ 8 B.
  const secure = curve.filter((c) => c.scheme.params.tagBytes >= 3);
  const byLoad = (a: (typeof curve)[number], b: (typeof curve)[number]): number =>
    a.at5.loadRatio - b.at5.loadRatio || a.at5.latencyP99S - b.at5.latencyP99S;
  const chosen = [...secure].filter(meetsQuality).sort(byLoad)[0] ?? [...secure].sort(byLoad)[0];
  if (chosen === undefined) throw new Error('empty sweep');

  // Pareto front (load vs p99 at 5 % loss, share ≥ 95 %), per tag length.
  const front = (tagBytes: number): (typeof curve)[number][] => {
    const pts = curve.filter((c) => c.scheme.params.tagBytes === tagBytes && c.at5.authenticatedShare >= 0.95).sort(byLoad);
    const out: (typeof curve)[number][] = [];
    let best = Number.POSITIVE_INFINITY;
    for (const c of pts) {
      if (c.at5.latencyP99S < best) {
        out.push(c);
        best = c.at5.latencyP99S;
      }
    }
    return out;
  };

  const table: Result[] = [];
  for (const R of RATES) for (const loss of LOSSES) table.push(simulate(chosen.scheme, R, loss, durationS, seed + R));

  console.log(`amortised authentication — ${durationS / 3600} h simulated per point, seed ${seed}, warm-up ${WARMUP_S} s excluded`);
  console.log(`chosen (lowest load with p99 ≤ 60 s and ≥ 95 % at 5 % loss, τ ≥ 3 B; else lowest load): ${chosen.label}`);
  console.log('');
  console.log('| report every | loss | plain slots/min | with auth slots/min | × plain | latency p50 | p99 | authenticated |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of table) {
    console.log(
      `| ${r.reportEveryS} s | ${pct(r.loss)} | ${fmt(r.plainSlotsPerMin, 1)} | ${fmt(r.slotsPerMin, 1)} | ${fmt(r.loadRatio)} | ${fmt(r.latencyP50S, 1)} s | ${fmt(r.latencyP99S, 1)} s | ${pct(r.authenticatedShare)} |`,
    );
  }
  for (const tb of [2, 3, 4]) {
    console.log('');
    console.log(`trade-off curve, R = 10 s, 5 % loss, τ = ${tb} B (Pareto front: load vs p99, share ≥ 95 %)`);
    console.log('| parameters | × plain | p50 | p99 | authenticated |');
    console.log('|---|---|---|---|---|');
    for (const c of front(tb)) {
      console.log(`| ${c.label} | ${fmt(c.at5.loadRatio)} | ${fmt(c.at5.latencyP50S, 1)} s | ${fmt(c.at5.latencyP99S, 1)} s | ${pct(c.at5.authenticatedShare)} |`);
    }
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/amortised.json',
    `${JSON.stringify({ durationS, seed, chosen: chosen.label, chosenScheme: chosen.scheme, table, sweep: curve }, null, 1)}\n`,
  );
  console.log('\nwrote bench/results/amortised.json');
}

if (process.env.AMORTISED_BENCH_NO_MAIN === undefined) main();
