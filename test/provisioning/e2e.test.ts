/**
 * Issue 6 acceptance, end to end: `pkg setup` → `pkg extract` → `pkg permit` (the CLI, as the authority runs it)
 * → `pkg card-write` onto a card → the appliance reads the card with the user PIN → installPermit → permit-keys
 * adapter → SecureTx signs an own-ship report in mode 2 → a SecureRx holding only params.json verifies it.
 * The card is the simulated twin always, and additionally a card behind a real pcscd + vpcd when that stack
 * is available (the CLI then talks PC/SC from its own process while this one hosts the card).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, ParamsFileSchema, parseKeyFile } from '../../firmware/keyfile.js';
import { loadSystemParams, type SystemParams } from '../../firmware/keyring.js';
import { EMPTY_KEY_SET, decodePermitFile, deviceKeyFromSecret, installPermit } from '../../firmware/permit/index.js';
import { keysFromPermit } from '../../firmware/permit-keys.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { parseStatus } from '../../firmware/status.js';
import { TokenApplet } from '../../hal/token-applet.js';
import { PcscKeyToken } from '../../hal/token-pcsc.js';
import { SimulatedCardToken } from '../../hal/token-sim.js';
import { VpcdCard } from '../../hal/token-vpcd.js';
import type { KeyToken } from '../../hal/token.js';
import { encodeVdm } from '../../nmea/index.js';
import { pkgCommand, type PkgCliIo } from '../../cli/pkg.js';
import { pcscSecondSlot } from '../_pcsc-stack.js';
import { testEnv } from './_pkg-dir.js';

const run = promisify(execFile);
const stack = await pcscSecondSlot();
if (typeof stack === 'string') console.warn(`PC/SC end-to-end skipped: ${stack}`);
const VESSEL = 237_000_001;
const USER = '1234';
const ADMIN = '87654321';
const enc = new TextEncoder();
const device = deviceKeyFromSecret(new Uint8Array(32).fill(0x5a));

let root: string;
let permitFile: string;
let adminPinFile: string;
let permit: Uint8Array;
let rootPublicKey: Uint8Array;
/** What a receiver holds: the public parameters, nothing else. */
let publicParams: SystemParams;

const cli = (...args: string[]) => run('npx', ['tsx', 'cli/main.ts', 'pkg', ...args], { encoding: 'utf8' });
const newCard = () => new TokenApplet({ userPin: enc.encode(USER), adminPin: enc.encode(ADMIN) });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mibc-pkg-e2e-'));
  const dir = join(root, 'pkg');
  const pass = join(root, 'passphrase');
  writeFileSync(pass, 'correct horse battery staple\n', { mode: 0o600 });
  adminPinFile = join(root, 'admin-pin');
  writeFileSync(adminPinFile, `${ADMIN}\n`, { mode: 0o600 });
  const deviceKey = join(root, 'device-key.json');
  writeFileSync(deviceKey, JSON.stringify({ format: 'mibc-ais-device-key', version: 1, publicKey: bytesToHex(device.publicKey) }));
  permitFile = join(root, 'permit.mikp');

  await cli('setup', '--dir', dir, '--passphrase-file', pass, '--scrypt-log-n', '14');
  const extracted = await cli('extract', '--dir', dir, '--passphrase-file', pass, '--mmsi', String(VESSEL), '--epoch', 'current', '--epochs', '2', '--out', join(root, 'vessel.json'));
  expect(JSON.parse(extracted.stdout)).toMatchObject({ command: 'extract', identity: { kind: 'mmsi', mmsi: VESSEL } });
  const issued = await cli('permit', '--dir', dir, '--passphrase-file', pass, '--device-key', deviceKey, '--keys', join(root, 'vessel.json'), '--out', permitFile);
  expect(JSON.parse(issued.stdout)).toMatchObject({ command: 'permit', sequence: 1, identities: ['mmsi:237000001'] });

  permit = new Uint8Array(readFileSync(permitFile));
  rootPublicKey = hexToBytes((JSON.parse(readFileSync(join(dir, 'authority.json'), 'utf8')) as { rootPublicKey: string }).rootPublicKey);
  publicParams = loadSystemParams(parseKeyFile(ParamsFileSchema, readFileSync(join(dir, 'params.json'), 'utf8'), 'params'));
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The appliance: read the card with the user PIN, install, adapt, sign in mode 2; the receiver verifies. */
async function applianceSignsAndReceiverVerifies(token: KeyToken): Promise<void> {
  const read = await token.readPermit(USER);
  expect(read).toEqual(permit);
  // The permit's own issue time stands in for the appliance clock, so the test does not depend on the wall clock.
  const now = decodePermitFile(read).issuedAt;
  const installed = installPermit(read, EMPTY_KEY_SET, { device, rootPublicKey, now });
  if (!installed.ok) throw installed.error;
  const keys = keysFromPermit(publicParams, installed.keys);
  expect(keys.identity?.mmsi).toBe(VESSEL);
  expect(keys.pseudo).toBeUndefined();

  const tx = new SecureTx({ mode: 2, emit: 'vdm', ownShip: 'any' }, { params: publicParams, identity: keys.identity! });
  const report = encodeVdm({
    type: 1, repeat: 0, mmsi: VESSEL, status: 0, turn: 0, speed: 124, accuracy: true, lon: 14_160_000, lat: 22_764_000,
    course: 2150, heading: 215, second: 12, maneuver: 0, raim: false, radio: 0,
  });
  const nowMs = now * 1000 + 500;
  const onAir = report.flatMap((l) => tx.push(l, nowMs).map((o) => o.line));
  expect(tx.counters.secured).toBe(1);

  const rx = new SecureRx({}, { params: publicParams });
  const shown = onAir.flatMap((l) => rx.push(l, nowMs + 200));
  const statuses = shown.filter((l) => l.startsWith('$PMIBV'));
  expect(statuses).toHaveLength(1);
  expect(statuses[0]).toMatch(/^\$PMIBV,V,2,237000001,237000001,1,/);
  expect(parseStatus(statuses[0]!)).toMatchObject({ result: 'V', mode: 2, source: VESSEL, identity: VESSEL, messageType: 1 });
  // The original report is what the display gets, ahead of its status.
  expect(shown.filter((l) => l.startsWith('!AIVDM'))).toEqual(report);
  keys.identity?.destroy();
}

