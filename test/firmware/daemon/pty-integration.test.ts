/**
 * Two daemons over real pseudo-terminals (socat) and the real serial driver: ship A (inline, relay twin) and ship B
 * (attached), their radio ports joined by a simulated VHF link. Real time, so every wait is for a condition.
 * The pipeline is the pass-through twin; with the secure pipeline plugged in the same rig carries modes 2 and 5.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingNotifier, SimGpio, createSerialLink, systemClock } from '../../../hal/index.js';
import { Daemon, parseConfig, type DaemonConfigInput } from '../../../firmware/daemon/index.js';
import { PTY_TEST_TIMEOUT_MS, PtyCable, RadioTwin, plugInPair, portsOn, socatAvailable, until } from './_pty.js';
import { TwinPipeline } from './_twin-pipeline.js';

const RELAY = 5;
const WATCHDOG_MS = 100;
const HANG_MS = 1_000;

interface Ship {
  name: string;
  ship: PtyCable;
  radio: PtyCable;
  daemon: Daemon;
  pipeline: TwinPipeline;
  notifier: RecordingNotifier;
  gpio: SimGpio;
}

if (!socatAvailable) console.warn('pty-integration: socat is not installed (apt-get install socat); the PTY tests are skipped');

describe.skipIf(!socatAvailable)('two daemons over pseudo-terminals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mibc-daemon-pty-'));
  const ships: Ship[] = [];
  let a: Ship;
  let b: Ship;

  async function makeShip(name: string, topology: 'inline' | 'attached', mode: 2 | 5): Promise<Ship> {
    const { ship, radio } = await plugInPair(dir, name);
    const gpio = new SimGpio();
    const notifier = new RecordingNotifier();
    const pipeline = new TwinPipeline();
    const input: DaemonConfigInput = {
      ports: portsOn(ship, radio),
      topology,
      mode,
      status: { port: 0 },
      timing: { latencyBudgetMs: 500, hangThresholdMs: HANG_MS, tickIntervalMs: 1_000 },
      ...(topology === 'inline' ? { gpio: { bypassRelay: RELAY } } : {}),
    };
    const daemon = new Daemon(parseConfig(input), {
      createPipeline: () => pipeline,
      // The daemon reopens a little later than the test's device end reappears, as a radio module boots first.
      openLink: (_side, port) => createSerialLink({ path: port.path, baudRate: port.baud, paceOutput: port.pace, reopenInitialMs: 200, reopenMaxMs: 400 }, systemClock),
      notifier,
      logger: pino({ level: 'silent' }),
      gpio,
      watchdogIntervalMs: WATCHDOG_MS,
    });
    const s = { name, ship, radio, daemon, pipeline, notifier, gpio };
    ships.push(s);
    return s;
  }

  beforeAll(async () => {
    a = await makeShip('a', 'inline', 2);
    b = await makeShip('b', 'attached', 2);
    new RadioTwin(a.radio, b.radio);
    await Promise.all([a.daemon.start(), b.daemon.start()]);
    await Promise.all([a.daemon.whenReady(), b.daemon.whenReady()]);
  }, PTY_TEST_TIMEOUT_MS);

  afterAll(async () => {
    for (const s of ships) {
      await s.daemon.stop();
      await s.ship.pullOut();
      await s.radio.pullOut();
    }
    rmSync(dir, { recursive: true, force: true });
  }, PTY_TEST_TIMEOUT_MS);

  it('comes up: READY once, relay engaged on the inline ship', () => {
    expect(a.notifier.fields.filter((f) => f === 'READY=1')).toHaveLength(1);
    expect(a.gpio.level(RELAY)).toBe(true);
    expect(b.daemon.status().relay).toBe('none');
  });

  it('exchanges traffic both ways over the radio link', async () => {
    const fromA = Array.from({ length: 20 }, (_, i) => `!AIVDO,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*${String(i).padStart(2, '0')}`);
    const fromB = Array.from({ length: 20 }, (_, i) => `!AIVDO,1,1,,B,15MgK45P3@G?fl0E\`JbR0OwT0@MS,0*${String(i).padStart(2, '0')}`);
    for (const line of fromA) a.ship.send(line);
    for (const line of fromB) b.ship.send(line);
    await until(() => fromA.every((l) => b.ship.lines.includes(l)) && fromB.every((l) => a.ship.lines.includes(l)), 'traffic to cross');
    expect(b.ship.lines.filter((l) => fromA.includes(l))).toEqual(fromA);
    expect(a.daemon.status().counters.shipSecured).toBe(20);
  }, PTY_TEST_TIMEOUT_MS);

  it('recovers from a pulled radio cable without restart and without losing queued own-ship lines', async () => {
    await a.radio.pullOut();
    await until(() => a.daemon.status().ports.radio?.state !== 'up', 'A to see its radio port go');
    expect(a.daemon.status().relay).toBe('bypass');
    expect(a.daemon.alarms.has('PORT_DOWN', 'radio')).toBe(true);

    const held = Array.from({ length: 10 }, (_, i) => `!AIVDO,1,1,,A,held${i},0*00`);
    for (const line of held) a.ship.send(line);
    await until(() => a.daemon.status().ports.radio?.queued.safety === held.length, 'A to queue its own-ship lines');

    await a.radio.plugIn();
    await until(() => held.every((l) => b.ship.lines.includes(l)), 'the held lines to reach B');
    const status = a.daemon.status();
    expect(b.ship.lines.filter((l) => held.includes(l))).toEqual(held);
    expect(status.ports.radio?.reconnects).toBeGreaterThanOrEqual(1);
    expect(status.relay).toBe('inline');
    expect(a.daemon.alarms.has('PORT_DOWN')).toBe(false);
    expect(a.notifier.fields.filter((f) => f === 'READY=1')).toHaveLength(1);
    expect(a.daemon.state).toBe('running');
  }, PTY_TEST_TIMEOUT_MS);

  it('trips the watchdog when the pipeline hangs, and the relay twin reports bypass', async () => {
    a.pipeline.shipCostMs = HANG_MS + 500;
    const pings = (): number[] => a.notifier.notifications.filter((n) => n.fields.includes('WATCHDOG=1')).map((n) => n.atMs);
    expect(pings().length).toBeGreaterThan(0);
    a.ship.send('!AIVDO,1,1,,A,hang,0*00');
    await until(() => a.daemon.health === 'hung', 'A to declare its pipeline hung');
    expect(a.gpio.level(RELAY)).toBe(false);
    expect(a.daemon.status().relay).toBe('bypass');
    // systemd's side (WatchdogSec = 2 × the ping interval): the pings stop, so it would kill and restart us.
    const last = pings().at(-1) ?? 0;
    await until(() => a.daemon.status().watchdog.withheld >= 3, 'three watchdog intervals to pass unpinged');
    expect(pings().at(-1)).toBe(last);
    // The own-ship line that hung still went out.
    await until(() => b.ship.lines.includes('!AIVDO,1,1,,A,hang,0*00'), 'the hung line to reach B');
  }, PTY_TEST_TIMEOUT_MS);
});
