/**
 * The product path into the daemon: `mibc-ais device-key` on the appliance, `pkg setup/extract/permit` at the
 * authority, then the daemon's pipeline factory installs the permit (S-63 checks, keys unwrapped with the device key)
 * and signs in mode 2; a receiver holding only the public parameters verifies.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimTransponder } from '../../bench/link/transponder.js';
import { makeDeviceKey } from '../../cli/device.js';
import { loadGroupKeys, loadParams } from '../../cli/filters.js';
import { appliancePipelineFactory } from '../../cli/run-pipeline.js';
import { parseConfig, type DaemonConfigInput } from '../../firmware/daemon/index.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { parseStatus } from '../../firmware/status.js';
import { encodeAis, encodeVdm } from '../../nmea/index.js';
import { MemoryNonceStore } from '../../hal/nonce-store-sim.js';
import { seededRandom } from '../firmware/_pkg.js';

const run = promisify(execFile);
const VESSEL = 237_000_002;
let root: string;
let pkgDir: string;
let applianceDir: string;

const LEADER = 237_000_009;
let handOut: { notBefore: number; lines: string[] };

const config = (keys: DaemonConfigInput['keys'], mode: 1 | 2 | 5 = 2) =>
  parseConfig({ ports: { ship: { path: 'sim:ship' }, radio: { path: 'sim:radio' } }, topology: 'attached', mode, status: { port: 0 }, keys, state: { dir: mkdtempSync(join(root, 'state-')) } });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mibc-device-permit-'));
  pkgDir = join(root, 'pkg');
  applianceDir = join(root, 'appliance');
  const pass = join(root, 'passphrase');
  writeFileSync(pass, 'correct horse battery staple\n', { mode: 0o600 });
  await makeDeviceKey(applianceDir, seededRandom('device'));
  const cli = (...args: string[]) => run('npx', ['tsx', 'cli/main.ts', 'pkg', ...args, '--dir', pkgDir, '--passphrase-file', pass], { encoding: 'utf8' });
  await run('npx', ['tsx', 'cli/main.ts', 'pkg', 'setup', '--dir', pkgDir, '--passphrase-file', pass, '--scrypt-log-n', '14'], { encoding: 'utf8' });
  await cli('extract', '--mmsi', String(VESSEL), '--epoch', 'current', '--epochs', '2', '--out', join(root, 'vessel.json'));
  await cli('permit', '--device-key', join(applianceDir, 'device-key.json'), '--keys', join(root, 'vessel.json'), '--out', join(applianceDir, 'keys.permit'));
  // The authority makes a key of group 3 that LEADER hands out, and a permit whose policy authorises LEADER for it.
  const g = await cli(
    'group-key', '--group', '3', '--to', String(VESSEL), '--issuer-mmsi', String(LEADER), '--valid-hours', '4',
    '--out-keys', join(root, 'group.json'), '--out-nmea', join(root, 'group.nmea'), '--out-policy', join(root, 'policy.json'),
  );
  handOut = { notBefore: (JSON.parse(g.stdout) as { notBefore: number }).notBefore, lines: readFileSync(join(root, 'group.nmea'), 'utf8').trim().split('\r\n') };
  await cli(
    'permit', '--device-key', join(applianceDir, 'device-key.json'), '--keys', join(root, 'vessel.json'), '--group-policy', join(root, 'policy.json'),
    '--out', join(applianceDir, 'group.permit'),
  );
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('device key → permit → daemon pipeline', () => {
  it('keeps the device secret private and never overwrites it', async () => {
    expect(statSync(join(applianceDir, 'device-secret.json')).mode & 0o777).toBe(0o600);
    const pub = JSON.parse(readFileSync(join(applianceDir, 'device-key.json'), 'utf8')) as { format: string; publicKey: string };
    expect(pub.format).toBe('mibc-ais-device-key');
    expect(readFileSync(join(applianceDir, 'device-key.json'), 'utf8')).not.toContain(JSON.parse(readFileSync(join(applianceDir, 'device-secret.json'), 'utf8')).secretKey);
    await expect(makeDeviceKey(applianceDir)).rejects.toMatchObject({ code: 'DEVICE_KEY_EXISTS' });
  });

  it('installs the permit, signs own-ship reports in mode 2, and a receiver with the public parameters only verifies', async () => {
    const keys = { params: join(pkgDir, 'params.json'), permit: join(applianceDir, 'keys.permit'), deviceKey: join(applianceDir, 'device-secret.json'), authority: join(pkgDir, 'authority.json') };
    const factory = appliancePipelineFactory();
    const pipeline = await factory.createPipeline(config(keys));
    expect(factory.keyValidity().map((k) => `${k.kind} ${k.identity}`).sort()).toEqual(['decryption mmsi:237000002', 'signing mmsi:237000002']);
    const now = Date.now();
    const report = encodeVdm(encodeAis({ type: 1, repeat: 0, mmsi: VESSEL, status: 0, turn: -128, speed: 70, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 }), { formatter: 'VDO', channel: 'A' });
    const toRadio = report.flatMap((l) => pipeline.fromShip(l, now)).map((o) => o.line);
    const air = new SimTransponder(VESSEL);
    const heard = [...air.push(report, now), ...air.push(toRadio, now)].flatMap((m) => m.lines);
    const rx = new SecureRx({}, { params: loadParams(keys.params) });
    const shown = heard.flatMap((l) => rx.push(l, now));
    expect(shown.filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l)!.result)).toContain('V');
  });

  it("installs a group key handed out by the issuer its permit's policy names, then sends in the group with it", async () => {
    const keys = (permit: string) => ({ params: join(pkgDir, 'params.json'), permit: join(applianceDir, permit), deviceKey: join(applianceDir, 'device-secret.json'), authority: join(pkgDir, 'authority.json') });
    const at = handOut.notBefore * 1000 + 500;
    // The daemon started a little before the hand-out was sent: what it receives is dated after its start.
    const started = at - 5_000;
    const statuses = (p: { fromRadio(l: string, now: number): { line: string }[] }) => handOut.lines.flatMap((l) => p.fromRadio(l, at)).map((o) => parseStatus(o.line));
    // Default deny: the permit without a policy installs nothing.
    const without = await appliancePipelineFactory({ now: () => started }).createPipeline(config(keys('keys.permit'), 5));
    expect(statuses(without).map((s) => s?.reason)).toEqual(['NOT_A_MEMBER']);
    const member = await appliancePipelineFactory({ now: () => started, nonceStore: () => new MemoryNonceStore() }).createPipeline(config(keys('group.permit'), 5));
    expect(statuses(member).map((s) => s?.result)).toEqual(['K']);
    // The daemon says when its clock is trusted; until then mode 5 sends nothing.
    member.setTimeTrusted(true);
    const report = encodeVdm(encodeAis({ type: 1, repeat: 0, mmsi: VESSEL, status: 0, turn: -128, speed: 70, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 }), { formatter: 'VDO', channel: 'A' });
    const air = new SimTransponder(VESSEL);
    const heard = air.push(report.flatMap((l) => member.fromShip(l, at + 1000)).map((o) => o.line), at + 1000).flatMap((m) => m.lines);
    const groupMate = new SecureRx({}, { params: loadParams(join(pkgDir, 'params.json')), groupKeys: loadGroupKeys(join(root, 'group.json')) });
    expect(heard.flatMap((l) => groupMate.push(l, at + 1000)).filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l)!.result)).toEqual(['D']);
  });

  it('without a permit, keys.groupPolicy gives the daemon the policy', async () => {
    const at = handOut.notBefore * 1000 + 500;
    const started = at - 5_000;
    const keys = { params: join(pkgDir, 'params.json'), key: join(root, 'vessel.json'), groupPolicy: join(root, 'policy.json') };
    const p = await appliancePipelineFactory({ now: () => started }).createPipeline(config(keys, 5));
    expect(handOut.lines.flatMap((l) => p.fromRadio(l, at)).map((o) => parseStatus(o.line)?.result)).toEqual(['K']);
    const { groupPolicy: _, ...noPolicy } = keys;
    const q = await appliancePipelineFactory({ now: () => started }).createPipeline(config(noPolicy, 5));
    expect(handOut.lines.flatMap((l) => q.fromRadio(l, at)).map((o) => parseStatus(o.line)?.reason)).toEqual(['NOT_A_MEMBER']);
  });

  it('refuses a permit made for another appliance, naming the S-63 check', async () => {
    const other = join(root, 'other');
    await makeDeviceKey(other, seededRandom('another device'));
    const keys = { params: join(pkgDir, 'params.json'), permit: join(applianceDir, 'keys.permit'), deviceKey: join(other, 'device-secret.json'), authority: join(pkgDir, 'authority.json') };
    await expect(Promise.resolve().then(() => appliancePipelineFactory().createPipeline(config(keys)))).rejects.toMatchObject({ code: 'PERMIT_REFUSED', message: expect.stringMatching(/PERMIT_NOT_FOR_DEVICE|NOT_FOR_DEVICE/) });
  });

  it('asks for the device key and the authority when a permit is configured', () => {
    expect(() => config({ params: 'p.json', permit: 'k.permit' })).toThrow(/keys\.deviceKey/);
  });
});