describe('e2e: PKG CLI → card → appliance → mode 2 → receiver with public parameters only', () => {
  it('simulated card: `pkg card-write` writes it, the appliance reads it with the PIN and signs', async () => {
    const token = new SimulatedCardToken(newCard());
    const out: string[] = [];
    const io: PkgCliIo = {
      env: testEnv('e2e'),
      getenv: () => undefined,
      out: new Writable({ write: (c: Buffer, _e, cb) => (out.push(c.toString()), cb()) }),
      err: new Writable({ write: (c: Buffer, _e, cb) => (out.push(c.toString()), cb()) }),
      openCard: async () => ({ transmit: token.transmit, close: async () => undefined }),
      fail: (status) => out.push(`exit ${status}`),
    };
    await pkgCommand(io).parseAsync(['card-write', '--permit', permitFile, '--admin-pin-file', adminPinFile], { from: 'user' });
    expect(JSON.parse(out.join(''))).toEqual({ command: 'card-write', bytes: permit.length, verified: true });
    await applianceSignsAndReceiverVerifies(token);
  });

  describe('through pcscd + vpcd', () => {
    afterAll(async () => {
      if (typeof stack !== 'string') await stack.stop();
    });

    it.skipIf(typeof stack === 'string')('`pkg card-write` (its own process, PC/SC) writes the card; PcscKeyToken reads it; mode 2 verifies', async () => {
      if (typeof stack === 'string') return;
      const card = await VpcdCard.insert(newCard(), { port: stack.port });
      try {
        const written = await cli('card-write', '--permit', permitFile, '--admin-pin-file', adminPinFile, '--reader', stack.reader.source, '--wait', '10');
        expect(JSON.parse(written.stdout)).toEqual({ command: 'card-write', bytes: permit.length, verified: true });
        const token = await PcscKeyToken.open({ reader: stack.reader });
        try {
          if (!token.present) await new Promise<void>((resolve) => token.once('inserted', () => resolve()));
          await applianceSignsAndReceiverVerifies(token);
        } finally {
          // The virtual card lives in this process, and closing the token disconnects synchronously (the binding
          // blocks this thread): with the card still in, pcscd could wait on the card while we wait on pcscd.
          await card.remove();
          await token.close();
        }
      } finally {
        await card.remove();
      }
    });
  });
});
