/**
 * The key-permit card applet as a pure state machine: what a PC/SC smart card (or HID token) runs, and the
 * simulated card of the tests and the bench (behind vpcd, the HID twin or the in-process twin).
 * ISO/IEC 7816-4 commands:
 *   SELECT by AID   00 A4 04 00 Lc AID [Le]   (§11.1.1) → FCI 6F { 84 AID, 80 02 object size }
 *   VERIFY          00 20 00 80|81 [Lc PIN]   (§11.5.6) → 9000, 63Cx (x tries left), 6983 blocked;
 *                                                         without data: 9000 if verified, else 63Cx
 *   READ BINARY     00 B0 P1P2=offset Le       (§11.2.3) → data (6282 if the object ends first)
 *   UPDATE BINARY   00 D6 P1P2=offset Lc data  (§11.2.5) — contiguous writes extend the object
 *   ERASE BINARY    00 0E 00 00                (§11.2.7) — empties the object
 * Offsets are 15 bits (P1 b8 = 0), so objects up to 32 KiB are read and written in chunks of at most 255
 * bytes ("chained" by offset). Reading needs the user PIN (reference 80) or the admin PIN (so the authority
 * can read back what it wrote); writing and erasing need the authority's admin PIN (reference 81): an operator
 * who knows the user PIN cannot alter the permit.
 * Each PIN is blocked after 3 wrong presentations. Security state is lost on reset and on a new SELECT.
 * VERIFY is tear-safe (the card-side rule of ISO/IEC 7816-4 §11.5.6 implementations and of Common Criteria PIN
 * protection profiles): the retry counter is decremented and persisted BEFORE the comparison, and restored only
 * after a match. A power cut at any point therefore leaves every comparison counted; cutting power when the
 * card writes its counter (visible in its current draw) tells the attacker nothing, because the write happens
 * for every presentation, right or wrong, and before the answer exists.
 */
import { INS, SW, decodeCommand, encodeResponse, type CommandApdu } from './token-apdu.js';

/** Our proprietary application identifier (RID F0 = unregistered, ISO/IEC 7816-5 §5.2), "MIBCKP". */
export const TOKEN_AID = Uint8Array.from([0xf0, 0x4d, 0x49, 0x42, 0x43, 0x4b, 0x50]);
/**
 * ATR of the simulated card (ISO/IEC 7816-3 §8.2): TS 3B, T0 84 (TD1 follows, 4 historical bytes), TD1 80
 * (TD2 follows), TD2 01 (T=1), historical bytes "MIBC", TCK 00 (XOR of T0..the last historical byte).
 */
export const TOKEN_ATR = Uint8Array.from([0x3b, 0x84, 0x80, 0x01, 0x4d, 0x49, 0x42, 0x43, 0x00]);
export const PIN_TRIES = 3;
export const OBJECT_CAPACITY = 32_768;
export const PIN_REF = { user: 0x80, admin: 0x81 } as const;

const PIN_LENGTH = { min: 4, max: 16 };

interface PinState {
  value: Uint8Array;
  tries: number;
  verified: boolean;
}

/** Points of VERIFY at which the simulation can cut the power (see `AppletOptions.powerCut`). */
export type TearPoint = 'pin-counter-persisted' | 'pin-compared';

export interface AppletOptions {
  readonly userPin: Uint8Array;
  readonly adminPin: Uint8Array;
  /** Initial object content (a personalised card); empty by default. */
  readonly object?: Uint8Array;
  /**
   * Simulation only: called at each tear point of VERIFY; a throw models a power cut there (it propagates out of
   * `process`, and the card keeps what it had persisted). Real cards have no such hook.
   */
  readonly powerCut?: (at: TearPoint) => void;
}

function equalCt(a: Uint8Array, b: Uint8Array): boolean {
  let d = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) d |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return d === 0;
}

/** PIN comparison whose time depends on neither PIN's content nor length: both padded to the longest PIN. */
function pinMatches(given: Uint8Array, pin: Uint8Array): boolean {
  if (given.length > PIN_LENGTH.max) return false; // public: no PIN is that long
  const a = new Uint8Array(PIN_LENGTH.max);
  const b = new Uint8Array(PIN_LENGTH.max);
  a.set(given);
  b.set(pin);
  let d = given.length ^ pin.length;
  for (let i = 0; i < PIN_LENGTH.max; i++) d |= (a[i] as number) ^ (b[i] as number);
  a.fill(0);
  b.fill(0);
  return d === 0;
}

export class TokenApplet {
  private selected = false;
  private readonly pins: Record<'user' | 'admin', PinState>;
  private readonly object = new Uint8Array(OBJECT_CAPACITY);
  private size = 0;
  private readonly powerCut: ((at: TearPoint) => void) | undefined;

  constructor(opts: AppletOptions) {
    this.powerCut = opts.powerCut;
    for (const [name, pin] of [['userPin', opts.userPin], ['adminPin', opts.adminPin]] as const) {
      if (pin.length < PIN_LENGTH.min || pin.length > PIN_LENGTH.max) throw new RangeError(`${name} must be 4..16 bytes`);
    }
    this.pins = {
      user: { value: opts.userPin.slice(), tries: PIN_TRIES, verified: false },
      admin: { value: opts.adminPin.slice(), tries: PIN_TRIES, verified: false },
    };
    if (opts.object) {
      if (opts.object.length > OBJECT_CAPACITY) throw new RangeError('object exceeds the card capacity');
      this.object.set(opts.object);
      this.size = opts.object.length;
    }
  }

