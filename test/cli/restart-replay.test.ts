/**
 * Replay protection survives a restart: the daemon (with the pipeline factory `mibc-ais run` uses) accepts a ship's
 * secured report, is stopped and started again, and the same report heard again after the restart is refused
 * (REPLAY), while a report made after the restart verifies. Simulated ports and one FakeClock for everything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimTransponder } from '../../bench/link/transponder.js';
import { appliancePipelineFactory, RESTART_BARRIER_S } from '../../cli/run-pipeline.js';
import { Daemon, parseConfig } from '../../firmware/daemon/index.js';
import { ReplayGuard } from '../../firmware/freshness.js';
import { parseStatus } from '../../firmware/status.js';
import { FakeClock, RecordingNotifier, SimSerialBus, createSimSerialLink } from '../../hal/index.js';
import { encodeAis, encodeVdm } from '../../nmea/index.js';
import { applianceFiles, type ApplianceFiles } from './_appliance-files.js';

const SENDER = 237_000_002;
const START_MS = Date.UTC(2026, 10, 24, 12, 0, 0);
const dir = mkdtempSync(join(tmpdir(), 'mibc-restart-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files: ApplianceFiles;
beforeAll(() => {
  files = applianceFiles(join(dir, 'keys'), 'restart replay', SENDER, Math.floor(START_MS / 1000));
});

const report = (speed: number) =>
  encodeVdm(encodeAis({ type: 1, repeat: 0, mmsi: SENDER, status: 0, turn: -128, speed, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 }), { formatter: 'VDO', channel: 'A' });

async function settle(): Promise<void> {
  for (let i = 0; i < 8; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('replay protection across a daemon restart', () => {
  it('refuses after the restart a report it accepted before, and verifies reports made after it', async () => {
    const clock = new FakeClock(START_MS);
    // The sending ship: its own appliance pipeline (key files) and transponder, on the same clock.
    const keys = { params: files.params, key: files.key };
    const config = parseConfig({
      ports: { ship: { path: 'sim:ship', pace: false }, radio: { path: 'sim:radio', pace: false } },
      topology: 'attached', mode: 2, status: { port: 0 }, keys,
    });
    const sender = await appliancePipelineFactory({ now: () => clock.utcNow() }).createPipeline(config);
    const air = new SimTransponder(SENDER);
    const onAir = (speed: number): string[] => {
      const own = report(speed);
      const secured = own.flatMap((l) => sender.fromShip(l, clock.utcNow())).map((o) => o.line);
      return [...air.push(own, clock.utcNow()), ...air.push(secured, clock.utcNow())].flatMap((m) => m.lines);
    };

    const bus = new SimSerialBus();
    const ship = bus.createPort('sim:ship');
    const radio = bus.createPort('sim:radio');
    const startDaemon = async (): Promise<Daemon> => {
      const factory = appliancePipelineFactory({ now: () => clock.utcNow() });
      const daemon = new Daemon(config, {
        createPipeline: factory.createPipeline,
        openLink: (_side, port) => createSimSerialLink(bus, { path: port.path, baudRate: port.baud, paceOutput: port.pace }, clock),
        notifier: new RecordingNotifier({ clock }),
        logger: pino({ level: 'silent' }),
        clock,
      });
      await daemon.start();
      await settle();
      return daemon;
    };
    // The status of the secured message (the plain copy's `U` aside).
    const shown = (): { result: string; reason?: string | undefined }[] =>
      ship.lines.filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l)!).filter((s) => s.result !== 'U').map((s) => ({ result: s.result, reason: s.reason }));

    let daemon = await startDaemon();
    clock.advance(10_000);
    const heard = onAir(101);
    clock.advance(1_000);
    for (const line of heard) radio.emitLine(line);
    await settle();
    expect(shown()).toEqual([{ result: 'V', reason: undefined }]);

    // Restart: the watchdog kills the service, systemd starts it again a few seconds later.
    await daemon.stop('restart');
    ship.clearLines();
    clock.advance(4_000);
    daemon = await startDaemon();
    try {
      clock.advance(1_000);
      for (const line of heard) radio.emitLine(line); // the attacker replays the recorded report, 6 s old
      await settle();
      expect(shown()).toEqual([{ result: 'F', reason: 'REPLAY' }]);
      expect(daemon.status().pipeline['rx.rejected.REPLAY']).toBe(1);

      clock.advance(RESTART_BARRIER_S * 1_000);
      for (const line of onAir(102)) radio.emitLine(line);
      await settle();
      expect(shown().at(-1)).toEqual({ result: 'V', reason: undefined });
    } finally {
      await daemon.stop();
    }
  });

  it('the barrier refuses only messages dated before it, and only with REPLAY', () => {
    const guard = new ReplayGuard({ freshnessWindowS: 30, acceptFromSecond: 1000 });
    expect(() => guard.accept(1, 1, 999, new Uint8Array(16), 1001)).toThrow(expect.objectContaining({ code: 'REPLAY' }));
    expect(() => guard.accept(1, 1, 1000, new Uint8Array(16), 1001)).not.toThrow();
  });
});
