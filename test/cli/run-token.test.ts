/**
 * The daemon with a `token` section and no permit file: the permit is read from the card (user PIN from a systemd
 * credential), installed with the S-63 checks, and signing goes on as with a permit file. Removal raises
 * TOKEN_REMOVED and, by the default policy, stops signing; a card with a newer permit is installed without a
 * restart; the same permit again, or a refused one, leaves the running keys in place. The card is the in-process
 * twin and the HID twin here (test/cli/run-token-pcsc.test.ts puts it behind a real pcscd).
 */
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimTransponder } from '../../bench/link/transponder.js';
import { loadParams } from '../../cli/filters.js';
import { appliancePipelineFactory } from '../../cli/run-pipeline.js';
import { Daemon, parseConfig, type DaemonConfigInput } from '../../firmware/daemon/index.js';
import { deviceKeyFromSecret } from '../../firmware/permit/index.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { parseStatus } from '../../firmware/status.js';
import {
  FakeClock, HidKeyToken, RecordingNotifier, SimSerialBus, SimulatedCardToken, SimulatedHidToken, TokenApplet, createSimSerialLink,
  type KeyToken, type SimSerialDevice,
} from './_token-hal.js';
import { encodeAis, encodeVdm } from '../../nmea/index.js';
import { writePermitToCard } from '../../provisioning/index.js';
import { applianceFiles, type ApplianceFiles } from './_appliance-files.js';

const VESSEL = 237_000_031;
const USER = '2468';
const ADMIN = '13579111';
const START_MS = Date.UTC(2026, 10, 24, 12, 0, 0);
const enc = new TextEncoder();
const dir = mkdtempSync(join(tmpdir(), 'mibc-run-token-'));
const credentials = join(dir, 'credentials');
let files: ApplianceFiles;
const savedCredentials = process.env['CREDENTIALS_DIRECTORY'];

beforeAll(() => {
  files = applianceFiles(join(dir, 'appliance'), 'run token', VESSEL, Math.floor(START_MS / 1000));
  mkdirSync(credentials, { mode: 0o700 });
  writeFileSync(join(credentials, 'token-pin'), `${USER}\n`, { mode: 0o400 });
  process.env['CREDENTIALS_DIRECTORY'] = credentials;
});
afterAll(() => {
  if (savedCredentials === undefined) delete process.env['CREDENTIALS_DIRECTORY'];
  else process.env['CREDENTIALS_DIRECTORY'] = savedCredentials;
  rmSync(dir, { recursive: true, force: true });
});

const card = async (permit: Uint8Array): Promise<TokenApplet> => {
  const applet = new TokenApplet({ userPin: enc.encode(USER), adminPin: enc.encode(ADMIN) });
  const writer = new SimulatedCardToken(applet);
  await writePermitToCard(writer.transmit, permit, ADMIN);
  return applet;
};
const permitBytes = (name: string, options: Parameters<ApplianceFiles['permit']>[1] = {}) => new Uint8Array(readFileSync(files.permit(name, options)));

const tokenConfig = (token: DaemonConfigInput['token'], extra: Partial<DaemonConfigInput> = {}) =>
  parseConfig({
    ports: { ship: { path: 'sim:ship', pace: false }, radio: { path: 'sim:radio', pace: false } },
    topology: 'attached',
    mode: 2,
    status: { port: 0 },
    keys: { params: files.params, deviceKey: files.deviceKey, authority: files.authority },
    state: { dir: mkdtempSync(join(dir, 'state-')) },
    token,
    ...extra,
  });

const report = (speed: number) =>
  encodeVdm(encodeAis({ type: 1, repeat: 0, mmsi: VESSEL, status: 0, turn: -128, speed, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 }), { formatter: 'VDO', channel: 'A' });

