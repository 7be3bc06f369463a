/**
 * Own-ship traffic while the radio side verifies a flood (docs/verification-budget.md): the daemon with the real
 * secure pipeline on simulated ports and a FakeClock. Every signature verification costs a Raspberry Pi's time on the
 * simulated clock (26.5 ms: 5.3 ms measured on the reference host × the bench's Pi factor 5), so what is asserted is
 * simulated time from an own-ship report's arrival to its secured message on the radio port — never wall-clock time.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attackerSignatures, craftRound, type CraftContext } from '../../../bench/attack-craft.js';
import { AppliancePipeline } from '../../../firmware/appliance-pipeline.js';
import { Daemon, parseConfig } from '../../../firmware/daemon/index.js';
import type { OwnIdentity } from '../../../firmware/keyring.js';
import { FakeClock, RecordingNotifier, SimSerialBus, createSimSerialLink, type SimSerialDevice } from '../../../hal/index.js';
import { encodeAis, encodeVdm } from '../../../nmea/index.js';
import { NOW_MS, epochAt, seededRandom, testPkg, type TestPkg } from '../_pkg.js';
import { meterVerifications } from '../_verification-meter.js';

const OWN = 211_000_001;
const ATTACKER = 244_666_666;
const PI_VERIFY_MS = 26.5;

let pkg: TestPkg;
let own: OwnIdentity;
let craft: CraftContext;
let clock: FakeClock | undefined;
let verifications = 0;
let unmeter: () => void;

beforeAll(() => {
  pkg = testPkg('own ship under attack');
  const e = epochAt(NOW_MS, pkg.params);
  own = pkg.identity(OWN, [e]);
  craft = { attacker: pkg.identity(ATTACKER, [e]), victim: OWN, dac: 0, fi: 58, random: seededRandom('craft') };
  // The cost model: each verification moves the simulated clock by what it takes on a Pi.
  unmeter = meterVerifications(() => {
    verifications++;
    clock?.advance(PI_VERIFY_MS);
  });
});

afterAll(() => unmeter());

const daemons: Daemon[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop();
  clock = undefined;
});

function ownReport(second: number): string[] {
  const bits = encodeAis({ type: 1, repeat: 0, mmsi: OWN, status: 0, turn: 0, speed: 120, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second, maneuver: 0, spare: 0, raim: false, radio: 0 });
  return encodeVdm(bits, { formatter: 'VDO', channel: '' });
}

async function rig(): Promise<{ daemon: Daemon; ship: SimSerialDevice; radio: SimSerialDevice; clock: FakeClock }> {
  const c = new FakeClock(NOW_MS);
  clock = c;
  const bus = new SimSerialBus();
  const ship = bus.createPort('sim:ship');
  const radio = bus.createPort('sim:radio');
  const pipeline = new AppliancePipeline({ tx: { mode: 2, emit: 'vdm', ownShip: 'vdo' }, rx: {} }, { params: pkg.params, identity: own }, seededRandom('own tx'));
  const daemon = new Daemon(
    parseConfig({ ports: { ship: { path: 'sim:ship', pace: false }, radio: { path: 'sim:radio', pace: false } }, topology: 'attached', mode: 2, status: { port: 0 } }),
    {
      createPipeline: () => pipeline,
      openLink: (_side, port) => createSimSerialLink(bus, { path: port.path, baudRate: port.baud, paceOutput: port.pace }, c),
      notifier: new RecordingNotifier({ clock: c }),
      logger: pino({ level: 'silent' }),
      clock: c,
    },
  );
  daemons.push(daemon);
  await daemon.start();
  await settle(daemon);
  return { daemon, ship, radio, clock: c };
}

/** Lets the daemon work until both input queues are empty. */
async function settle(daemon: Daemon): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    const q = daemon.status().inputQueued;
    if (i > 8 && q.ship === 0 && q.radio === 0) return;
  }
}

describe('own-ship traffic while the radio side verifies a flood', () => {
  it('sends every own-ship report secured within the latency budget while forged fragment combinations arrive (Pi-scaled verification cost)', async () => {
    const { daemon, ship, radio, clock: c } = await rig();
    const budgetMs = daemon.config.timing.latencyBudgetMs;
    const signatures = attackerSignatures(craft);
    const latencies: number[] = [];
    for (let round = 0; round < 3; round++) {
      // Forged attached signatures in two versions per fragment, against four held plain reports, from a fresh MMSI.
      const messages = craftRound(craft, 'attached', 200_000_000 + round, c.utcNow(), signatures, round);
      for (const m of messages.slice(0, -1)) for (const l of m.lines) radio.emitLine(l);
      await settle(daemon);
      const before = radio.lines.length;
      // The costliest fragment comes last; the own-ship report arrives 1 ms later, while its candidates are verified.
      for (const l of (messages[messages.length - 1] as (typeof messages)[number]).lines) radio.emitLine(l);
      let arrivedAt = Number.NaN;
      c.setTimeout(() => {
        arrivedAt = c.monotonicNow();
        for (const l of ownReport(round)) ship.emitLine(l);
      }, 1);
      let sentAt: number | undefined;
      for (let i = 0; i < 10_000 && sentAt === undefined; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        if (radio.lines.length > before) sentAt = c.monotonicNow();
        // Idle: time moves on by itself (the report may not have arrived yet).
        else if (daemon.status().inputQueued.radio === 0) c.advance(1);
      }
      await settle(daemon);
      expect(sentAt).toBeDefined();
      latencies.push((sentAt as number) - arrivedAt);
      c.advance(2_000);
    }
    expect(verifications).toBeGreaterThan(0);
    for (const l of latencies) expect(l).toBeLessThanOrEqual(budgetMs);
    const counters = daemon.status().counters;
    expect(counters.shipSecured).toBe(3);
    expect(counters.shipBypassed.latency).toBe(0);
  });
});
