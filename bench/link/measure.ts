/**
 * `mibc-ais bench link` (part of `make bench`): the secure modes on the simulated VHF link, with the real pipelines.
 *
 * - Ship sweep (10, 100, 500 ships, every vessel in the mode, no slot loss): slots per report, channel load, and the
 *   share of secured reports two observers verify or decrypt, which falls once the channel saturates (collisions).
 * - Loss sweep (30 ships; 0, 5, 20 % slot loss): reassembly and verification against (1-p)^fragments and
 *   (1-p)^slots — the link model loses slots independently, so a message of s slots survives with (1-p)^s.
 * - False accepts (must be 0), latency request → display, crypto CPU per second of traffic, RSS.
 * - Receiver capacity: what one core verifies per second, the ship count that is in mode 2, and the Pi 4 estimate.
 *
 * Every vessel runs its own transmitting pipeline; only the two observers run the receiving one (DESIGN: a receiver
 * per ship would do the same work N times over). Writes bench/results/link.json and two SVG charts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { seriesStyle, writeLineChart, type Series } from '../plot.js';
import { BenchPkg } from './keys.js';
import { ALL_MODES, EPOCH_MS, percentile, SIGNED, World, type ModeSpec, type WorldReport } from './world.js';

export interface MeasureOptions {
  readonly seed: number;
  readonly shipCounts: readonly number[];
  readonly lossRates: readonly number[];
  /** Ship count of the loss sweep. */
  readonly lossShips: number;
  readonly seconds: number;
  readonly modes: readonly ModeSpec[];
  readonly outDir: string;
  /**
   * Single-core speed of this host over a Raspberry Pi 4's (Cortex-A72, 1.5 GHz). An estimate: published Geekbench 5
   * single-core scores put a Pi 4 near 250 and current x86 server/desktop cores near 1000–1500, so 5 is assumed.
   */
  readonly pi4SlowdownFactor: number;
  /** Above this many ships the senders sign one-shot (memory; keys.ts); their tx CPU is then not the appliance's. */
  readonly preparedSignersUpTo: number;
}

export const DEFAULT_MEASURE: MeasureOptions = {
  seed: 1,
  shipCounts: [10, 100, 500],
  lossRates: [0, 0.05, 0.2],
  // Light enough that collisions are rare, so slot loss alone sets the rates the theory predicts.
  lossShips: 30,
  seconds: 60,
  modes: ALL_MODES,
  outDir: 'bench/results',
  pi4SlowdownFactor: 5,
  preparedSignersUpTo: 150,
};

export interface RunRow {
  readonly mode: string;
  readonly ships: number;
  readonly slotLossP: number;
  readonly seconds: number;
  readonly reports: number;
  readonly slotsPerReport: number;
  readonly plainSlotsPerReport: number;
  /** Mean of channels A and B, % of slots. */
  readonly loadPercent: number;
  readonly rejectedByLink: number;
  readonly collisions: number;
  /** Over the observers: secured reports meant for them from in-range senders, reassembled, authenticated. */
  readonly securedSent: number;
  readonly reassembled: number;
  readonly authenticated: number;
  /** The spoofer's victim's secured reports at the observers, and how many were still verified. */
  readonly victimSent: number;
  readonly victimAuthenticated: number;
  readonly reassemblyRate: number;
  readonly verificationRate: number;
  readonly theoryByFragments: number;
  readonly theoryBySlots: number;
  readonly falseAccepts: number;
  readonly rejectedByReason: Record<string, number>;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** CPU ms of all transmitting pipelines per simulated second, and per ship. */
  readonly txCpuMsPerS: number;
  readonly txCpuMsPerShipS: number;
  /** CPU ms of one receiving pipeline per simulated second (mean of the observers). */
  readonly rxCpuMsPerS: number;
  /** Receiver CPU per report it authenticated, ms. */
  readonly rxMsPerAuthenticated: number;
  readonly rssMiB: number;
  readonly oneShotSigners: boolean;
}

