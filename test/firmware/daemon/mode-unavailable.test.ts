/**
 * Mode changes the keys cannot serve, with the real secure pipeline: a reload (SIGHUP) into mode 3 without a
 * pseudonym key, mode 4 without a destination, mode 5 without nonce state or a group key to send with is refused
 * with MODE_UNAVAILABLE — the previous mode kept and own-ship reports still secured — and key files past their last
 * epoch raise KEY_EXPIRED. The secure LED never claims a mode that is not delivered.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AppliancePipeline } from '../../../firmware/appliance-pipeline.js';
import { Daemon, parseConfig, type DaemonConfigInput } from '../../../firmware/daemon/index.js';
import type { Mode } from '../../../firmware/pipeline.js';
import { FakeClock, MemoryNonceStore, RecordingNotifier, SimGpio, SimSerialBus, createSimSerialLink, type SimSerialDevice } from '../../../hal/index.js';
import { encodeAis, encodeVdm } from '../../../nmea/index.js';
import { epochAt, groupRing, seededRandom, testPkg } from '../_pkg.js';

const A = 244_100_001;
const SECURE_LED = 27;
const report = (speed: number) =>
  encodeVdm(encodeAis({ type: 1, repeat: 0, mmsi: A, status: 0, turn: -128, speed, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 }), { formatter: 'VDO', channel: '' });

const pkg = testPkg('mode unavailable');
const daemons: Daemon[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop();
});

async function settle(): Promise<void> {
  for (let i = 0; i < 8; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

interface Rig { daemon: Daemon; pipeline: AppliancePipeline; clock: FakeClock; gpio: SimGpio; ship: SimSerialDevice; radio: SimSerialDevice }

async function rig(mode: Mode, keys: { nonces?: boolean; group?: boolean } = {}, config: Partial<DaemonConfigInput> = {}): Promise<Rig> {
  const clock = new FakeClock(Date.now());
  const epoch = epochAt(clock.utcNow(), pkg.params);
  const now = Math.floor(clock.utcNow() / 1000);
  const pipeline = new AppliancePipeline(
    { tx: { mode, emit: 'bbm', ownShip: 'vdo' }, rx: {} },
    {
      params: pkg.params,
      identity: pkg.identity(A, [epoch, epoch + 1]),
      ...(keys.group === true ? { groupKeys: groupRing(3, 'fleet', now - 3600, now + 3600) } : {}),
      ...(keys.nonces === true ? { nonceState: new MemoryNonceStore() } : {}),
    },
    seededRandom('mode unavailable'),
  );
  const bus = new SimSerialBus();
  const ship = bus.createPort('sim:ship');
  const radio = bus.createPort('sim:radio');
  const gpio = new SimGpio();
  const daemon = new Daemon(
    parseConfig({
      ports: { ship: { path: 'sim:ship', pace: false }, radio: { path: 'sim:radio', pace: false } },
      topology: 'inline',
      mode,
      status: { port: 0 },
      gpio: { bypassRelay: 5, leds: { secure: SECURE_LED } },
      // Day-long timers: months of simulated time in few firings.
      timing: { tickIntervalMs: 86_400_000 },
      ...config,
    }),
    {
      createPipeline: () => pipeline,
      openLink: (_side, port) => createSimSerialLink(bus, { path: port.path, baudRate: port.baud, paceOutput: port.pace }, clock),
      notifier: new RecordingNotifier({ clock }),
      logger: pino({ level: 'silent' }),
      clock,
      gpio,
      watchdogIntervalMs: 86_400_000,
    },
  );
  daemons.push(daemon);
  await daemon.start();
  await settle();
  return { daemon, pipeline, clock, gpio, ship, radio };
}

/** The secure LED's pattern as seen over a second and a half: steady on, steady off, or blinking. */
function secureLed(r: Rig): 'on' | 'off' | 'blinking' {
  const seen = new Set<boolean>();
  for (let i = 0; i < 30; i += 1) {
    seen.add(r.gpio.level(SECURE_LED));
    r.clock.advance(50);
  }
  return seen.size === 2 ? 'blinking' : seen.has(true) ? 'on' : 'off';
}

const reload = (r: Rig, mode: Mode) => r.daemon.reload(parseConfig({ ...r.daemon.config, mode }));

describe('mode changes the keys cannot serve', () => {
  it('refuses a reload into mode 3 without a pseudonym key, mode 4 without a destination, mode 5 without nonce state: mode 2 kept, reports secured', async () => {
    const r = await rig(2);
    expect(secureLed(r)).toBe('on');
    for (const mode of [3, 4, 5] as const) {
      reload(r, mode);
      expect(r.pipeline.mode).toBe(2);
      expect(r.daemon.alarms.has('MODE_UNAVAILABLE', 'pipeline')).toBe(true);
      expect(r.daemon.alarms.active().find((a) => a.code === 'MODE_UNAVAILABLE')?.detail).toMatch(new RegExp(`mode ${mode} refused, mode 2 kept`));
    }
    // The kept mode is delivered: the report goes out signed (BBM), nothing plain.
    for (const l of report(100)) r.ship.emitLine(l);
    await settle();
    expect(r.radio.lines.length).toBeGreaterThan(0);
    expect(r.radio.lines.every((l) => /^!..BBM,/.test(l))).toBe(true);
    expect(r.daemon.status().pipeline['tx.sentPlain']).toBe(0);
    // Back to a mode it can serve: the alarm clears.
    reload(r, 2);
    expect(r.daemon.alarms.has('MODE_UNAVAILABLE')).toBe(false);
  });

  it('refuses mode 5 with nonce state but no group key to send with, and takes it where one is held', async () => {
    const r = await rig(1, { nonces: true });
    reload(r, 5);
    expect(r.pipeline.mode).toBe(1);
    expect(r.daemon.alarms.has('MODE_UNAVAILABLE', 'pipeline')).toBe(true);
    expect(secureLed(r)).toBe('blinking'); // mode 1 inline: slow blink, never steady "secure"

    const served = await rig(1, { nonces: true, group: true });
    reload(served, 5);
    expect(served.pipeline.mode).toBe(5);
    expect(served.daemon.alarms.has('MODE_UNAVAILABLE')).toBe(false);
  });

  it('starts in a configured mode it cannot serve only with MODE_UNAVAILABLE raised and the secure LED not steady', async () => {
    const r = await rig(5, { nonces: true });
    expect(r.pipeline.mode).toBe(5);
    expect(r.daemon.alarms.has('MODE_UNAVAILABLE', 'pipeline')).toBe(true);
    expect(secureLed(r)).toBe('blinking');
  });

  it('raises KEY_EXPIRED for key files once the clock passes their last epoch, and the secure LED stops claiming mode 2', async () => {
    const r = await rig(2);
    expect(r.daemon.alarms.has('KEY_EXPIRED')).toBe(false);
    r.clock.advance(70 * 86_400_000);
    expect(r.daemon.alarms.has('KEY_EXPIRED', `key:mmsi:${A}`)).toBe(true);
    expect(secureLed(r)).toBe('blinking');
    // A report now cannot be signed: mode 2's fallback sends it plain, and says so.
    for (const l of report(100)) r.ship.emitLine(l);
    await settle();
    expect(r.daemon.status().pipeline['tx.sentPlain']).toBe(1);
    expect(r.daemon.alarms.has('OWN_SHIP_UNSECURED', 'KEY_EXPIRED')).toBe(true);
  });
});
