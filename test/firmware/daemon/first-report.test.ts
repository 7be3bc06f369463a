/**
 * The first own-ship report after READY, with the real secure pipeline: the key and parameter tables are built
 * before READY (`Pipeline.prepare`), so that report is secured inside the latency budget like every later one —
 * no CRYPTO_BEHIND and nothing sent plain on a normal start.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AppliancePipeline } from '../../../firmware/appliance-pipeline.js';
import { Daemon, parseConfig } from '../../../firmware/daemon/index.js';
import { RecordingNotifier, SimGpio, SimSerialBus, createSimSerialLink, systemClock } from '../../../hal/index.js';
import { encodeAis, encodeVdm } from '../../../nmea/index.js';
import { epochAt, seededRandom, testPkg } from '../_pkg.js';
import { until } from './_pty.js';

const A = 244_100_001;
const report = (speed: number) =>
  encodeVdm(encodeAis({ type: 1, repeat: 0, mmsi: A, status: 0, turn: -128, speed, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 }), { formatter: 'VDO', channel: '' });

const daemons: Daemon[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop();
});

describe('the first own-ship report after READY', () => {
  it('goes out secured within the latency budget: tables built before READY, no CRYPTO_BEHIND, nothing plain', async () => {
    const pkg = testPkg('first report');
    const epoch = epochAt(Date.now(), pkg.params);
    const identity = pkg.identity(A, [epoch - 1, epoch, epoch + 1]);
    // Which epochs' signers were asked for, and whether before READY.
    const asked: { epoch: number; beforeReady: boolean }[] = [];
    let ready = false;
    const signer = identity.signer.bind(identity);
    identity.signer = (e: number) => {
      asked.push({ epoch: e, beforeReady: !ready });
      return signer(e);
    };
    const pipeline = new AppliancePipeline({ tx: { mode: 2, emit: 'bbm', ownShip: 'vdo' }, rx: {} }, { params: pkg.params, identity }, seededRandom('first report'));
    const bus = new SimSerialBus();
    const ship = bus.createPort('sim:ship');
    const radio = bus.createPort('sim:radio');
    const daemon = new Daemon(
      // The default latency budget (500 ms): a cold first report took 220–800 ms, a prepared one a signature's time.
      parseConfig({ ports: { ship: { path: 'sim:ship' }, radio: { path: 'sim:radio' } }, topology: 'inline', mode: 2, status: { port: 0 }, gpio: { bypassRelay: 5 } }),
      {
        createPipeline: () => pipeline,
        openLink: (_side, port) => createSimSerialLink(bus, { path: port.path, baudRate: port.baud, paceOutput: port.pace }, systemClock),
        notifier: new RecordingNotifier(),
        logger: pino({ level: 'silent' }),
        gpio: new SimGpio(),
      },
    );
    daemons.push(daemon);
    daemon.on('ready', () => {
      ready = true;
    });
    await daemon.start();
    await daemon.whenReady();
    expect(asked.some((a) => a.epoch === epoch && a.beforeReady)).toBe(true);

    for (const l of report(100)) ship.emitLine(l);
    await until(() => radio.lines.length >= 3, 'the first report to reach the radio port');
    const status = daemon.status();
    expect(status.counters.shipSecured).toBe(1);
    expect(Object.values(status.counters.shipBypassed).every((n) => n === 0)).toBe(true);
    expect(status.pipeline['tx.secured']).toBe(1);
    expect(status.pipeline['tx.sentPlain']).toBe(0);
    expect(radio.lines.every((l) => /^!..BBM,/.test(l))).toBe(true);
    expect(daemon.alarms.has('CRYPTO_BEHIND')).toBe(false);
  });
});