function row(spec: ModeSpec, ships: number, p: number, seconds: number, r: WorldReport, oneShotSigners: boolean): RunRow {
  const t = r.byMode.get(spec.label);
  const obs = r.observers;
  const add = (f: (o: (typeof obs)[number]) => number) => obs.reduce((n, o) => n + f(o), 0);
  const securedSent = add((o) => o.securedSent);
  const reassembled = add((o) => o.reassembled);
  const authenticated = add((o) => o.authenticated);
  const rejected: Record<string, number> = {};
  for (const o of obs) for (const tally of o.bySource.values()) for (const [k, v] of Object.entries(tally.failed)) rejected[k] = (rejected[k] ?? 0) + v;
  const authAll = add((o) => [...o.bySource.values()].reduce((n, x) => n + x.verified + x.decrypted, 0));
  const latencies = obs.flatMap((o) => (spec.mode === 1 ? o.plainLatencyMs : o.securedLatencyMs));
  const rxCpu = add((o) => o.rxCpuMs) / Math.max(1, obs.length);
  return {
    mode: spec.label, ships, slotLossP: p, seconds,
    reports: t?.reports ?? 0,
    slotsPerReport: t === undefined ? 0 : t.slots / t.reports,
    plainSlotsPerReport: t === undefined ? 0 : t.plainSlots / t.reports,
    loadPercent: (r.loadPercent.A + r.loadPercent.B) / 2,
    rejectedByLink: r.link.rejected,
    collisions: r.link.collisions,
    securedSent, reassembled, authenticated,
    victimSent: add((o) => o.victimSent),
    victimAuthenticated: add((o) => o.victimAuthenticated),
    reassemblyRate: securedSent === 0 ? Number.NaN : reassembled / securedSent,
    verificationRate: securedSent === 0 ? Number.NaN : authenticated / securedSent,
    theoryByFragments: securedSent === 0 ? Number.NaN : add((o) => o.expectedByFragments) / securedSent,
    theoryBySlots: securedSent === 0 ? Number.NaN : add((o) => o.expectedBySlots) / securedSent,
    falseAccepts: add((o) => o.falseAccepts),
    rejectedByReason: rejected,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
    txCpuMsPerS: r.txCpuMs / seconds,
    txCpuMsPerShipS: r.txCpuMs / seconds / ships,
    rxCpuMsPerS: rxCpu / seconds,
    rxMsPerAuthenticated: authAll === 0 ? Number.NaN : add((o) => o.rxCpuMs) / authAll,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    oneShotSigners,
  };
}