async function settle(): Promise<void> {
  for (let i = 0; i < 8; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

interface Rig {
  readonly daemon: Daemon;
  readonly clock: FakeClock;
  readonly ship: SimSerialDevice;
  readonly radio: SimSerialDevice;
  /**
   * Sends one own-ship report and returns the statuses a receiver holding the public parameters only shows for its
   * secured message (the plain report's interim `U` aside): ['V'] when signed, [] when nothing secured was sent.
   */
  signedAtReceiver(speed: number): Promise<string[]>;
}

const rigs: Daemon[] = [];
afterEach(async () => {
  for (const d of rigs.splice(0)) await d.stop();
});

async function startRig(config: ReturnType<typeof tokenConfig>, token?: KeyToken): Promise<Rig> {
  const clock = new FakeClock(START_MS);
  const bus = new SimSerialBus();
  const ship = bus.createPort('sim:ship');
  const radio = bus.createPort('sim:radio');
  const factory = appliancePipelineFactory({ now: () => clock.utcNow() });
  const daemon = new Daemon(config, {
    createPipeline: factory.createPipeline,
    reloadKeys: factory.reloadKeys,
    keyValidity: factory.keyValidity,
    ...(token === undefined ? {} : { token }),
    openLink: (_side, port) => createSimSerialLink(bus, { path: port.path, baudRate: port.baud, paceOutput: port.pace }, clock),
    notifier: new RecordingNotifier({ clock }),
    logger: pino({ level: 'silent' }),
    clock,
  });
  rigs.push(daemon);
  await daemon.start();
  await settle();
  const params = loadParams(files.params);
  const rx = new SecureRx({}, { params });
  const air = new SimTransponder(VESSEL);
  return {
    daemon, clock, ship, radio,
    async signedAtReceiver(speed) {
      radio.clearLines();
      clock.advance(1_000);
      const own = report(speed);
      ship.emitLine(own[0]!);
      await settle();
      // Attached topology: the transponder transmits the report itself, and the appliance's signature message after it.
      const onAir = [...air.push(own, clock.utcNow()), ...air.push([...radio.lines], clock.utcNow())].flatMap((m) => m.lines);
      return onAir.flatMap((l) => rx.push(l, clock.utcNow() + 100)).filter((l) => l.startsWith('$PMIBV'))
        .map((l) => parseStatus(l)!)
        .filter((s) => s.result !== 'U')
        .map((s) => (s.reason === undefined ? s.result : `${s.result}:${s.reason}`));
    },
  };
}

describe('daemon with its permit on a card (in-process twin)', () => {
  it('starts without a permit file, signs with the card\'s permit, and a receiver shows V', async () => {
    const reader = new SimulatedCardToken(await card(permitBytes('p5.permit', { sequence: 5 })));
    const rig = await startRig(tokenConfig({ kind: 'pcsc' }), reader);
    expect(rig.daemon.state).toBe('running');
    expect(rig.daemon.alarms.has('TOKEN_REMOVED')).toBe(false);
    expect(await rig.signedAtReceiver(101)).toEqual(['V']);
  });

  it('removal raises TOKEN_REMOVED and stops signing (policy mode1); the card back resumes signing', async () => {
    const applet = await card(permitBytes('p5b.permit', { sequence: 5 }));
    const reader = new SimulatedCardToken(applet);
    const rig = await startRig(tokenConfig({ kind: 'pcsc' }), reader);
    reader.remove();
    await settle();
    expect(rig.daemon.alarms.has('TOKEN_REMOVED')).toBe(true);
    expect(rig.daemon.status().mode).toBe(1);
    expect(await rig.signedAtReceiver(102)).toEqual([]);
    reader.insert(applet);
    await settle();
    expect(rig.daemon.alarms.has('TOKEN_REMOVED')).toBe(false);
    expect(await rig.signedAtReceiver(103)).toEqual(['V']);
  });

  it('with policy "continue" a removed token raises TOKEN_REMOVED and signing goes on', async () => {
    const reader = new SimulatedCardToken(await card(permitBytes('p5c.permit', { sequence: 5 })));
    const rig = await startRig(tokenConfig({ kind: 'pcsc' }, { policies: { tokenRemoved: 'continue' } }), reader);
    reader.remove();
    await settle();
    expect(rig.daemon.alarms.has('TOKEN_REMOVED')).toBe(true);
    expect(await rig.signedAtReceiver(104)).toEqual(['V']);
  });

  it('a card with a newer permit is installed without a restart; the same permit again installs nothing', async () => {
    const reader = new SimulatedCardToken(await card(permitBytes('p5d.permit', { sequence: 5 })));
    const rig = await startRig(tokenConfig({ kind: 'pcsc' }), reader);
    const reloads: string[] = [];
    rig.daemon.on('keys-reloaded', (source) => reloads.push(source));
    const newer = await card(permitBytes('p6.permit', { sequence: 6 }));
    reader.remove();
    const installed = once(rig.daemon, 'keys-reloaded');
    reader.insert(newer);
    await installed;
    expect(reloads).toEqual(['token']);
    expect(await rig.signedAtReceiver(105)).toEqual(['V']);
    // The same card again: read, checked, nothing new — no pipeline swap.
    reader.remove();
    reader.insert(newer);
    await settle();
    expect(await rig.daemon.reloadKeys('token')).toBe('unchanged');
    expect(reloads).toEqual(['token']);
  });

  it('an older permit or one for another appliance is refused with KEY_RELOAD_FAILED and the keys in use sign on', async () => {
    const reader = new SimulatedCardToken(await card(permitBytes('p7.permit', { sequence: 7 })));
    const rig = await startRig(tokenConfig({ kind: 'pcsc' }), reader);
    for (const bad of [permitBytes('p4.permit', { sequence: 4 }), permitBytes('other.permit', { sequence: 8, device: deviceKeyFromSecret(new Uint8Array(32).fill(9)) })]) {
      reader.remove();
      reader.insert(await card(bad));
      await settle();
      expect(await rig.daemon.reloadKeys('token')).toBe('refused');
      expect(rig.daemon.alarms.has('KEY_RELOAD_FAILED')).toBe(true);
      expect(await rig.signedAtReceiver(106)).toEqual(['V']);
    }
  });

  it('a wrong PIN fails the start as a configuration error (a restart loop would burn the PIN tries)', async () => {
    writeFileSync(join(credentials, 'wrong-pin'), '0000\n', { mode: 0o400 });
    const reader = new SimulatedCardToken(await card(permitBytes('p5e.permit', { sequence: 5 })));
    const daemon = new Daemon(tokenConfig({ kind: 'pcsc', pinCredential: 'wrong-pin' }), {
      createPipeline: appliancePipelineFactory().createPipeline,
      token: reader,
      openLink: () => { throw new Error('not reached'); },
      notifier: new RecordingNotifier(),
      logger: pino({ level: 'silent' }),
    });
    await expect(daemon.start()).rejects.toMatchObject({ code: 'KEYS_INVALID', message: expect.stringMatching(/TOKEN_PIN_WRONG/) });
  });

  it('no card within token.waitMs fails the start with TOKEN_UNAVAILABLE (not a configuration error: a restart may find it)', async () => {
    const daemon = new Daemon(tokenConfig({ kind: 'pcsc', waitMs: 50 }), {
      createPipeline: appliancePipelineFactory().createPipeline,
      token: new SimulatedCardToken(),
      openLink: () => { throw new Error('not reached'); },
      notifier: new RecordingNotifier(),
      logger: pino({ level: 'silent' }),
    });
    await expect(daemon.start()).rejects.toMatchObject({ code: 'TOKEN_UNAVAILABLE' });
  });

  it('a PIN credential others can read is refused', async () => {
    writeFileSync(join(credentials, 'open-pin'), `${USER}\n`, { mode: 0o644 });
    const reader = new SimulatedCardToken(await card(permitBytes('p5f.permit', { sequence: 5 })));
    await expect(appliancePipelineFactory().createPipeline(tokenConfig({ kind: 'pcsc', pinCredential: 'open-pin' }), reader)).rejects.toMatchObject({
      code: 'KEYS_INVALID',
      message: expect.stringMatching(/CREDENTIAL_UNSAFE/),
    });
  });
});

describe('daemon with a permit file: the last mile of a renewal', () => {
  it('a newer permit renamed into place is installed on reloadKeys (SIGHUP) without a restart; the same file again is unchanged', async () => {
    const path = join(dir, 'appliance', 'live.permit');
    writeFileSync(path, permitBytes('live5.permit', { sequence: 5 }), { mode: 0o600 });
    const config = parseConfig({
      ports: { ship: { path: 'sim:ship', pace: false }, radio: { path: 'sim:radio', pace: false } },
      topology: 'attached', mode: 2, status: { port: 0 },
      keys: { params: files.params, permit: path, deviceKey: files.deviceKey, authority: files.authority },
      state: { dir: mkdtempSync(join(dir, 'state-')) },
    });
    const rig = await startRig(config);
    expect(await rig.daemon.reloadKeys('permit')).toBe('unchanged');
    const staged = `${path}.new`;
    writeFileSync(staged, permitBytes('live6.permit', { sequence: 6 }), { mode: 0o600 });
    renameSync(staged, path);
    expect(await rig.daemon.reloadKeys('permit')).toBe('installed');
    expect(await rig.signedAtReceiver(109)).toEqual(['V']);
  });
});

describe('daemon with its permit on a HID token (HID twin)', () => {
  it('reads the permit over HID framing, signs, and raises TOKEN_REMOVED when the token is unplugged', async () => {
    const device = new SimulatedHidToken(await card(permitBytes('hid.permit', { sequence: 5 })));
    const rig = await startRig(tokenConfig({ kind: 'hid', vendorId: 0x1209, productId: 0xa15 }), new HidKeyToken(device));
    expect(await rig.signedAtReceiver(107)).toEqual(['V']);
    device.unplug();
    await settle();
    expect(rig.daemon.alarms.has('TOKEN_REMOVED')).toBe(true);
    expect(await rig.signedAtReceiver(108)).toEqual([]);
  });
});
