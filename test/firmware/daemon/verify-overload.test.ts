/**
 * VERIFY_OVERLOAD (docs/verification-budget.md): the daemon with the real secure pipeline on simulated ports and a
 * FakeClock raises it when a flood spends the receiver's total verification budget, once per episode however long
 * the flood lasts, with the count of messages refused, and clears it when the budget has recovered.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attackerSignatures, craftRound, type CraftContext } from '../../../bench/attack-craft.js';
import { AppliancePipeline } from '../../../firmware/appliance-pipeline.js';
import { Daemon, TRANSIENT_ALARM_HOLD_MS, parseConfig } from '../../../firmware/daemon/index.js';
import type { OwnIdentity } from '../../../firmware/keyring.js';
import type { VerifyBudgetLimits } from '../../../firmware/rx/verify-budget.js';
import { FakeClock, RecordingNotifier, SimSerialBus, createSimSerialLink, type SimSerialDevice } from '../../../hal/index.js';
import { NOW_MS, epochAt, seededRandom, testPkg, type TestPkg } from '../_pkg.js';

const OWN = 211_000_001;
const ATTACKER = 244_666_666;
/** A small total budget keeps the pairings this test spends few; the logic does not depend on the numbers. */
const TOTAL = { totalRate: 1, totalBurst: 2 };

let pkg: TestPkg;
let own: OwnIdentity;
let craft: CraftContext;
let signatures: [Uint8Array, Uint8Array];

beforeAll(() => {
  pkg = testPkg('verify overload');
  const e = epochAt(NOW_MS, pkg.params);
  own = pkg.identity(OWN, [e]);
  craft = { attacker: pkg.identity(ATTACKER, [e]), victim: OWN, dac: 0, fi: 58, random: seededRandom('craft') };
  signatures = attackerSignatures(craft);
});

const daemons: Daemon[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop();
});

interface Rig {
  daemon: Daemon;
  radio: SimSerialDevice;
  clock: FakeClock;
  logs: { msg: string; alarm?: string }[];
}

async function rig(verifyBudget: Partial<VerifyBudgetLimits> = TOTAL): Promise<Rig> {
  const clock = new FakeClock(NOW_MS);
  const bus = new SimSerialBus();
  bus.createPort('sim:ship');
  const radio = bus.createPort('sim:radio');
  const logs: Rig['logs'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Rig['logs'][number]);
      done();
    },
  });
  const pipeline = new AppliancePipeline({ tx: { mode: 2, emit: 'vdm', ownShip: 'vdo' }, rx: { verifyBudget } }, { params: pkg.params, identity: own }, seededRandom('own tx'));
  const daemon = new Daemon(
    parseConfig({ ports: { ship: { path: 'sim:ship', pace: false }, radio: { path: 'sim:radio', pace: false } }, topology: 'attached', mode: 2, status: { port: 0 } }),
    {
      createPipeline: () => pipeline,
      openLink: (_side, port) => createSimSerialLink(bus, { path: port.path, baudRate: port.baud, paceOutput: port.pace }, clock),
      notifier: new RecordingNotifier({ clock }),
      logger: pino({ level: 'info' }, sink),
      clock,
    },
  );
  daemons.push(daemon);
  await daemon.start();
  await settle(daemon);
  return { daemon, radio, clock, logs };
}

/** Lets the daemon work until both input queues are empty. */
async function settle(daemon: Daemon): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    const q = daemon.status().inputQueued;
    if (i > 8 && q.ship === 0 && q.radio === 0) return;
  }
}

/** One forged signed-inline message from each of `count` fresh MMSIs: the per-source budgets never bind. */
async function flood(r: Rig, firstSource: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    for (const m of craftRound(craft, 'inline', firstSource + i, r.clock.utcNow(), signatures, i % 16)) for (const l of m.lines) r.radio.emitLine(l);
  }
  await settle(r.daemon);
}

const raisedLogs = (r: Rig): number => r.logs.filter((l) => l.alarm === 'VERIFY_OVERLOAD' && /raised/.test(l.msg)).length;
const clearedLogs = (r: Rig): number => r.logs.filter((l) => l.alarm === 'VERIFY_OVERLOAD' && /cleared/.test(l.msg)).length;
const refusedTotal = (r: Rig): number => r.daemon.status().pipeline['rx.rejected.BUDGET_TOTAL'] ?? 0;

describe('VERIFY_OVERLOAD', () => {
  it('is raised with the count when a flood from changing MMSIs spends the total verification budget', async () => {
    const r = await rig();
    await flood(r, 200_000_000, 6);
    expect(refusedTotal(r)).toBeGreaterThan(0);
    expect(r.daemon.alarms.has('VERIFY_OVERLOAD', 'radio')).toBe(true);
    const alarm = r.daemon.alarms.active().find((a) => a.code === 'VERIFY_OVERLOAD');
    expect(alarm?.detail).toContain('BUDGET_TOTAL');
    expect(alarm?.detail).toContain(`${refusedTotal(r)} secured messages not verified`);
    expect(raisedLogs(r)).toBe(1);
  });

  it('is raised once however long the flood lasts, counts it all, and clears when the budget has recovered', async () => {
    const r = await rig();
    // Two minutes of flood, a burst every 5 s (shorter than the hold time): one alarm, not one per message.
    for (let burst = 0; burst < 24; burst++) {
      await flood(r, 200_100_000 + burst * 10, 4);
      r.clock.advance(5_000);
      await settle(r.daemon);
    }
    expect(r.daemon.alarms.has('VERIFY_OVERLOAD', 'radio')).toBe(true);
    expect(raisedLogs(r)).toBe(1);
    expect(r.daemon.alarms.active().find((a) => a.code === 'VERIFY_OVERLOAD')?.detail).toContain(`${refusedTotal(r)} secured messages`);
    // The flood stops: the alarm stays for the hold time, then clears.
    r.clock.advance(TRANSIENT_ALARM_HOLD_MS - 6_000);
    await settle(r.daemon);
    expect(r.daemon.alarms.has('VERIFY_OVERLOAD')).toBe(true);
    r.clock.advance(2_000);
    await settle(r.daemon);
    expect(r.daemon.alarms.has('VERIFY_OVERLOAD')).toBe(false);
    expect(clearedLogs(r)).toBe(1);
    // A new flood is a new episode, counted from zero.
    const before = refusedTotal(r);
    await flood(r, 200_200_000, 6);
    expect(raisedLogs(r)).toBe(2);
    expect(r.daemon.alarms.active().find((a) => a.code === 'VERIFY_OVERLOAD')?.detail).toContain(`${refusedTotal(r) - before} secured messages`);
  });

  it('is not raised when only one source is over its own budget (that costs the others nothing)', async () => {
    const r = await rig({});
    // Eight messages from one MMSI at once, two pairings each: refused BUDGET_SOURCE past its burst of 8, while the
    // default total has room.
    for (let i = 0; i < 8; i++) {
      for (const m of craftRound(craft, 'inline', 200_300_001, r.clock.utcNow(), signatures, i % 16)) for (const l of m.lines) r.radio.emitLine(l);
    }
    await settle(r.daemon);
    expect(r.daemon.status().pipeline['rx.rejected.BUDGET_SOURCE'] ?? 0).toBeGreaterThan(0);
    expect(refusedTotal(r)).toBe(0);
    expect(r.daemon.alarms.has('VERIFY_OVERLOAD')).toBe(false);
  });
});
