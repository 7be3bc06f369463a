import { EventEmitter, once } from 'node:events';
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DAY, EMPTY_KEY_SET, deviceKeyFromSecret, installPermit } from '../../firmware/permit/index.js';
import { INS, SW, decodeResponse, encodeCommand } from '../../hal/token-apdu.js';
import type { TokenApplet } from '../../hal/token-applet.js';
import { PcscKeyToken } from '../../hal/token-pcsc.js';
import { TokenSession } from '../../hal/token-session.js';
import { SimulatedCardToken } from '../../hal/token-sim.js';
import { VpcdCard } from '../../hal/token-vpcd.js';
import { TokenError, type KeyToken, type Transmit } from '../../hal/token.js';
import { issueIssuerCertificate, issuePermit, writePermitToCard } from '../../provisioning/index.js';
import { startPcscStack } from '../_pcsc-stack.js';
import { ADMIN, USER, applet, codeOf } from './_token-applet.js';


// A realistic permit (≈ 700 bytes, so reads and writes need several chained APDUs).
const T0 = 1_790_000_000;
const seed = (v: number) => new Uint8Array(32).fill(v);
const root = ed25519.keygen(seed(1));
const issuerKey = ed25519.keygen(seed(2));
const device = deviceKeyFromSecret(seed(3));
const issuer = {
  certificate: issueIssuerCertificate({ issuerId: 'GR-PKG-1', publicKey: issuerKey.publicKey, notBefore: T0 - DAY, notAfter: T0 + 900 * DAY }, root.secretKey),
  secretKey: issuerKey.secretKey,
};
const key = { identity: 'mmsi:237000001', epoch: 1, notBefore: T0 - DAY, notAfter: T0 + 90 * DAY };
const PERMIT = issuePermit({
  issuer,
  devicePublicKey: device.publicKey,
  issuedAt: T0,
  sequence: 1,
  keys: [
    { ...key, kind: 'signing', current: new Uint8Array(48).fill(1), next: new Uint8Array(48).fill(2) },
    { ...key, kind: 'decryption', current: new Uint8Array(96).fill(3), next: new Uint8Array(96).fill(4) },
    { ...key, kind: 'group', identity: 'group:1', current: new Uint8Array(16).fill(5) },
  ],
});

/** A reader with a removable card: the in-process twin, or a real PC/SC stack with the card behind vpcd. */
interface Rig {
  readonly token: KeyToken;
  readonly transmit: Transmit;
  insert(card: TokenApplet): Promise<void>;
  remove(): Promise<void>;
}

function twinRig(): Rig {
  const token = new SimulatedCardToken();
  return {
    token,
    transmit: token.transmit,
    insert: async (card) => token.insert(card),
    remove: async () => token.remove(),
  };
}

const stack = await startPcscStack();
if (typeof stack === 'string') console.warn(`PC/SC token tests skipped: ${stack}`);

async function pcscRig(port: number, reader: RegExp): Promise<Rig & { close(): Promise<void> }> {
  const token = await PcscKeyToken.open({ reader });
  let card: VpcdCard | undefined;
  return {
    token,
    transmit: token.transmit,
    insert: async (applet) => {
      const inserted = once(token, 'inserted');
      card = await VpcdCard.insert(applet, { port });
      await inserted;
    },
    remove: async () => {
      if (!card) return;
      const removed = once(token, 'removed');
      await card.remove();
      card = undefined;
      await removed;
    },
    close: () => token.close(),
  };
}

