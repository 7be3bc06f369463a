/**
 * The real appliance daemon in mode 2 on simulated serial ports and a simulated clock, with a receiver that holds
 * only the authority's public parameters: what the SECOM lifecycle demo and its tests drive across a key epoch.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { loadParams } from '../../cli/filters.js';
import { appliancePipelineFactory } from '../../cli/run-pipeline.js';
import { Daemon, parseConfig } from '../../firmware/daemon/index.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { parseStatus } from '../../firmware/status.js';
import { createSimSerialLink, RecordingNotifier, SimSerialBus, type FakeClock, type SimSerialDevice } from '../../hal/index.js';
import { encodeAis, encodeVdm } from '../../nmea/index.js';
import { SimTransponder } from '../link/transponder.js';

export interface SimApplianceOptions {
  readonly mmsi: number;
  readonly clock: FakeClock;
  /** The PKG directory's params.json and authority.json are read from here. */
  readonly pkgDir: string;
  readonly permit: string;
  readonly deviceKey: string;
  readonly stateDir: string;
}

export interface SimAppliance {
  readonly daemon: Daemon;
  readonly ship: SimSerialDevice;
  readonly radio: SimSerialDevice;
  /**
   * Sends one own-ship report (`speed` makes each distinct) through the appliance and over the air; returns what a
   * receiver holding only params.json shows for it: `V`, or `F:REASON`, one per verified status.
   */
  signedAtReceiver(speed: number): Promise<string[]>;
}

/** Lets the daemon's queued work run (simulated ports and clock: no real time passes). */
async function settle(): Promise<void> {
  for (let i = 0; i < 8; i += 1) await new Promise((r) => setImmediate(r));
}

export async function startSimAppliance(o: SimApplianceOptions): Promise<SimAppliance> {
  const { clock, mmsi } = o;
  const bus = new SimSerialBus();
  const ship = bus.createPort('sim:ship');
  const radio = bus.createPort('sim:radio');
  const params = join(o.pkgDir, 'params.json');
  const config = parseConfig({
    ports: { ship: { path: 'sim:ship', pace: false }, radio: { path: 'sim:radio', pace: false } },
    topology: 'attached', mode: 2, status: { port: 0 },
    keys: { params, permit: o.permit, deviceKey: o.deviceKey, authority: join(o.pkgDir, 'authority.json') },
    state: { dir: o.stateDir },
  });
  const factory = appliancePipelineFactory({ now: () => clock.utcNow() });
  const daemon = new Daemon(config, {
    createPipeline: factory.createPipeline, reloadKeys: factory.reloadKeys, keyValidity: factory.keyValidity,
    openLink: (_side, port) => createSimSerialLink(bus, { path: port.path, baudRate: port.baud, paceOutput: port.pace }, clock),
    notifier: new RecordingNotifier({ clock }), logger: pino({ level: 'silent' }), clock,
  });
  await daemon.start();
  const air = new SimTransponder(mmsi);
  const signedAtReceiver = async (speed: number): Promise<string[]> => {
    radio.clearLines();
    const own = encodeVdm(
      encodeAis({ type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 }),
      { formatter: 'VDO', channel: 'A' },
    );
    ship.emitLine(own[0]!);
    await settle();
    const onAir = [...air.push(own, clock.utcNow()), ...air.push([...radio.lines], clock.utcNow())].flatMap((m) => m.lines);
    const rx = new SecureRx({}, { params: loadParams(params) });
    return onAir
      .flatMap((l) => rx.push(l, clock.utcNow() + 100))
      .filter((l) => l.startsWith('$PMIBV'))
      .map((l) => parseStatus(l)!)
      .filter((s) => s.result !== 'U')
      .map((s) => (s.reason === undefined ? s.result : `${s.result}:${s.reason}`));
  };
  return { daemon, ship, radio, signedAtReceiver };
}
