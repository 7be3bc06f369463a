/**
 * npm run bench:attack — what an attacker on the radio can buy of the receiver's CPU, and whether own-ship traffic
 * still goes out secured while he buys it (docs/verification-budget.md).
 *
 * (a) Receiver CPU per attacker slot. For each envelope kind the worst input found (bench/attack-craft.ts: forged
 *     signatures with valid points, four fragments in two versions each = 16 candidate bodies; attached signatures
 *     tried against four held plain reports), sent at the full VDL rate (2 channels × 2250 slots/min) for `--seconds`,
 *     from one MMSI and from a fresh MMSI per round, into a SecureRx with the verification budget off and on. CPU is
 *     process CPU time (user + system) around each `push`, so other load on a shared host does not count.
 * (b) Own ship under a saturating attack at a Pi-class CPU: the daemon (real scheduling, simulated ports, FakeClock)
 *     runs the real AppliancePipeline; every pipeline call advances the simulated clock by its measured CPU time × the
 *     Pi factor (bench/link: a Raspberry Pi 4 core ≈ 5× slower than this host), so queueing and the latency budget
 *     play out as on the Pi. Own-ship reports arrive every 2 s; their latency is measured from arrival on the ship
 *     port to the secured message on the radio port. Not included: serial pacing (ports unpaced), the OS scheduler,
 *     GC pauses beyond those measured inside calls.
 *
 * Options: --seconds N (attack length, default 20), --out DIR (default bench/results), --only a|b.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { FakeClock, RecordingNotifier, SimSerialBus, createSimSerialLink } from '../hal/index.js';
import { AppliancePipeline } from '../firmware/appliance-pipeline.js';
import { Daemon, parseConfig } from '../firmware/daemon/index.js';
import { SecureRx } from '../firmware/secure-rx.js';
import { DEFAULT_VERIFY_BUDGET } from '../firmware/rx/verify-budget.js';
import { encodeAis, encodeVdm, type AisMessage } from '../nmea/index.js';
import { ATTACKS, attackerSignatures, craftRound, type AirMessage, type Attack, type CraftContext } from './attack-craft.js';
import { BenchPkg, seededBytes } from './link/keys.js';
import { DEFAULT_MEASURE } from './link/measure.js';

const PI_FACTOR = DEFAULT_MEASURE.pi4SlowdownFactor;
/** The whole VDL: 2 channels × 2250 slots per minute. */
const VDL_SLOTS_PER_S = (2 * 2250) / 60;
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const OWN = 211_000_001;
const ATTACKER = 244_666_666;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

const seconds = Number(arg('seconds', '20'));
const outDir = arg('out', 'bench/results');
const only = arg('only', 'ab');

const pkg = new BenchPkg('attack', T0 - 3_600_000, T0 + 3_600_000);
const own = pkg.identity(OWN, 'mmsi', { prepare: true });
const craft: CraftContext = { attacker: pkg.identity(ATTACKER, 'mmsi', { prepare: true }), victim: OWN, dac: 0, fi: 58, random: seededBytes('attack random') };
const signatures = attackerSignatures(craft);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

type Sourcing = 'one MMSI' | 'fresh MMSI per round';

/** The attacker's traffic at the full VDL rate for `seconds`: messages with their air time. */
function attackTraffic(attack: Attack, sourcing: Sourcing, startMs: number, durationS: number): { atMs: number; message: AirMessage }[] {
  const out: { atMs: number; message: AirMessage }[] = [];
  let slot = 0;
  for (let round = 0; slot < durationS * VDL_SLOTS_PER_S; round++) {
    const source = sourcing === 'one MMSI' ? 200_000_000 : 200_000_000 + round;
    const at = startMs + (slot / VDL_SLOTS_PER_S) * 1000;
    for (const message of craftRound(craft, attack, source, at, signatures, round % 16)) {
      out.push({ atMs: startMs + (slot / VDL_SLOTS_PER_S) * 1000, message });
      slot += message.slots;
    }
  }
  return out;
}

interface CostRow {
  attack: Attack;
  sourcing: Sourcing;
  budget: 'off' | 'on';
  slots: number;
  cpuMs: number;
  msPerSlot: number;
  /** The costliest single line. */
  maxLineMs: number;
  rejected: Record<string, number>;
}