function suite(make: () => Promise<Rig & { close?(): Promise<void> }>) {
  let rig: Rig & { close?(): Promise<void> };
  let card: TokenApplet;
  beforeAll(async () => {
    rig = await make();
  });
  afterAll(async () => {
    await rig.remove();
    await rig.close?.();
  });
  beforeEach(async () => {
    card = applet();
    await rig.insert(card);
  });
  afterEach(async () => {
    await rig.remove();
  });

  it('the authority writes with the admin PIN, the appliance reads with the user PIN and installs it', async () => {
    expect(rig.token.present).toBe(true);
    await writePermitToCard(rig.transmit, PERMIT, ADMIN);
    const read = await rig.token.readPermit(USER);
    expect(read).toEqual(PERMIT);
    const installed = installPermit(read, EMPTY_KEY_SET, { device, rootPublicKey: root.publicKey, now: T0 });
    expect(installed.ok).toBe(true);
  });

  it('wrong PIN: 63C2, 63C1, then blocked (6983) — after which the right PIN no longer opens the card', async () => {
    await writePermitToCard(rig.transmit, PERMIT, ADMIN);
    const tries: (number | string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      try {
        await rig.token.readPermit('0000');
      } catch (e) {
        tries.push(e instanceof TokenError ? (e.code === 'TOKEN_PIN_WRONG' ? e.triesLeft : e.code) : String(e));
      }
    }
    expect(tries).toEqual([2, 1, 'TOKEN_PIN_BLOCKED']);
    expect(await codeOf(rig.token.readPermit(USER))).toBe('TOKEN_PIN_BLOCKED');
  });

  it('a correct PIN restores the retry counter', async () => {
    await writePermitToCard(rig.transmit, PERMIT, ADMIN);
    expect(await codeOf(rig.token.readPermit('0000'))).toBe('TOKEN_PIN_WRONG');
    expect(await codeOf(rig.token.readPermit('0001'))).toBe('TOKEN_PIN_WRONG');
    expect(await rig.token.readPermit(USER)).toEqual(PERMIT);
    const s = new TokenSession(rig.transmit);
    await s.select();
    expect(await codeOf(s.verify('0000'))).toBe('TOKEN_PIN_WRONG');
    await s.verify(USER);
  });

  it('an empty card is TOKEN_EMPTY; the user PIN cannot write; nothing is readable before VERIFY', async () => {
    expect(await codeOf(rig.token.readPermit(USER))).toBe('TOKEN_EMPTY');
    const s = new TokenSession(rig.transmit);
    await s.select();
    await s.verify(USER);
    expect(await codeOf(s.write(PERMIT))).toBe('TOKEN_PROTOCOL');
    await writePermitToCard(rig.transmit, PERMIT, ADMIN);
    const size = await s.select();
    expect(await codeOf(s.read(size))).toBe('TOKEN_PIN_WRONG');
    const raw = decodeResponse(await rig.transmit(encodeCommand({ cla: 0, ins: INS.READ_BINARY, p1: 0, p2: 0, data: new Uint8Array(0), le: 16 })));
    expect(raw.sw).toBe(SW.SECURITY_NOT_SATISFIED);
  });

  it('card removal is reported, reads then fail with TOKEN_ABSENT, and a reinserted card needs its PIN again', async () => {
    await writePermitToCard(rig.transmit, PERMIT, ADMIN);
    const s = new TokenSession(rig.transmit);
    await s.select();
    await s.verify(USER);
    let removed = 0;
    const onRemoved = () => removed++;
    rig.token.on('removed', onRemoved);
    await rig.remove();
    rig.token.off('removed', onRemoved);
    expect(removed).toBe(1);
    expect(rig.token.present).toBe(false);
    expect(await codeOf(rig.token.readPermit(USER))).toBe('TOKEN_ABSENT');
    await rig.insert(card);
    expect(rig.token.present).toBe(true);
    const size = await s.select();
    expect(await codeOf(s.read(size))).toBe('TOKEN_PIN_WRONG');
    expect(await rig.token.readPermit(USER)).toEqual(PERMIT);
  });
}

describe('key token: in-process twin', () => {
  suite(async () => twinRig());

  it('objects of any size up to several KiB round-trip through chained UPDATE/READ BINARY', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4000 }), async (obj) => {
        const t = new SimulatedCardToken(applet());
        await writePermitToCard(t.transmit, obj, ADMIN);
        expect(await t.readPermit(USER)).toEqual(obj);
      }),
      { numRuns: 40 },
    );
  });
});

describe.skipIf(typeof stack === 'string')('key token: PC/SC (pcscd + vpcd, card simulated by our applet)', () => {
  afterAll(async () => {
    if (typeof stack !== 'string') await stack.stop();
  });
  suite(async () => {
    if (typeof stack === 'string') throw new Error(stack);
    return pcscRig(stack.port, stack.reader);
  });
});

describe('PC/SC token on an injected monitor', () => {
  /** Stands in for smartcard's Devices: lets the test drive insertion, removal and monitor failure. */
  class FakeDevices extends EventEmitter {
    started = false;
    start(): void {
      this.started = true;
    }
    stop(): void {
      this.started = false;
    }
  }
  const cardOn = (a: TokenApplet) => ({ transmit: async (c: Buffer) => Buffer.from(a.process(new Uint8Array(c))) });

  it('follows only readers that match, and treats a monitor error as removal (fail closed)', async () => {
    const devices = new FakeDevices();
    const token = await PcscKeyToken.open({ devices, reader: /Virtual PCD/ });
    expect(devices.started).toBe(true);
    devices.emit('card-inserted', { reader: { name: 'Other Reader 00' }, card: cardOn(applet()) });
    expect(token.present).toBe(false);
    const a = applet();
    devices.emit('card-inserted', { reader: { name: 'Virtual PCD 00 00' }, card: cardOn(a) });
    expect(token.present).toBe(true);
    expect(token.readerName).toBe('Virtual PCD 00 00');
    await writePermitToCard(token.transmit, PERMIT, ADMIN);
    expect(await token.readPermit(USER)).toEqual(PERMIT);
    let removed = 0;
    token.on('removed', () => removed++);
    devices.emit('error', new Error('SCardGetStatusChange: Service not available'));
    expect([removed, token.present, token.lastError?.code]).toEqual([1, false, 'TOKEN_IO']);
    expect(await codeOf(token.readPermit(USER))).toBe('TOKEN_ABSENT');
    await token.close();
    expect(devices.started).toBe(false);
  });
});
