/**
 * The daemon's pipeline factory and its state: the installed key set is kept in the state directory and the next
 * start's rollback check compares against it; a permit with one expired record starts with the rest and alarms.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliancePipelineFactory, INSTALLED_KEYS_NAME } from '../../cli/run-pipeline.js';
import { Daemon, parseConfig, type DaemonConfigInput } from '../../firmware/daemon/index.js';
import { decodeKeySet } from '../../firmware/permit/index.js';
import { FileKeyStore, RecordingNotifier, SimSerialBus, createSimSerialLink } from '../../hal/index.js';
import { applianceFiles, type ApplianceFiles } from './_appliance-files.js';

const VESSEL = 237_000_002;
const dir = mkdtempSync(join(tmpdir(), 'mibc-run-pipeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files: ApplianceFiles;
beforeAll(() => {
  files = applianceFiles(join(dir, 'appliance'), 'run pipeline', VESSEL, Math.floor(Date.now() / 1000));
});

const config = (permit: string, stateDir: string, mode: DaemonConfigInput['mode'] = 2) =>
  parseConfig({
    ports: { ship: { path: 'sim:ship', pace: false }, radio: { path: 'sim:radio', pace: false } },
    topology: 'attached',
    mode,
    status: { port: 0 },
    keys: { params: files.params, permit, deviceKey: files.deviceKey, authority: files.authority },
    state: { dir: stateDir },
  });

describe('installed key set across starts', () => {
  it('persists the installed set (0600) and refuses an older permit on the next start (PERMIT_ROLLBACK)', async () => {
    const state = mkdtempSync(join(dir, 'state-'));
    const newer = files.permit('newer.permit', { sequence: 6 });
    await appliancePipelineFactory().createPipeline(config(newer, state));
    const stored = decodeKeySet(await new FileKeyStore(state).read(INSTALLED_KEYS_NAME));
    expect(stored.sequences).toEqual({ 'TEST-PKG': 6 });
    expect(stored.keys.map((k) => `${k.kind} ${k.identity}`).sort()).toEqual(['decryption mmsi:237000002', 'signing mmsi:237000002']);
    expect(statSync(join(state, INSTALLED_KEYS_NAME)).mode & 0o777).toBe(0o600);

    // A restart with the same permit is fine; one with an older permit (an attacker's saved copy) is not.
    await appliancePipelineFactory().createPipeline(config(newer, state));
    const older = files.permit('older.permit', { sequence: 5 });
    await expect(appliancePipelineFactory().createPipeline(config(older, state))).rejects.toMatchObject({
      code: 'PERMIT_REFUSED',
      message: expect.stringMatching(/PERMIT_ROLLBACK: sequence 5 < installed 6/),
    });
  });

  it('starts with the valid records of a permit whose group key expired, and raises KEY_EXPIRED naming that record', async () => {
    const state = mkdtempSync(join(dir, 'state-'));
    const factory = appliancePipelineFactory();
    const permit = files.permit('expired-group.permit', { expiredGroup: true });
    const bus = new SimSerialBus();
    for (const port of ['sim:ship', 'sim:radio']) bus.createPort(port);
    const daemon = new Daemon(config(permit, state), {
      createPipeline: factory.createPipeline,
      keyValidity: factory.keyValidity,
      openLink: (_side, port) => createSimSerialLink(bus, { path: port.path, baudRate: port.baud, paceOutput: port.pace }),
      notifier: new RecordingNotifier(),
      logger: pino({ level: 'silent' }),
    });
    try {
      await daemon.start();
      await daemon.whenReady();
      expect(daemon.status().mode).toBe(2);
      expect(daemon.alarms.has('KEY_EXPIRED', 'group:group:7')).toBe(true);
      expect(daemon.alarms.active().find((a) => a.code === 'KEY_EXPIRED')?.detail).toMatch(/not installed/);
      expect(daemon.alarms.has('KEY_EXPIRED', 'signing:mmsi:237000002')).toBe(false);
      const stored = decodeKeySet(await new FileKeyStore(state).read(INSTALLED_KEYS_NAME));
      expect(stored.keys.some((k) => k.kind === 'group')).toBe(false);
    } finally {
      await daemon.stop();
    }
  });
});