  /** Power-on or warm reset: the application is deselected and every PIN must be presented again. */
  reset(): Uint8Array {
    this.selected = false;
    this.pins.user.verified = false;
    this.pins.admin.verified = false;
    return TOKEN_ATR;
  }

  /** Tries left for a PIN (for tests and the bench; a real card tells this only through 63Cx). */
  triesLeft(which: 'user' | 'admin'): number {
    return this.pins[which].tries;
  }

  /** Processes one command APDU and returns the response APDU. Never throws on card input. */
  process(command: Uint8Array): Uint8Array {
    const c = decodeCommand(command);
    if (c === undefined) return encodeResponse({ data: new Uint8Array(0), sw: SW.WRONG_LENGTH });
    const [data, sw] = this.dispatch(c);
    return encodeResponse({ data, sw });
  }

  private dispatch(c: CommandApdu): [Uint8Array, number] {
    const none = new Uint8Array(0);
    if ((c.cla & 0xfc) !== 0x00) return [none, SW.CLA_NOT_SUPPORTED];
    if (c.ins === INS.SELECT) return this.select(c);
    if (!this.selected) return [none, SW.CONDITIONS_NOT_SATISFIED];
    switch (c.ins) {
      case INS.VERIFY:
        return [none, this.verify(c)];
      case INS.READ_BINARY:
        return this.read(c);
      case INS.UPDATE_BINARY:
        return [none, this.update(c)];
      case INS.ERASE_BINARY:
        if (!this.pins.admin.verified) return [none, SW.SECURITY_NOT_SATISFIED];
        this.object.fill(0);
        this.size = 0;
        return [none, SW.OK];
      default:
        return [none, SW.INS_NOT_SUPPORTED];
    }
  }

  private select(c: CommandApdu): [Uint8Array, number] {
    this.pins.user.verified = false;
    this.pins.admin.verified = false;
    if (c.p1 !== 0x04 || (c.p2 & 0xf3) !== 0x00) return [new Uint8Array(0), SW.WRONG_P1P2];
    this.selected = equalCt(c.data, TOKEN_AID);
    if (!this.selected) return [new Uint8Array(0), SW.FILE_NOT_FOUND];
    const fci = Uint8Array.from([0x6f, 2 + TOKEN_AID.length + 4, 0x84, TOKEN_AID.length, ...TOKEN_AID, 0x80, 0x02, this.size >> 8, this.size & 0xff]);
    return [fci, SW.OK];
  }

  private verify(c: CommandApdu): number {
    const which = c.p2 === PIN_REF.user ? 'user' : c.p2 === PIN_REF.admin ? 'admin' : undefined;
    if (c.p1 !== 0x00 || which === undefined) return SW.REFERENCE_NOT_FOUND;
    const pin = this.pins[which];
    if (pin.tries === 0) return SW.AUTH_BLOCKED;
    if (c.data.length === 0) return pin.verified ? SW.OK : SW.VERIFY_FAILED | pin.tries;
    pin.verified = false;
    // Counted first: `tries` is the card's persistent counter, written before the comparison can be observed.
    pin.tries -= 1;
    this.powerCut?.('pin-counter-persisted');
    const match = pinMatches(c.data, pin.value);
    this.powerCut?.('pin-compared');
    if (match) {
      pin.tries = PIN_TRIES;
      pin.verified = true;
      return SW.OK;
    }
    return pin.tries === 0 ? SW.AUTH_BLOCKED : SW.VERIFY_FAILED | pin.tries;
  }

  private offset(c: CommandApdu): number | undefined {
    return c.p1 & 0x80 ? undefined : (c.p1 << 8) | c.p2;
  }

  private read(c: CommandApdu): [Uint8Array, number] {
    const none = new Uint8Array(0);
    if (!this.pins.user.verified && !this.pins.admin.verified) return [none, SW.SECURITY_NOT_SATISFIED];
    const off = this.offset(c);
    if (off === undefined || off > this.size) return [none, SW.WRONG_P1P2];
    const want = c.le ?? 256;
    const end = Math.min(this.size, off + want);
    return [this.object.slice(off, end), end - off < want ? SW.END_OF_FILE : SW.OK];
  }

  private update(c: CommandApdu): number {
    if (!this.pins.admin.verified) return SW.SECURITY_NOT_SATISFIED;
    const off = this.offset(c);
    // Writes must be contiguous with what is there, so a half-written object is always a prefix of the new one.
    if (off === undefined || off > this.size) return SW.WRONG_P1P2;
    if (c.data.length === 0) return SW.WRONG_LENGTH;
    if (off + c.data.length > OBJECT_CAPACITY) return SW.NOT_ENOUGH_MEMORY;
    this.object.set(c.data, off);
    this.size = Math.max(this.size, off + c.data.length);
    return SW.OK;
  }
}
