/** The daemon on simulated ports, GPIO, token and notifier, with a FakeClock: fail-safe, priority, alarms, modes. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FakeClock,
  RecordingNotifier,
  SimGpio,
  SimSerialBus,
  createSimSerialLink,
  type KeyToken,
  type SimSerialDevice,
} from '../../../hal/index.js';
import { Daemon, TRANSIENT_ALARM_HOLD_MS, parseConfig, type DaemonConfigInput, type KeyValidity } from '../../../firmware/daemon/index.js';
import { EventEmitter } from 'node:events';
import { encodeAis, encodeVdm, formatSentence } from '../../../nmea/index.js';
import { TwinPipeline } from './_twin-pipeline.js';

const RELAY = 5;
const LED_ALARM = 22;
const SWITCH = [23, 24, 25] as const;
const TAMPER = 26;
const WATCHDOG_MS = 1_000;

class TokenTwin extends EventEmitter implements KeyToken {
  present = true;
  async readPermit(): Promise<Uint8Array> {
    return new Uint8Array();
  }
  remove(): void {
    this.present = false;
    this.emit('removed');
  }
  insert(): void {
    this.present = true;
    this.emit('inserted');
  }
  async close(): Promise<void> {}
}

interface Rig {
  clock: FakeClock;
  gpio: SimGpio;
  ship: SimSerialDevice;
  radio: SimSerialDevice;
  notifier: RecordingNotifier;
  pipeline: TwinPipeline;
  daemon: Daemon;
  token: TokenTwin;
  logs: { msg: string; alarm?: string }[];
  keys: KeyValidity[];
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.daemon.stop();
});

async function settle(): Promise<void> {
  for (let i = 0; i < 8; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

function makeRig(overrides: Partial<DaemonConfigInput> = {}, options: { radioPlugged?: boolean; watchdogMs?: number } = {}): Rig {
  const clock = new FakeClock();
  const bus = new SimSerialBus();
  const ship = bus.createPort('sim:ship');
  const radio = bus.createPort('sim:radio');
  if (options.radioPlugged === false) radio.unplug();
  const gpio = new SimGpio();
  const notifier = new RecordingNotifier({ clock });
  const pipeline = new TwinPipeline({ spend: (ms) => clock.advance(ms) });
  const token = new TokenTwin();
  const logs: Rig['logs'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Rig['logs'][number]);
      done();
    },
  });
  const keys: KeyValidity[] = [];
  const config = parseConfig({
    ports: { ship: { path: 'sim:ship', pace: false }, radio: { path: 'sim:radio', pace: false } },
    topology: 'inline',
    mode: 2,
    status: { port: 0 },
    gpio: { bypassRelay: RELAY, leds: { power: 17, secure: 27, alarm: LED_ALARM }, modeSwitch: [...SWITCH], tamper: TAMPER, modeSwitchActiveLow: false, tamperActiveLow: false },
    ...overrides,
  });
  const daemon = new Daemon(config, {
    createPipeline: () => pipeline,
    openLink: (_side, port) => createSimSerialLink(bus, { path: port.path, baudRate: port.baud, paceOutput: port.pace, reopenInitialMs: 250 }, clock),
    notifier,
    logger: pino({ level: 'debug' }, sink),
    clock,
    gpio,
    token,
    keyValidity: () => keys,
    watchdogIntervalMs: options.watchdogMs ?? WATCHDOG_MS,
  });
  const rig = { clock, gpio, ship, radio, notifier, pipeline, daemon, token, logs, keys };
  rigs.push(rig);
  return rig;
}

async function started(rig: Rig): Promise<Rig> {
  await rig.daemon.start();
  await settle();
  return rig;
}

describe('Daemon fail-safe', () => {
  it('keeps the relay released until both ports are up, then sends READY once and engages', async () => {
    const rig = makeRig({}, { radioPlugged: false });
    expect(rig.gpio.claimed(RELAY)).toBe(false);
    await rig.daemon.start();
    await settle();
    expect(rig.gpio.level(RELAY)).toBe(false);
    expect(rig.notifier.fields).not.toContain('READY=1');
    expect(rig.daemon.alarms.has('PORT_DOWN', 'radio')).toBe(true);

    rig.radio.replug();
    rig.clock.advance(250);
    await settle();
    expect(rig.daemon.status().relay).toBe('inline');
    expect(rig.gpio.level(RELAY)).toBe(true);
    expect(rig.notifier.fields.filter((f) => f === 'READY=1')).toHaveLength(1);
    expect(rig.daemon.alarms.has('PORT_DOWN')).toBe(false);
    expect(rig.daemon.status().startupMs).toBe(250);
  });

  it('releases the relay while a port is lost and engages it again after the reconnect, without a second READY', async () => {
    const rig = await started(makeRig());
    rig.radio.unplug();
    await settle();
    expect(rig.daemon.status().relay).toBe('bypass');
    rig.radio.replug();
    rig.clock.advance(250);
    await settle();
    expect(rig.daemon.status().relay).toBe('inline');
    expect(rig.notifier.fields.filter((f) => f === 'READY=1')).toHaveLength(1);
    expect(rig.daemon.status().ports.radio?.reconnects).toBe(1);
  });

  it('keeps own-ship lines queued across a radio port loss', async () => {
    const rig = await started(makeRig());
    rig.radio.unplug();
    await settle();
    for (let i = 0; i < 5; i += 1) rig.ship.emitLine(`!AIVDO,own,${i}`);
    await settle();
    expect(rig.radio.lines).toEqual([]);
    rig.radio.replug();
    rig.clock.advance(250);
    await settle();
    expect(rig.radio.lines).toEqual([0, 1, 2, 3, 4].map((i) => `!AIVDO,own,${i}`));
  });

  it('replaces own-ship reports that waited on a lost radio port by the newest per ship and type: no late burst', async () => {
    const rig = await started(makeRig());
    const position = (mmsi: number, type: 1 | 3, speed: number) =>
      encodeVdm(encodeAis({ type, repeat: 0, mmsi, status: 0, turn: -128, speed, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 }), { formatter: 'VDO', channel: '' })[0]!;
    rig.radio.unplug();
    await settle();
    // 22 s unplugged, a report every second of one ship (type 1), and one type-3 report.
    for (let i = 0; i < 22; i += 1) {
      rig.ship.emitLine(position(244_100_001, 1, i));
      await settle();
      rig.clock.advance(1_000);
    }
    rig.ship.emitLine(position(244_100_001, 3, 99));
    await settle();
    rig.radio.replug();
    // The reopen backoff has grown while the port was away: step until it reopens.
    for (let i = 0; i < 60 && rig.radio.lines.length === 0; i += 1) {
      rig.clock.advance(500);
      await settle();
    }
    expect(rig.radio.lines).toEqual([position(244_100_001, 1, 21), position(244_100_001, 3, 99)]);
    expect(rig.daemon.status().counters.shipSuperseded).toBe(21);
    expect(rig.daemon.status().ports.radio?.drops.superseded).toBe(21);
    expect(rig.daemon.alarms.has('OWN_SHIP_SUPERSEDED', 'radio')).toBe(true);
    expect(rig.daemon.alarms.has('SAFETY_LINE_DROPPED')).toBe(false);
  });

  it('withholds the watchdog during a hung call, latches the pipeline as hung and releases the relay', async () => {
    const rig = await started(makeRig());
    expect(rig.daemon.status().watchdog.pings).toBeGreaterThan(0);
    const hungAt = rig.clock.monotonicNow();
    rig.pipeline.shipCostMs = 6_000;
    rig.ship.emitLine('!AIVDO,hang');
    await settle();
    const status = rig.daemon.status();
    expect(status.health).toBe('hung');
    expect(status.relay).toBe('bypass');
    // Pings continue only while the call is within the hang threshold (5 s), and never after.
    const late = rig.notifier.notifications.filter((n) => n.fields.includes('WATCHDOG=1') && n.atMs > hungAt + 5_000);
    expect(late).toEqual([]);
    expect(status.watchdog.withheld).toBeGreaterThan(0);
    expect(rig.daemon.alarms.has('PIPELINE_HUNG')).toBe(true);
    // systemd's view: no WATCHDOG=1 for longer than WatchdogSec (2 × the ping interval) — it kills the service.
    rig.clock.advance(10_000);
    const pings = rig.notifier.notifications.filter((n) => n.fields.includes('WATCHDOG=1')).map((n) => n.atMs);
    expect(rig.clock.monotonicNow() - (pings.at(-1) ?? 0)).toBeGreaterThan(2 * WATCHDOG_MS);
    // Own-ship traffic still goes out (mode 1) while the service waits to be restarted.
    rig.ship.emitLine('!AIVDO,after');
    await settle();
    expect(rig.radio.lines).toContain('!AIVDO,after');
  });

  it('counts an own-ship line the pipeline throws on and goes on: relay inline, the line sent in mode 1 (mode 2)', async () => {
    const rig = await started(makeRig());
    rig.pipeline.failNext = new Error('boom');
    rig.ship.emitLine('!AIVDO,x');
    rig.ship.emitLine('!AIVDO,y');
    await settle();
    const status = rig.daemon.status();
    expect(status.health).toBe('healthy');
    expect(status.state).toBe('running');
    expect(status.relay).toBe('inline');
    expect(rig.radio.lines).toEqual(['!AIVDO,x', '!AIVDO,y']);
    expect(status.counters.shipBypassed['pipeline-error']).toBe(1);
    expect(status.counters.shipSecured).toBe(1);
    expect(status.counters.pipelineErrors).toBe(1);
    expect(rig.daemon.alarms.has('PIPELINE_ERROR', 'fromShip')).toBe(true);
  });

  it('counts a radio line the pipeline throws on as a rejection, shows nothing of it, and keeps verifying', async () => {
    const rig = await started(makeRig());
    rig.pipeline.poisonRadio = 'poison';
    for (let i = 0; i < 5; i += 1) rig.radio.emitLine(`!AIVDM,poison,${i}`);
    rig.radio.emitLine('!AIVDM,other,1');
    await settle();
    const status = rig.daemon.status();
    expect(status.health).toBe('healthy');
    expect(status.relay).toBe('inline');
    expect(rig.ship.lines).toEqual(['!AIVDM,other,1']);
    expect(status.counters.radioRejected).toBe(5);
    expect(status.counters.pipelineErrors).toBe(5);
    // The watchdog keeps being fed: systemd sees a healthy service, not one to kill and restart.
    const before = status.watchdog.pings;
    rig.clock.advance(3 * WATCHDOG_MS);
    expect(rig.daemon.status().watchdog.pings).toBeGreaterThan(before);
    expect(rig.daemon.status().watchdog.withheld).toBe(0);
  });

  it('stops in order: relay released, STOPPING=1, lines still queued are counted as closed', async () => {
    const rig = await started(makeRig());
    rig.radio.stall();
    rig.ship.emitLine('!AIVDO,own,1');
    await settle();
    await rig.daemon.stop('SIGTERM');
    expect(rig.daemon.status().ports.radio?.drops.closed).toBe(1);
    expect(rig.gpio.claimed(RELAY)).toBe(false);
    expect(rig.gpio.level(RELAY)).toBe(false);
    expect(rig.notifier.fields).toContain('STOPPING=1');
    expect(rig.daemon.state).toBe('stopped');
  });

  it('fails start-up with the relay released when the pipeline cannot be created', async () => {
    const rig = makeRig();
    const daemon = new Daemon(rig.daemon.config, {
      createPipeline: () => Promise.reject(new Error('no permit')),
      openLink: () => {
        throw new Error('not reached');
      },
      notifier: rig.notifier,
      logger: pino({ level: 'silent' }),
      clock: rig.clock,
      gpio: new SimGpio(),
    });
    await expect(daemon.start()).rejects.toMatchObject({ code: 'PIPELINE_INIT' });
    expect(daemon.status().relay).toBe('bypass');
    expect(daemon.state).toBe('stopped');
  });
});

describe('Daemon traffic', () => {
  it('carries lines both ways through the pipeline, own-ship lines first', async () => {
    const rig = await started(makeRig());
    rig.radio.emitLine('!AIVDM,other,1');
    rig.ship.emitLine('!AIVDO,own,1');
    await settle();
    expect(rig.radio.lines).toEqual(['!AIVDO,own,1']);
    expect(rig.ship.lines).toEqual(['!AIVDM,other,1']);
    const c = rig.daemon.status().counters;
    expect(c.lines).toEqual({ ship: { in: 1, out: 1 }, radio: { in: 1, out: 1 } });
    expect(c.shipSecured).toBe(1);
  });

  it('sends own-ship lines in mode 1 when secured sending falls behind the latency budget, with CRYPTO_BEHIND', async () => {
    const rig = await started(makeRig());
    rig.pipeline.shipCostMs = 600;
    for (let i = 0; i < 4; i += 1) rig.ship.emitLine(`!AIVDO,own,${i}`);
    await settle();
    expect(rig.radio.lines).toEqual([0, 1, 2, 3].map((i) => `!AIVDO,own,${i}`));
    const c = rig.daemon.status().counters;
    expect(c.shipSecured).toBe(1);
    expect(c.shipBypassed.latency).toBe(3);
    expect(rig.daemon.alarms.has('CRYPTO_BEHIND')).toBe(true);
    expect(rig.logs.filter((l) => l.alarm === 'CRYPTO_BEHIND' && /raised/.test(l.msg))).toHaveLength(1);
    rig.clock.advance(TRANSIENT_ALARM_HOLD_MS);
    expect(rig.daemon.alarms.has('CRYPTO_BEHIND')).toBe(false);
    expect(rig.daemon.status().health).toBe('healthy');
  });

  it('withholds own-ship lines past the latency budget in mode 5: nothing in clear, OWN_SHIP_WITHHELD and a counter', async () => {
    const rig = await started(makeRig({ mode: 5 }));
    rig.pipeline.shipCostMs = 600;
    for (let i = 0; i < 4; i += 1) rig.ship.emitLine(`!AIVDO,own,${i}`);
    await settle();
    // The twin passes secured lines through unchanged: only the one line it was given reached the radio.
    expect(rig.radio.lines).toEqual(['!AIVDO,own,0']);
    const c = rig.daemon.status().counters;
    expect(c.shipWithheld.latency).toBe(3);
    expect(c.shipBypassed.latency).toBe(0);
    expect(rig.pipeline.counters().bypass).toBe(0);
    expect(rig.daemon.alarms.has('OWN_SHIP_WITHHELD', 'latency')).toBe(true);
    expect(rig.daemon.alarms.has('CRYPTO_BEHIND')).toBe(true);
  });

  it('withholds an own-ship line the pipeline throws on in mode 4, and in mode 2 when plain fallback is off', async () => {
    const rig = await started(makeRig({ mode: 4 }));
    rig.pipeline.failNext = new Error('boom');
    rig.ship.emitLine('!AIVDO,x');
    await settle();
    expect(rig.radio.lines).toEqual([]);
    expect(rig.daemon.status().counters.shipWithheld['pipeline-error']).toBe(1);

    rig.daemon.reload(parseConfig({ ...rig.daemon.config, mode: 2 }));
    rig.pipeline.plainFallback = false;
    rig.pipeline.shipCostMs = 600;
    rig.ship.emitLine('!AIVDO,a');
    rig.ship.emitLine('!AIVDO,b');
    await settle();
    expect(rig.radio.lines).toEqual(['!AIVDO,a']);
    expect(rig.daemon.status().counters.shipWithheld.latency).toBe(1);
  });

  it('withholds, never sends in clear, the oldest own-ship lines when the input queue overflows in mode 5', async () => {
    const rig = await started(makeRig({ mode: 5 }));
    for (let i = 0; i < 300; i += 1) rig.ship.emitData(`!AIVDO,own,${i}\r\n`);
    await settle();
    expect(rig.radio.lines).toHaveLength(256);
    expect(rig.radio.lines[0]).toBe('!AIVDO,own,44');
    expect(rig.daemon.status().counters.shipWithheld['input-queue-full']).toBe(44);
    expect(rig.pipeline.counters().bypass).toBe(0);
    expect(rig.daemon.alarms.has('OWN_SHIP_WITHHELD', 'input-queue-full')).toBe(true);
    expect(rig.daemon.alarms.has('CRYPTO_BEHIND')).toBe(true);
  });

  it('never drops own-ship lines when the input queue overflows: the oldest go out in mode 1', async () => {
    const rig = await started(makeRig());
    for (let i = 0; i < 300; i += 1) rig.ship.emitData(`!AIVDO,own,${i}\r\n`);
    await settle();
    expect(rig.radio.lines).toHaveLength(300);
    expect(new Set(rig.radio.lines).size).toBe(300);
  });

  it('raises LINES_DROPPED when the radio input queue overflows, and counts the lines', async () => {
    const rig = await started(makeRig());
    for (let i = 0; i < 300; i += 1) rig.radio.emitData(`!AIVDM,other,${i}\r\n`);
    await settle();
    expect(rig.daemon.status().counters.radioInputDropped).toBe(44);
    expect(rig.daemon.alarms.has('LINES_DROPPED', 'radio-in')).toBe(true);
  });

  it('raises LINES_DROPPED when the display port\'s output queue overflows: received traffic is never lost silently', async () => {
    const rig = await started(makeRig({ ports: { ship: { path: 'sim:ship', baud: 4_800 }, radio: { path: 'sim:radio', pace: false } } }));
    // Paced at 4800 Bd with the simulated clock standing still: everything queues for the display port.
    for (let batch = 0; batch < 3; batch += 1) {
      for (let i = 0; i < 200; i += 1) rig.radio.emitData(`!AIVDM,other,${batch}-${i}\r\n`);
      await settle();
    }
    const drops = rig.daemon.status().ports.ship?.drops ?? {};
    expect(drops['queue-full']).toBeGreaterThan(0);
    expect(rig.daemon.alarms.has('LINES_DROPPED', 'ship-out')).toBe(true);
  });

  it('raises CRYPTO_BEHIND when a received line holds the event loop past the latency budget', async () => {
    const rig = await started(makeRig());
    rig.pipeline.radioCostMs = 600;
    rig.radio.emitLine('!AIVDM,slow');
    await settle();
    expect(rig.daemon.alarms.has('CRYPTO_BEHIND', 'radio')).toBe(true);
  });

  it('alarms own-ship messages the pipeline could not secure: OWN_SHIP_UNSECURED when sent plain, OWN_SHIP_WITHHELD when dropped', async () => {
    const rig = await started(makeRig());
    rig.pipeline.failures = [{ code: 'NO_KEY', action: 'sent-plain', message: 'no identity key loaded' }];
    rig.ship.emitLine('!AIVDO,a');
    await settle();
    expect(rig.daemon.alarms.has('OWN_SHIP_UNSECURED', 'NO_KEY')).toBe(true);
    rig.pipeline.failures = [{ code: 'NO_SENDING_KEY', action: 'dropped', message: 'no group key' }];
    rig.ship.emitLine('!AIVDO,b');
    await settle();
    expect(rig.daemon.alarms.has('OWN_SHIP_WITHHELD', 'NO_SENDING_KEY')).toBe(true);
    rig.clock.advance(TRANSIENT_ALARM_HOLD_MS);
    expect(rig.daemon.alarms.has('OWN_SHIP_UNSECURED')).toBe(false);
  });

  it('serves the status as JSON on 127.0.0.1', async () => {
    const rig = await started(makeRig());
    rig.ship.emitLine('!AIVDO,own,1');
    await settle();
    const port = rig.daemon.statusPort;
    const res = await fetch(`http://127.0.0.1:${port}/status`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ready: boolean; mode: number; counters: { lines: { ship: { in: number } } }; pipeline: { fromShip: number } };
    expect(body).toMatchObject({ ready: true, mode: 2, counters: { lines: { ship: { in: 1 } } }, pipeline: { fromShip: 1 } });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/status`, { method: 'POST' })).status).toBe(405);
  });

  it('reports the memory by component in the status JSON: RSS, V8 heap, ArrayBuffers and the WASM memory apart', async () => {
    const rig = await started(makeRig());
    const body = (await (await fetch(`http://127.0.0.1:${rig.daemon.statusPort}/status`)).json()) as { memory: Record<string, number> };
    const m = body.memory;
    expect(Object.keys(m).sort()).toEqual(['arrayBuffersBytes', 'externalBytes', 'heapTotalBytes', 'heapUsedBytes', 'rssBytes', 'wasmBytes']);
    for (const v of Object.values(m)) expect(Number.isInteger(v) && v > 0).toBe(true);
    expect(m.heapUsedBytes).toBeLessThanOrEqual(m.heapTotalBytes!);
    expect(m.arrayBuffersBytes).toBeLessThanOrEqual(m.externalBytes!);
    // A WebAssembly memory is a whole number of 64-KiB pages.
    expect(m.wasmBytes! % 65_536).toBe(0);
  });
});

describe('Daemon modes and alarms', () => {
  function setSwitch(rig: Rig, position: number): void {
    SWITCH.forEach((bcm, i) => rig.gpio.setLevel(bcm, ((position >> i) & 1) === 1));
    rig.clock.advance(100);
  }

  it('takes the mode from the switch (position 0 = config file) and from a reload, without restart', async () => {
    const rig = await started(makeRig());
    expect(rig.pipeline.mode).toBe(2);
    setSwitch(rig, 5);
    expect(rig.pipeline.mode).toBe(5);
    setSwitch(rig, 0);
    expect(rig.pipeline.mode).toBe(2);
    rig.daemon.reload(parseConfig({ ...rig.daemon.config, mode: 3 }));
    expect(rig.pipeline.mode).toBe(3);
    setSwitch(rig, 7);
    expect(rig.pipeline.mode).toBe(3);
    expect(rig.daemon.alarms.has('MODE_UNAVAILABLE', 'switch')).toBe(true);
    expect(rig.pipeline.modes).toEqual([2, 5, 2, 3]);
  });

  it('falls back to mode 1 while the token is out (dongle rule) and raises TOKEN_REMOVED', async () => {
    const rig = await started(makeRig());
    rig.token.remove();
    expect(rig.pipeline.mode).toBe(1);
    expect(rig.daemon.alarms.has('TOKEN_REMOVED')).toBe(true);
    expect(rig.gpio.level(LED_ALARM)).toBe(true);
    rig.token.insert();
    expect(rig.pipeline.mode).toBe(2);
    expect(rig.daemon.alarms.has('TOKEN_REMOVED')).toBe(false);
  });

  it('in modes 3–5 a removed token withholds own-ship lines instead of falling back to plain, until it is back', async () => {
    for (const mode of [3, 4, 5] as const) {
      const rig = await started(makeRig({ mode }));
      rig.token.remove();
      expect(rig.pipeline.mode).toBe(mode);
      expect(rig.daemon.alarms.has('TOKEN_REMOVED')).toBe(true);
      rig.ship.emitLine('!AIVDO,own,1');
      await settle();
      expect(rig.radio.lines).toEqual([]);
      expect(rig.pipeline.counters().bypass).toBe(0);
      expect(rig.daemon.status().counters.shipWithheld['token-removed']).toBe(1);
      expect(rig.daemon.alarms.has('OWN_SHIP_WITHHELD', 'token-removed')).toBe(true);
      rig.token.insert();
      rig.ship.emitLine('!AIVDO,own,2');
      await settle();
      expect(rig.radio.lines).toEqual(['!AIVDO,own,2']);
      await rig.daemon.stop();
    }
  });

  it('raises KEY_EXPIRES_SOON and KEY_EXPIRED as the clock passes, once each', async () => {
    // Hour-long timers, so that a month of simulated time is a few thousand timer firings.
    const rig = makeRig({ timing: { tickIntervalMs: 3_600_000 } }, { watchdogMs: 3_600_000 });
    const now = rig.clock.utcNow() / 1000;
    rig.keys.push({ kind: 'sign', identity: '211000001', notAfter: now + 31 * 86_400 });
    await started(rig);
    expect(rig.daemon.alarms.active()).toEqual([]);
    rig.clock.advance(2 * 86_400_000);
    expect(rig.daemon.alarms.has('KEY_EXPIRES_SOON', 'sign:211000001')).toBe(true);
    rig.clock.advance(30 * 86_400_000);
    expect(rig.daemon.alarms.has('KEY_EXPIRES_SOON')).toBe(false);
    expect(rig.daemon.alarms.has('KEY_EXPIRED', 'sign:211000001')).toBe(true);
    expect(rig.logs.filter((l) => l.alarm === 'KEY_EXPIRED' && /raised/.test(l.msg))).toHaveLength(1);
  });

  it('raises CLOCK_DISAGREES from the UTC cross-check and TAMPER from the tamper input', async () => {
    const rig = await started(makeRig());
    for (let i = 0; i < 3; i += 1) rig.daemon.feedUtc({ source: 'gnss', utcMs: rig.clock.utcNow() + 60_000 });
    expect(rig.daemon.alarms.has('CLOCK_DISAGREES', 'gnss')).toBe(true);
    for (let i = 0; i < 3; i += 1) rig.daemon.feedUtc({ source: 'gnss', utcMs: rig.clock.utcNow() });
    expect(rig.daemon.alarms.has('CLOCK_DISAGREES')).toBe(false);
    rig.gpio.setLevel(TAMPER, true);
    rig.clock.advance(100);
    expect(rig.daemon.alarms.has('TAMPER')).toBe(true);
  });

  it('feeds base-station UTC heard by the pipeline (message 4) to the clock cross-check', async () => {
    const rig = await started(makeRig());
    for (let i = 0; i < 3; i += 1) {
      rig.pipeline.utcReports.push({ utcMs: rig.clock.utcNow() + 90_000, mmsi: 2_655_000 });
      rig.radio.emitLine(`!AIVDM,1,1,,A,base${i},0*00`);
      await settle();
    }
    expect(rig.daemon.alarms.has('CLOCK_DISAGREES', 'ais-base-station')).toBe(true);
  });

  /** A ZDA sentence from the ship's GNSS reporting `utcMs`. */
  const zda = (utcMs: number): string => {
    const d = new Date(utcMs);
    const two = (n: number) => String(n).padStart(2, '0');
    const time = `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}.${String(Math.floor(d.getUTCMilliseconds() / 10)).padStart(2, '0')}`;
    return formatSentence('$', 'GP', 'ZDA', [time, two(d.getUTCDate()), two(d.getUTCMonth() + 1), String(d.getUTCFullYear()), '00', '00']);
  };

  it('tells the pipeline time is trusted only after the ship\'s GNSS confirms it, and untrusted after a backward step', async () => {
    const rig = await started(makeRig({ mode: 5 }));
    expect(rig.pipeline.timeTrusted).toEqual([false]);
    expect(rig.daemon.alarms.has('CLOCK_UNTRUSTED')).toBe(true); // mode 5 cannot send before time is trusted
    for (let i = 0; i < 2; i += 1) {
      rig.ship.emitLine(zda(rig.clock.utcNow()));
      rig.clock.advance(1_000);
      await settle();
    }
    expect(rig.pipeline.timeTrusted).toEqual([false, true]);
    expect(rig.daemon.status().time).toMatchObject({ trusted: true, reason: 'confirmed' });
    expect(rig.daemon.alarms.has('CLOCK_UNTRUSTED')).toBe(false);

    // Someone sets the clock back 10 s (a spoofed NTP or GNSS step): caught at the next tick.
    rig.clock.stepUtc(-10_000);
    rig.clock.advance(1_000);
    expect(rig.pipeline.timeTrusted).toEqual([false, true, false]);
    expect(rig.daemon.status().time.reason).toBe('clock-stepped');
    expect(rig.daemon.alarms.active().find((a) => a.code === 'CLOCK_UNTRUSTED')?.detail).toMatch(/stepped -10000 ms/);
  });

  it('never trusts time from the radio side: base-station UTC (message 4) or a GNSS sentence, however many agree', async () => {
    const rig = await started(makeRig({ mode: 5 }));
    for (let i = 0; i < 10; i += 1) {
      rig.pipeline.utcReports.push({ utcMs: rig.clock.utcNow(), mmsi: 2_655_000 });
      rig.radio.emitLine(`!AIVDM,1,1,,A,base${i},0*00`);
      rig.radio.emitLine(zda(rig.clock.utcNow()));
      rig.clock.advance(1_000);
      await settle();
    }
    expect(rig.pipeline.timeTrusted).toEqual([false]);
    expect(rig.daemon.status().time.trusted).toBe(false);
  });

  it('loses trust when the ship\'s GNSS disagrees with the system clock beyond the bound', async () => {
    const rig = await started(makeRig());
    for (let i = 0; i < 2; i += 1) rig.ship.emitLine(zda(rig.clock.utcNow()));
    await settle();
    rig.ship.emitLine(zda(rig.clock.utcNow() + 5_000));
    await settle();
    expect(rig.pipeline.timeTrusted).toEqual([false, true, false]);
    expect(rig.daemon.alarms.has('CLOCK_UNTRUSTED')).toBe(true);
  });

  it('keeps the running config and raises CONFIG_RELOAD_FAILED when a reload is invalid', async () => {
    const rig = await started(makeRig());
    rig.daemon.reloadFailed(new Error('CONFIG_INVALID: mode: must be a mode number 1–5'));
    expect(rig.daemon.alarms.active().map((a) => a.code)).toEqual(['CONFIG_RELOAD_FAILED']);
    rig.daemon.reload(parseConfig({ ...rig.daemon.config, mode: 4 }));
    expect(rig.daemon.alarms.active()).toEqual([]);
    expect(rig.pipeline.mode).toBe(4);
  });
});