function rxCost(attack: Attack, sourcing: Sourcing, budget: boolean, durationS: number): CostRow {
  const rx = new SecureRx(budget ? { verifyBudget: DEFAULT_VERIFY_BUDGET } : { verifyBudget: false }, { params: pkg.params, identity: own });
  const traffic = attackTraffic(attack, sourcing, T0, durationS);
  let total = 0;
  let maxLine = 0;
  let slots = 0;
  for (const { atMs, message } of traffic) {
    slots += message.slots;
    for (const line of message.lines) {
      const c0 = cpuMs();
      rx.push(line, atMs);
      const took = cpuMs() - c0;
      total += took;
      if (took > maxLine) maxLine = took;
    }
  }
  return { attack, sourcing, budget: budget ? 'on' : 'off', slots, cpuMs: total, msPerSlot: total / slots, maxLineMs: maxLine, rejected: { ...rx.counters.rejected } };
}

function partA(): CostRow[] {
  const rows: CostRow[] = [];
  // Warm-up: JIT and the attacker's point decoding, not measured.
  rxCost('inline', 'one MMSI', false, 1);
  for (const attack of ATTACKS) {
    for (const sourcing of ['one MMSI', 'fresh MMSI per round'] as const) {
      for (const budget of [false, true]) {
        const row = rxCost(attack, sourcing, budget, seconds);
        rows.push(row);
        console.log(
          `${attack.padEnd(9)} ${sourcing.padEnd(21)} budget ${row.budget.padEnd(3)}  ${row.slots} slots  ${row.msPerSlot.toFixed(2)} ms/slot here ` +
            `(${(row.msPerSlot * PI_FACTOR).toFixed(1)} on a Pi)  worst line ${row.maxLineMs.toFixed(1)} ms (${(row.maxLineMs * PI_FACTOR).toFixed(0)} on a Pi)  ` +
            `rejected ${JSON.stringify(row.rejected)}`,
        );
      }
    }
  }
  return rows;
}

// ── (b) own ship under attack ─────────────────────────────────────────────────────────────────────────────────

const OWN_INTERVAL_MS = 2_000;

function ownReport(second: number): string[] {
  const m: AisMessage = {
    type: 1, repeat: 0, mmsi: OWN, status: 0, turn: 0, speed: 120, accuracy: true, lon: 2_400_000, lat: 31_800_000,
    course: 900, heading: 90, second, maneuver: 0, spare: 0, raim: false, radio: 0,
  } as AisMessage;
  return encodeVdm(encodeAis(m), { channel: 'A', seqId: 0 }).map((l) => l.replace('!AIVDM', '!AIVDO'));
}

interface OwnShipRow {
  attack: Attack | 'none';
  budget: 'off' | 'on';
  ownReports: number;
  securedOnTime: number;
  bypassedForLatency: number;
  latencyBudgetMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  radioLinesIn: number;
  radioDropped: number;
  rxCpuShare: number;
}

