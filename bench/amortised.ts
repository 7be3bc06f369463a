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
import { createRng } from './sim/rng.js';
import {
  AmortisedReceiver,
  AmortisedSender,
  messageSlotsForBody,
  type Report,
  type TeslaParams,
} from '../firmware/amortised/index.js';
import { progress } from './results.js';

const MMSI = 235_000_001;
const te = new TextEncoder();
const KEY = sha256(te.encode('bench-fake-blmq'));
const sign = (m: Uint8Array): Uint8Array => hmac(sha512, KEY, m);
const verify = (_mmsi: number, _ep: 0 | 1, m: Uint8Array, s: Uint8Array): boolean => {
  const w = sign(m);
  return w.length === s.length && w.every((b, i) => b === s[i]);
};


export interface Scheme {
  readonly params: TeslaParams;
  readonly anchorPeriodS: number;
  /** Share of a batch's own slots that re-tags may add (SenderConfig.retagExtraShare). */
  readonly retagExtraShare: number;
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
  /** Mean wait of a receiver that starts listening at a random time for its first anchor: A/2 + A·(1−q)/q. */
  readonly joinWaitMeanS: number;
}

/** Reports are counted from 10 min after start and once the receiver holds an anchor (steady state). */
const WARMUP_S = 600;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export function simulate(scheme: Scheme, reportEveryS: number, loss: number, durationS: number, seed: number): Result {
  const prng = createRng(seed);
  const draw = () => prng.next();
  const t0 = 1_800_000_000 + Math.floor(draw() * 1000);
  const sender = new AmortisedSender({
    mmsi: MMSI,
    params: scheme.params,
    sign,
    randomSeed: () => sha256(te.encode(`seed/${seed}/${draw()}`)),
    anchorPeriodS: scheme.anchorPeriodS,
    retagExtraShare: scheme.retagExtraShare,
  });
  const receiver = new AmortisedReceiver({ verify });
  let bodySlots = 0;
  let anchorFragments = 0;
  let reportSlots = 0;
  const recvAt = new Map<number, number>();
  const counted = new Set<number>();
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  let authenticated = 0;
  const inbox: { at: number; kind: 5 | 6; body: Uint8Array }[] = [];
  let anchoredAt: number | undefined;
  const handle = (evs: ReturnType<AmortisedReceiver['tick']>): void => {
    for (const ev of evs) {
      if (ev.type === 'notice' && ev.code === 'anchor-accepted') anchoredAt ??= ev.atS;
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
        if (first?.type === 'report' && t >= t0 + WARMUP_S && anchoredAt !== undefined) {
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
        if (e.kind === 5) anchorFragments = frags.length;
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
    joinWaitMeanS: (() => {
      const q = (1 - loss) ** anchorFragments;
      return scheme.anchorPeriodS / 2 + (scheme.anchorPeriodS * (1 - q)) / q;
    })(),
  };
}

const fmt = (x: number, d = 2): string => (Number.isNaN(x) ? '—' : x.toFixed(d));
const pct = (x: number): string => (Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)} %`);
const label = (s: Scheme): string => {
  const p = s.params;
  return `P=${p.intervalS}s d=${p.disclosureDelayS}s τ=${p.tagBytes}B key=${p.keyBytes}B W=${p.window} A=${s.anchorPeriodS}s r=${s.retagExtraShare}`;
};

type Point = { readonly scheme: Scheme; readonly label: string; readonly at5: Result };

function main(): void {
  const durationS = Number(process.env.AMORTISED_BENCH_S ?? 7200);
  const sweepS = Number(process.env.AMORTISED_SWEEP_S ?? 10_800);
  const seed = 8;
  const LOSSES = [0, 0.05, 0.2];
  const RATES = [2, 6, 10];
  // Sim noise: ≈ 1,000 counted reports per sweep point at R = 10 s → ±0.6 % (1σ) on a 95 % share, so a
  // configuration is only called "≥ 95 %" when it measured ≥ 97 %.
  const SHARE_MARGIN = 0.97;

  // The trade-off curve at R = 10 s, 5 % loss, over interval P, disclosure (with the next batch, d = P, or in a 1-slot
  // bare key d = 8 s after the interval), re-tagging window W, tag length τ ≥ 3 B (the security floor, see the doc),
  // anchor period A ≤ 10 min (late joiners) and the share r of extra slots re-tags may add (0.25: +0 slots on a
  // 2-slot batch, +1 on a 5-slot one; 0.5: +1 and +2);
  // 8-byte keys (longer keys are swept separately below).
  const sweep: Scheme[] = [];
  for (const P of [10, 15, 20, 25, 30, 40, 60]) {
    for (const d of [P, 8]) {
      for (const W of [1, 2]) {
        for (const tagBytes of [3, 4]) {
          for (const anchorPeriodS of [300, 600]) {
            for (const retagExtraShare of [0.25, 0.5]) {
              if (W * P > 256) continue;
              const params = { intervalS: P, disclosureDelayS: d, tagBytes, keyBytes: 8, window: W };
              sweep.push({ params, anchorPeriodS, retagExtraShare });
            }
          }
        }
      }
    }
  }
  const tick = progress('bench:amortised');
  process.stderr.write(`bench:amortised: sweeping ${sweep.length} parameter sets (R = 10 s, 5 % loss, ${sweepS} simulated s each)\n`);
  const curve: Point[] = sweep.map((s, i) => {
    tick(() => `sweep ${i + 1}/${sweep.length}`);
    return { scheme: s, label: label(s), at5: simulate(s, 10, 0.05, sweepS, seed) };
  });
  const byLoad = (a: Point, b: Point): number => a.at5.loadRatio - b.at5.loadRatio || a.at5.latencyP99S - b.at5.latencyP99S;
  const byP99 = (a: Point, b: Point): number => a.at5.latencyP99S - b.at5.latencyP99S || a.at5.loadRatio - b.at5.loadRatio;
  const solid = curve.filter((c) => c.at5.authenticatedShare >= SHARE_MARGIN);
  const latencyPreset = [...solid].filter((c) => c.at5.latencyP99S <= 60).sort(byLoad)[0];
  const loadPreset = [...solid].filter((c) => c.at5.loadRatio <= 1.5).sort(byP99)[0];
  const goal = solid.filter((c) => c.at5.latencyP99S <= 60 && c.at5.loadRatio <= 1.5);

  const front: Point[] = [];
  let best = Number.POSITIVE_INFINITY;
  for (const c of [...solid].sort(byLoad)) {
    if (c.at5.latencyP99S < best) {
      front.push(c);
      best = c.at5.latencyP99S;
    }
  }

  console.log(
    `amortised authentication — table: ${durationS / 3600} h simulated per point, sweep: ${sweepS / 3600} h per point, seed ${seed}`,
  );
  console.log(`counted: received reports ≥ ${WARMUP_S} s after start, once the receiver holds an anchor`);
  console.log(`goal (R = 10 s, 5 % loss: ≤ 1.5× plain, p99 ≤ 60 s, ≥ 95 % authenticated): ${goal.length === 0 ? 'NOT met by any swept point' : `met by ${goal.map((g) => g.label).join('; ')}`}`);

  const tables: Record<string, Result[]> = {};
  for (const [name, preset] of [
    ['latency', latencyPreset],
    ['load', loadPreset],
  ] as const) {
    if (preset === undefined) continue;
    const rows: Result[] = [];
    for (const R of RATES) {
      for (const loss of LOSSES) {
        tick(() => `${name} preset: R = ${R} s, loss ${loss * 100} %`);
        rows.push(simulate(preset.scheme, R, loss, durationS, seed + R));
      }
    }
    tables[name] = rows;
    console.log('');
    console.log(
      name === 'latency'
        ? `preset "latency" (lowest load with p99 ≤ 60 s and ≥ 97 % at R = 10 s, 5 % loss): ${preset.label}`
        : `preset "load" (lowest p99 with ≤ 1.5× and ≥ 97 % at R = 10 s, 5 % loss): ${preset.label}`,
    );
    console.log('| report every | loss | plain slots/min | with auth slots/min | × plain | latency p50 | p99 | authenticated | late joiner waits (mean) |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(
        `| ${r.reportEveryS} s | ${pct(r.loss)} | ${fmt(r.plainSlotsPerMin, 1)} | ${fmt(r.slotsPerMin, 1)} | ${fmt(r.loadRatio)} | ${fmt(r.latencyP50S, 1)} s | ${fmt(r.latencyP99S, 1)} s | ${pct(r.authenticatedShare)} | ${fmt(r.joinWaitMeanS / 60, 1)} min |`,
      );
    }
  }

  console.log('');
  console.log('trade-off curve, R = 10 s, 5 % loss (Pareto front of load vs p99 among points with ≥ 97 % authenticated)');
  console.log('| parameters | × plain | p50 | p99 | authenticated |');
  console.log('|---|---|---|---|---|');
  for (const c of front) {
    console.log(`| ${c.label} | ${fmt(c.at5.loadRatio)} | ${fmt(c.at5.latencyP50S, 1)} s | ${fmt(c.at5.latencyP99S, 1)} s | ${pct(c.at5.authenticatedShare)} |`);
  }

  // Tag and key length: what they cost in load at the latency preset.
  const sensitivity: { label: string; R: number; loadRatio: number }[] = [];
  if (latencyPreset !== undefined) {
    console.log('');
    console.log(`tag and key length at the latency preset (load × plain, 5 % loss)`);
    console.log('| τ | key | R = 2 s | R = 10 s |');
    console.log('|---|---|---|---|');
    for (const tagBytes of [2, 3, 4]) {
      for (const keyBytes of [8, 10, 16]) {
        const s: Scheme = { ...latencyPreset.scheme, params: { ...latencyPreset.scheme.params, tagBytes, keyBytes } };
        const r2 = simulate(s, 2, 0.05, 3600, seed);
        const r10 = simulate(s, 10, 0.05, 3600, seed);
        sensitivity.push({ label: label(s), R: 2, loadRatio: r2.loadRatio }, { label: label(s), R: 10, loadRatio: r10.loadRatio });
        console.log(`| ${tagBytes} B | ${keyBytes} B | ${fmt(r2.loadRatio)} | ${fmt(r10.loadRatio)} |`);
      }
    }
  }

  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/amortised.json',
    `${JSON.stringify(
      {
        durationS,
        sweepS,
        seed,
        presets: { latency: latencyPreset?.scheme, load: loadPreset?.scheme },
        goalMetBy: goal.map((g) => g.label),
        tables,
        front: front.map((c) => ({ label: c.label, ...c.at5 })),
        sweep: curve.map((c) => ({ label: c.label, scheme: c.scheme, ...c.at5 })),
        sensitivity,
      },
      null,
      1,
    )}\n`,
  );
  console.log('\nwrote bench/results/amortised.json');
}

if (process.env.AMORTISED_BENCH_NO_MAIN === undefined) main();
