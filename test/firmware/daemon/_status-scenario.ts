/**
 * A short scenario for the status page, through the real receive path: the daemon runs the real secure pipeline
 * (mode 2, attached) on simulated ports, and its radio port hears three ships that sign in mode 2 (`V`), a plain
 * yacht whose name is markup (`U`), and a spoofer that sends a plain report of its own and then forged signed
 * messages (`F`, with their reason).
 */
import { pino } from 'pino';
import { attackerSignatures, craftRound } from '../../../bench/attack-craft.js';
import { AppliancePipeline } from '../../../firmware/appliance-pipeline.js';
import { Daemon, parseConfig, type DaemonConfigInput, type KeyValidity } from '../../../firmware/daemon/index.js';
import { FakeClock, RecordingNotifier, SimSerialBus, createSimSerialLink, type SimSerialDevice } from '../../../hal/index.js';
import { encodeAis, encodeVdm, type AisMessage } from '../../../nmea/index.js';
import { NOW_MS, epochAt, seededRandom, testPkg, type TestPkg } from '../_pkg.js';

export const RECEIVER = 265_000_001;
export const SIGNED_SHIPS = [265_547_250, 265_866_000, 219_024_000] as const;
export const YACHT = 265_123_456;
/** 6-bit ASCII has `<`, `>` and `/`: a hostile transmitter can name its ship in markup. */
export const YACHT_NAME = '<SCRIPT>X</SCRIPT>';
export const SPOOFER = 244_666_666;

/** Positions off Göteborg, degrees. */
const AT: Record<number, [number, number]> = {
  [SIGNED_SHIPS[0]]: [57.68, 11.78],
  [SIGNED_SHIPS[1]]: [57.64, 11.70],
  [SIGNED_SHIPS[2]]: [57.60, 11.82],
  [YACHT]: [57.66, 11.88],
  [SPOOFER]: [57.62, 11.60],
};

export function positionReport(mmsi: number, second: number): AisMessage {
  const [lat, lon] = AT[mmsi] ?? [57.65, 11.75];
  return {
    type: 1, repeat: 0, mmsi, status: 0, turn: 0, speed: 120, accuracy: true, lon: Math.round(lon * 600_000), lat: Math.round(lat * 600_000),
    course: 900, heading: 90, second, maneuver: 0, spare: 0, raim: false, radio: 0,
  };
}

function staticReport(mmsi: number, shipname: string): AisMessage {
  return {
    type: 5, repeat: 0, mmsi, ais_version: 0, imo: 0, callsign: 'SM1234', shipname, shiptype: 37, to_bow: 5, to_stern: 5, to_port: 2,
    to_starboard: 2, epfd: 1, month: 6, day: 1, hour: 12, minute: 0, draught: 20, destination: 'GOTEBORG', dte: 0, spare: 0,
  } as AisMessage;
}

export interface Scenario {
  readonly daemon: Daemon;
  readonly radio: SimSerialDevice;
  readonly ship: SimSerialDevice;
  readonly clock: FakeClock;
  readonly pkg: TestPkg;
  /** Plays the scenario onto the radio port and waits until the daemon has worked it. */
  play(): Promise<void>;
}

/** Lets the daemon work until both input queues are empty. */
export async function settle(daemon: Daemon): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    const q = daemon.status().inputQueued;
    if (i > 8 && q.ship === 0 && q.radio === 0) return;
  }
}

export async function startScenario(options: { status?: DaemonConfigInput['status']; keyValidity?: () => readonly KeyValidity[] } = {}): Promise<Scenario> {
  const pkg = testPkg('status page');
  const e = epochAt(NOW_MS, pkg.params);
  const clock = new FakeClock(NOW_MS);
  const bus = new SimSerialBus();
  const ship = bus.createPort('sim:ship');
  const radio = bus.createPort('sim:radio');
  const receiver = new AppliancePipeline({ tx: { mode: 2, emit: 'vdm', ownShip: 'vdo' }, rx: {}, display: { policy: 'news' } }, { params: pkg.params, identity: pkg.identity(RECEIVER, [e]) }, seededRandom('receiver'));
  const daemon = new Daemon(
    parseConfig({ ports: { ship: { path: 'sim:ship', pace: false }, radio: { path: 'sim:radio', pace: false } }, topology: 'attached', mode: 2, status: options.status ?? { port: 0 } }),
    {
      createPipeline: () => receiver,
      openLink: (_side, port) => createSimSerialLink(bus, { path: port.path, baudRate: port.baud, paceOutput: port.pace }, clock),
      notifier: new RecordingNotifier({ clock }),
      logger: pino({ level: 'silent' }),
      clock,
      ...(options.keyValidity === undefined ? {} : { keyValidity: options.keyValidity }),
    },
  );
  await daemon.start();
  await settle(daemon);

  const senders = SIGNED_SHIPS.map(
    (mmsi) => [mmsi, new AppliancePipeline({ tx: { mode: 2, emit: 'vdm', ownShip: 'vdo' }, rx: {} }, { params: pkg.params, identity: pkg.identity(mmsi, [e]) }, seededRandom(`tx ${mmsi}`))] as const,
  );
  const emit = (lines: readonly string[]) => {
    for (const l of lines) radio.emitLine(l);
  };
  const play = async () => {
    const second = Math.floor(clock.utcNow() / 1000) % 60;
    for (const [mmsi, tx] of senders) {
      for (const own of encodeVdm(encodeAis(positionReport(mmsi, second)), { formatter: 'VDO', channel: '' })) {
        emit(tx.fromShip(own, clock.utcNow()).filter((o) => o.side === 'radio').map((o) => o.line));
      }
      await settle(daemon);
    }
    emit(encodeVdm(encodeAis(positionReport(YACHT, second)), { channel: 'A' }));
    emit(encodeVdm(encodeAis(staticReport(YACHT, YACHT_NAME)), { channel: 'B', seqId: 3 }));
    emit(encodeVdm(encodeAis(positionReport(SPOOFER, second)), { channel: 'A' }));
    await settle(daemon);
    // The spoofer's forged signed messages: well-formed signatures of its own key under its MMSI that verify for none.
    const craft = { attacker: pkg.identity(SPOOFER, [e]), victim: RECEIVER, dac: 0, fi: 58, random: seededRandom('spoofer') };
    for (const m of craftRound(craft, 'inline', SPOOFER, clock.utcNow(), attackerSignatures(craft), 0)) emit(m.lines);
    await settle(daemon);
  };
  return { daemon, radio, ship, clock, pkg, play };
}