async function ownShipUnderAttack(attack: Attack | 'none', budget: boolean, durationS: number): Promise<OwnShipRow> {
  const clock = new FakeClock(T0);
  const bus = new SimSerialBus();
  const ship = bus.createPort('sim:ship');
  const radio = bus.createPort('sim:radio');
  const config = parseConfig({
    ports: { ship: { path: 'sim:ship', pace: false }, radio: { path: 'sim:radio', pace: false } },
    topology: 'attached',
    mode: 2,
    status: { port: 0 },
    log: { level: 'silent' },
  });
  const inner = new AppliancePipeline(
    { tx: { mode: 2, emit: 'vdm', ownShip: 'vdo' }, rx: budget ? { verifyBudget: DEFAULT_VERIFY_BUDGET } : { verifyBudget: false } },
    { params: pkg.params, identity: own },
    seededBytes('own tx'),
  );
  let rxCpu = 0;
  // Each call's measured CPU, scaled to the Pi, is simulated time passing inside the call.
  const scaled = <A extends unknown[]>(f: (...a: A) => ReturnType<AppliancePipeline['fromShip']>, radioSide: boolean) => (...a: A) => {
    const c0 = cpuMs();
    const out = f(...a);
    const took = (cpuMs() - c0) * PI_FACTOR;
    if (radioSide) rxCpu += took;
    clock.advance(took);
    return out;
  };
  const pipeline = Object.assign(Object.create(inner) as AppliancePipeline, {
    fromShip: scaled((l: string, n: number) => inner.fromShip(l, n), false),
    fromRadio: scaled((l: string, n: number) => inner.fromRadio(l, n), true),
    tick: scaled((n: number) => inner.tick(n), true),
  });
  const pending: (() => void)[] = [];
  const daemon = new Daemon(config, {
    createPipeline: () => pipeline,
    openLink: (_side, port) => createSimSerialLink(bus, { path: port.path, baudRate: port.baud, paceOutput: port.pace }, clock),
    notifier: new RecordingNotifier({ clock }),
    logger: pino({ level: 'silent' }),
    clock,
    defer: (fn) => pending.push(fn),
  });
  const sent: number[] = [];
  let seen = 0;
  /** Own-ship output: every line on the radio port comes from the own-ship path; stamped when the slice that made it ends. */
  const collect = () => {
    for (; seen < radio.lines.length; seen++) sent.push(clock.utcNow());
  };
  const drain = async () => {
    for (let i = 0; i < 1_000_000; i++) {
      await new Promise((r) => setImmediate(r));
      collect();
      const fn = pending.shift();
      if (fn === undefined && i > 2) return;
      fn?.();
    }
  };
  await daemon.start();
  await drain();

  const startMs = clock.utcNow();
  const traffic = attack === 'none' ? [] : attackTraffic(attack, 'fresh MMSI per round', startMs, durationS);
  const ownTimes: number[] = [];
  for (let t = 1_000; t < durationS * 1000; t += OWN_INTERVAL_MS) ownTimes.push(startMs + t);
  // Every arrival as a timer: lines that fall due while a call runs arrive then, as bytes would in the UART buffer.
  for (const { atMs, message } of traffic) clock.setTimeout(() => message.lines.forEach((l) => radio.emitLine(l)), atMs - startMs);
  ownTimes.forEach((at, i) => clock.setTimeout(() => ownReport(i % 60).forEach((l) => ship.emitLine(l)), at - startMs));

  const endMs = startMs + durationS * 1000 + 5_000;
  while (clock.utcNow() < endMs) {
    await drain();
    clock.advance(5);
  }
  // Pair own-ship reports with their output in order (the daemon keeps own-ship order); every report makes the same
  // number of lines, and its first line marks it as sent.
  const latencies: number[] = [];
  const perReport = sent.length / Math.max(1, ownTimes.length);
  ownTimes.forEach((at, i) => {
    const out = sent[Math.round(i * perReport)];
    if (out !== undefined) latencies.push(out - at);
  });
  const st = daemon.status();
  await daemon.stop();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return {
    attack, budget: budget ? 'on' : 'off',
    ownReports: ownTimes.length,
    securedOnTime: st.counters.shipSecured,
    bypassedForLatency: st.counters.shipBypassed.latency,
    latencyBudgetMs: config.timing.latencyBudgetMs,
    p50Ms: q(0.5), p99Ms: q(0.99), maxMs: latencies[latencies.length - 1] ?? Number.NaN,
    radioLinesIn: st.counters.lines.radio.in,
    radioDropped: st.counters.radioInputDropped,
    rxCpuShare: rxCpu / (durationS * 1000),
  };
}

async function partB(): Promise<OwnShipRow[]> {
  const rows: OwnShipRow[] = [];
  for (const attack of ['none', ...ATTACKS] as const) {
    for (const budget of attack === 'none' ? [true] : [false, true]) {
      const row = await ownShipUnderAttack(attack, budget, seconds);
      rows.push(row);
      console.log(
        `${attack.padEnd(9)} budget ${row.budget.padEnd(3)}  own ${row.ownReports}: secured ${row.securedOnTime}, plain for latency ${row.bypassedForLatency}  ` +
          `latency p50 ${row.p50Ms.toFixed(0)} p99 ${row.p99Ms.toFixed(0)} max ${row.maxMs.toFixed(0)} ms (budget ${row.latencyBudgetMs})  ` +
          `radio in ${row.radioLinesIn}, dropped ${row.radioDropped}, rx CPU ${(row.rxCpuShare * 100).toFixed(0)} % of a Pi core`,
      );
    }
  }
  return rows;
}

async function main(): Promise<void> {
  console.log(`bench:attack — ${seconds} s of attack per run at ${VDL_SLOTS_PER_S} slots/s; Pi factor ${PI_FACTOR}`);
  const result: Record<string, unknown> = { seconds, piFactor: PI_FACTOR, vdlSlotsPerS: VDL_SLOTS_PER_S, budget: DEFAULT_VERIFY_BUDGET };
  if (only.includes('a')) {
    console.log('\n(a) receiver CPU per attacker slot (this host; × Pi factor for a Pi 4)');
    result.cost = partA();
  }
  if (only.includes('b')) {
    console.log(`\n(b) own ship (one report / ${OWN_INTERVAL_MS / 1000} s, mode 2) under a saturating attack, Pi-scaled CPU`);
    result.ownShip = await partB();
  }
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'attack.json');
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}

await main();
