import { once } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HID_CMD, HidFrameError, MAX_MESSAGE, MessageAssembler, REPORT_SIZE, encodeMessage } from '../../hal/token-hid-frame.js';
import { HidKeyToken } from '../../hal/token-hid.js';
import { SimulatedHidToken } from '../../hal/token-hid-sim.js';
import type { TokenError } from '../../hal/token.js';
import { writePermitToCard } from '../../provisioning/index.js';
import { ADMIN, USER, applet, codeOf } from './_token-applet.js';

const PERMIT = Uint8Array.from({ length: 700 }, (_, i) => (i * 7) & 0xff);

describe('HID report framing', () => {
  it('every message up to the limit splits into 64-byte reports and reassembles', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX_MESSAGE }), fc.integer({ min: 0, max: 0x7f }), (payload, cmd) => {
        const reports = encodeMessage(cmd, payload);
        expect(reports.every((r) => r.length === REPORT_SIZE)).toBe(true);
        const a = new MessageAssembler();
        const out = reports.map((r) => a.push(r));
        expect(out.slice(0, -1).every((m) => m === undefined)).toBe(true);
        expect(out.at(-1)).toEqual({ cmd, payload });
      }),
    );
  });
  it('refuses continuations out of sequence, over-long messages and short reports', () => {
    const reports = encodeMessage(HID_CMD.APDU, new Uint8Array(200));
    const a = new MessageAssembler();
    a.push(reports[0]!);
    expect(() => a.push(reports[2]!)).toThrow(HidFrameError);
    expect(() => new MessageAssembler().push(reports[1]!)).toThrow(/out of sequence/);
    const long = new Uint8Array(REPORT_SIZE);
    long[0] = 0x81;
    long[1] = 0x02;
    long[2] = 0x01;
    expect(() => new MessageAssembler().push(long)).toThrow(/exceeds/);
    expect(() => new MessageAssembler().push(new Uint8Array(63))).toThrow(HidFrameError);
  });
});

describe('HID key token on the simulated device', () => {
  it('the authority writes, the appliance reads with the user PIN (same APDUs as the card)', async () => {
    const token = new HidKeyToken(new SimulatedHidToken(applet()));
    await writePermitToCard(token.transmit, PERMIT, ADMIN);
    expect(await token.readPermit(USER)).toEqual(PERMIT);
    await token.close();
  });

  it('wrong PIN: 2, 1 tries left, then blocked, and the right PIN no longer opens it', async () => {
    const token = new HidKeyToken(new SimulatedHidToken(applet()));
    await writePermitToCard(token.transmit, PERMIT, ADMIN);
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      await token.readPermit('9999').catch((e: TokenError) => seen.push(e.code === 'TOKEN_PIN_WRONG' ? e.triesLeft : e.code));
    }
    expect(seen).toEqual([2, 1, 'TOKEN_PIN_BLOCKED']);
    expect(await codeOf(token.readPermit(USER))).toBe('TOKEN_PIN_BLOCKED');
  });

  it('unplugging emits removed, fails the exchange in flight and every later one with TOKEN_ABSENT', async () => {
    /** Pulled out right after the host's next write: the answer to that command never comes. */
    class PulledMidExchange extends SimulatedHidToken {
      armed = false;
      override write(values: number[] | Buffer): number {
        const n = super.write(values);
        if (this.armed) this.unplug();
        return n;
      }
    }
    const device = new PulledMidExchange(applet());
    const token = new HidKeyToken(device);
    await writePermitToCard(token.transmit, PERMIT, ADMIN);
    const removed = once(token, 'removed');
    device.armed = true;
    const inFlight = codeOf(token.readPermit(USER));
    await removed;
    expect(token.present).toBe(false);
    expect(await inFlight).toBe('TOKEN_ABSENT');
    expect(await codeOf(token.readPermit(USER))).toBe('TOKEN_ABSENT');
  });

  it('the simulated device answers read() like node-hid when no data listener is attached', async () => {
    const device = new SimulatedHidToken(applet());
    const select = Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x01, 0x00, 0x00);
    for (const r of encodeMessage(HID_CMD.APDU, select)) device.write([0, ...r]);
    const data = await new Promise<number[]>((resolve) => device.read((_e, d) => resolve(d)));
    const m = new MessageAssembler().push(Uint8Array.from(data));
    expect(m?.payload).toEqual(Uint8Array.of(0x6a, 0x82));
    device.close();
    expect(() => device.write([0, ...new Uint8Array(64)])).toThrow();
  });
});

describe('HID key token through node-hid', () => {
  it('a VID/PID with no device attached is TOKEN_ABSENT (no /dev/uhid here to create one)', async () => {
    expect(await codeOf(HidKeyToken.open({ vendorId: 0x1209, productId: 0xfffe }))).toMatch(/TOKEN_ABSENT|TOKEN_IO/);
  });
});