/** `ships` vessels, four in five Class A, all in `spec`; two Class A observers; a spoofer claiming a third ship. */
function run(spec: ModeSpec, ships: number, p: number, o: MeasureOptions, pkg: BenchPkg): RunRow {
  const classB = Math.max(1, Math.round(ships / 5));
  const oneShotSigners = ships > o.preparedSignersUpTo;
  const world = new World({
    seed: o.seed,
    pkg,
    oneShotSigners,
    fleet: { classA: ships - classB, classB, baseStations: 1, areaRadiusNm: 15 },
    link: { rangeNm: 40, slotLossP: p, corruptionP: 0.001 },
    roles: (stations) => {
      const a = stations.filter((s) => s.kind === 'A').map((s) => s.mmsi);
      const b = stations.filter((s) => s.kind === 'B').map((s) => s.mmsi);
      const vessels = [...a, ...b.slice(1)];
      return {
        modes: new Map(vessels.map((m) => [m, spec])),
        observers: a.slice(0, 2),
        mode4To: a[0] as number,
        ...(spec.mode === 5 ? { group: { members: vessels } } : {}),
        spoofer: { mmsi: b[0] as number, victim: a[2] as number },
      };
    },
  });
  world.runUntil(o.seconds * 1000);
  const r = row(spec, ships, p, o.seconds, world.report(), oneShotSigners);
  world.destroy();
  return r;
}

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(0)}`;
const pct = (x: number) => (Number.isNaN(x) ? '    -' : `${(100 * x).toFixed(1).padStart(5)}`);
const num = (x: number, d = 1, w = 6) => (Number.isNaN(x) ? '-'.padStart(w) : x.toFixed(d).padStart(w));

export function formatTable(rows: readonly RunRow[]): string[] {
  const out = [
    'mode               ships  loss  reports  slots/rep  ×plain  load %  reasm %  verif %  (1-p)^f  (1-p)^s  false acc  lat p50/p99 ms  tx ms/s  rx ms/s  rx ms/rep',
  ];
  for (const r of rows) {
    out.push(
      `${r.mode.padEnd(17)}  ${String(r.ships).padStart(5)}  ${String(Math.round(100 * r.slotLossP)).padStart(3)}%  ${String(r.reports).padStart(7)}  ` +
        `${num(r.slotsPerReport, 2, 9)}  ${num(r.plainSlotsPerReport === 0 ? Number.NaN : r.slotsPerReport / r.plainSlotsPerReport, 2, 6)}  ${num(r.loadPercent, 1, 6)}  ` +
        `${pct(r.reassemblyRate).padStart(7)}  ${pct(r.verificationRate).padStart(7)}  ${pct(r.theoryByFragments).padStart(7)}  ${pct(r.theoryBySlots).padStart(7)}  ` +
        `${String(r.falseAccepts).padStart(9)}  ${`${num(r.latencyP50Ms, 0, 1)}/${num(r.latencyP99Ms, 0, 1)}`.padStart(14)}  ${`${r.oneShotSigners ? '*' : ''}${num(r.txCpuMsPerS, 1, 1)}`.padStart(7)}  ${num(r.rxCpuMsPerS, 1, 7)}  ${num(r.rxMsPerAuthenticated, 2, 9)}`,
    );
  }
  return out;
}

export interface Capacity {
  readonly ships: number;
  /** Secured reports per second the ships of the busy-area run send. */
  readonly reportsPerS: number;
  readonly rxMsPerReport: number;
  /** Share of one core this host needs to verify every report of `ships` ships. */
  readonly coresHere: number;
  /** Ships in mode 2 whose reports one core of this host verifies as fast as they come. */
  readonly shipsPerCoreHere: number;
  readonly pi4SlowdownFactor: number;
  readonly coresPi4: number;
  readonly shipsPerCorePi4: number;
}

/**
 * Receiver capacity in the busy area (every ship in mode 2): `ms`, the receiver CPU per verified report (from the
 * mode-2 run that verified most), times the reports the fleet offers — not only those that survived the saturated
 * channel, since a receiver must keep up with whatever a better channel would deliver.
 */
export function capacity(busy: RunRow, ms: number, pi4SlowdownFactor: number): Capacity {
  const reportsPerS = busy.reports / busy.seconds;
  const coresHere = (reportsPerS * ms) / 1000;
  return {
    ships: busy.ships, reportsPerS, rxMsPerReport: ms, coresHere, shipsPerCoreHere: busy.ships / coresHere,
    pi4SlowdownFactor, coresPi4: coresHere * pi4SlowdownFactor, shipsPerCorePi4: busy.ships / (coresHere * pi4SlowdownFactor),
  };
}

export function runMeasurements(options: Partial<MeasureOptions> = {}, write: (line: string) => void = console.log): { rows: RunRow[]; capacity: Capacity | undefined } {
  const o = { ...DEFAULT_MEASURE, ...options };
  const pkg = new BenchPkg(String(o.seed), EPOCH_MS, EPOCH_MS + 3_600_000);
  const rows: RunRow[] = [];
  const started = performance.now();
  const step = (spec: ModeSpec, ships: number, p: number) => {
    const t0 = performance.now();
    const r = run(spec, ships, p, o, pkg);
    rows.push(r);
    write(`  ${spec.label}, ${ships} ships, ${(100 * p).toFixed(0)} % loss: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  write(`bench link: ${o.seconds} simulated seconds per run, seed ${o.seed}; every vessel in the mode, 2 observers, 1 spoofer`);
  for (const spec of o.modes) {
    for (const n of o.shipCounts) step(spec, n, 0);
    for (const p of o.lossRates) if (!(p === 0 && o.shipCounts.includes(o.lossShips))) step(spec, o.lossShips, p);
  }
  const order = (a: RunRow, b: RunRow) => o.modes.findIndex((m) => m.label === a.mode) - o.modes.findIndex((m) => m.label === b.mode) || a.ships - b.ships || a.slotLossP - b.slotLossP;
  const bySweep = (ships: boolean) => rows.filter((r) => (ships ? r.slotLossP === 0 : r.ships === o.lossShips)).sort(order);
  write('');
  write('Ship sweep (no slot loss; losses are collisions and half duplex):');
  for (const l of formatTable(bySweep(true))) write(l);
  write('');
  write(`Loss sweep (${o.lossShips} ships):`);
  for (const l of formatTable(bySweep(false))) write(l);
  write(`* senders signed one-shot above ${o.preparedSignersUpTo} ships (a prepared signer is ≈4 MB per ship in this process): their tx CPU is higher than an appliance's.`);
  write('lat: request → display at the observers (slot choice, every fragment, both pipelines\' CPU); mode 1 is the plain baseline.');
  const plainRow = rows.find((r) => r.mode === ALL_MODES[0]?.label && r.ships === o.lossShips && r.slotLossP === 0);
  if (plainRow !== undefined) {
    const added = rows
      .filter((r) => r.ships === o.lossShips && r.slotLossP === 0 && r.mode !== plainRow.mode)
      .map((r) => `${r.mode} ${signed(r.latencyP50Ms - plainRow.latencyP50Ms)}/${signed(r.latencyP99Ms - plainRow.latencyP99Ms)}`);
    write(`Latency added by the appliance at ${o.lossShips} ships, p50/p99 ms over plain AIS: ${added.join(', ')}.`);
  }
  const busiest = Math.max(...o.shipCounts);
  const busy = rows.find((r) => r.mode === SIGNED.label && r.ships === busiest && r.slotLossP === 0);
  const costRow = rows.filter((r) => r.mode === SIGNED.label).sort((a, b) => b.authenticated - a.authenticated)[0];
  const cap = busy === undefined || costRow === undefined ? undefined : capacity(busy, costRow.rxMsPerAuthenticated, o.pi4SlowdownFactor);
  write('');
  if (cap !== undefined) {
    write(
      `Receiver in a busy area (${cap.ships} ships in range, all in mode 2): ${cap.reportsPerS.toFixed(1)} secured reports/s offered, ` +
        `${cap.rxMsPerReport.toFixed(2)} ms of receiver CPU per verified report (measured at ${costRow?.ships} ships) → ${(100 * cap.coresHere).toFixed(0)} % of one core here; ` +
        `one core keeps up with ≈${cap.shipsPerCoreHere.toFixed(0)} such ships.`,
    );
    write(
      `Raspberry Pi 4 (estimate, assuming a single core ${cap.pi4SlowdownFactor}× slower than this host): ${cap.coresPi4.toFixed(2)} cores for ${cap.ships} ships, ` +
        `≈${cap.shipsPerCorePi4.toFixed(0)} ships per core.`,
    );
  }
  const victim = rows.filter((r) => r.victimSent > 0);
  write(
    `Spoofer's victim (counted apart from the rates above): ${victim.reduce((n, r) => n + r.victimAuthenticated, 0)} of ${victim.reduce((n, r) => n + r.victimSent, 0)} ` +
      'genuine secured reports verified over all runs; the forged fragments carry its MMSI and envelope group numbers, so some of its reports are dropped in reassembly (MALFORMED, FRAGMENT_CONFLICT).',
  );
  const falseAccepts = rows.reduce((n, r) => n + r.falseAccepts, 0);
  write(`False accepts over all runs: ${falseAccepts}. Peak RSS: ${Math.max(...rows.map((r) => r.rssMiB)).toFixed(0)} MiB. Wall time ${((performance.now() - started) / 1000).toFixed(0)} s.`);

  mkdirSync(o.outDir, { recursive: true });
  writeFileSync(`${o.outDir}/link.json`, JSON.stringify({ measuredAt: new Date().toISOString(), options: o, rows, capacity: cap }, null, 2));
  const series = (f: (r: RunRow) => number): Series[] =>
    // Style by the mode's place in the full list, so a mode keeps its colour, dash and marker in every chart.
    o.modes.map((m, k) => ({ name: m.label, style: seriesStyle(k), points: bySweep(true).filter((r) => r.mode === m.label).map((r) => [r.ships, f(r)] as const) }));
  writeLineChart(`${o.outDir}/link-load.svg`, {
    title: 'Channel load against ship count, per mode', xLabel: 'ships in range', yLabel: 'slots sent (% of channel capacity)', xScale: 'log',
    series: series((r) => r.loadPercent),
    references: [{ y: 100, label: 'channel capacity (100 %)' }],
  });
  writeLineChart(`${o.outDir}/link-verification.svg`, {
    title: 'Secured reports verified or decrypted, no slot loss', xLabel: 'ships in range', yLabel: 'verified (%)', xScale: 'log', yRange: [0, 100],
    series: series((r) => 100 * r.verificationRate).filter((s) => s.points.every(([, y]) => !Number.isNaN(y))),
  });
  write(`wrote ${o.outDir}/link.json, link-load.svg, link-verification.svg`);
  return { rows, capacity: cap };
}
