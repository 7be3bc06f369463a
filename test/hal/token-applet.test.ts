import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INS, SW, decodeCommand, decodeResponse, encodeCommand, type CommandApdu } from '../../hal/token-apdu.js';
import { OBJECT_CAPACITY, PIN_REF, PIN_TRIES, TOKEN_AID, TokenApplet, type TearPoint } from '../../hal/token-applet.js';
import { SimulatedCardToken } from '../../hal/token-sim.js';
import { TokenError } from '../../hal/token.js';

const enc = new TextEncoder();
const none = new Uint8Array(0);
const card = (object?: Uint8Array) =>
  new TokenApplet({ userPin: enc.encode('1234'), adminPin: enc.encode('87654321'), ...(object ? { object } : {}) });

function run(a: TokenApplet, c: Partial<CommandApdu> & { ins: number }): { data: Uint8Array; sw: number } {
  return decodeResponse(a.process(encodeCommand({ cla: 0, p1: 0, p2: 0, data: none, le: undefined, ...c })));
}
const select = (a: TokenApplet) => run(a, { ins: INS.SELECT, p1: 4, data: TOKEN_AID, le: 256 });
const verify = (a: TokenApplet, pin: string, ref: number = PIN_REF.user) => run(a, { ins: INS.VERIFY, p2: ref, data: enc.encode(pin) }).sw;

describe('ISO 7816-4 short APDU codec', () => {
  it('round-trips all four command cases', () => {
    fc.assert(
      fc.property(
        fc.record({
          cla: fc.integer({ min: 0, max: 255 }), ins: fc.integer({ min: 0, max: 255 }),
          p1: fc.integer({ min: 0, max: 255 }), p2: fc.integer({ min: 0, max: 255 }),
          data: fc.uint8Array({ maxLength: 255 }), le: fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }),
        }),
        (c) => {
          expect(decodeCommand(encodeCommand(c))).toEqual(c);
        },
      ),
    );
  });
  it('rejects lengths that match no case', () => {
    expect(decodeCommand(Uint8Array.of(0, 0xa4, 4))).toBeUndefined();
    expect(decodeCommand(Uint8Array.of(0, 0xa4, 4, 0, 3, 1, 2))).toBeUndefined();
    expect(decodeCommand(Uint8Array.of(0, 0xa4, 4, 0, 0, 1))).toBeUndefined();
  });
});

describe('token applet (card side)', () => {
  it('answers SELECT of another AID with 6A82 and everything before SELECT with 6985', () => {
    const a = card();
    expect(run(a, { ins: INS.READ_BINARY, le: 16 }).sw).toBe(SW.CONDITIONS_NOT_SATISFIED);
    expect(run(a, { ins: INS.SELECT, p1: 4, data: Uint8Array.of(0xa0, 0, 0, 3, 8), le: 256 }).sw).toBe(SW.FILE_NOT_FOUND);
    expect(select(a)).toEqual({ data: Uint8Array.of(0x6f, 13, 0x84, 7, ...TOKEN_AID, 0x80, 2, 0, 0), sw: SW.OK });
  });
  it('reports bad CLA, INS, length, and PIN references', () => {
    const a = card();
    select(a);
    expect(run(a, { cla: 0x80, ins: INS.READ_BINARY, le: 1 }).sw).toBe(SW.CLA_NOT_SUPPORTED);
    expect(run(a, { ins: 0xca, le: 1 }).sw).toBe(SW.INS_NOT_SUPPORTED);
    expect(decodeResponse(a.process(Uint8Array.of(0, 0xb0, 0))).sw).toBe(SW.WRONG_LENGTH);
    expect(verify(a, '1234', 0x82)).toBe(SW.REFERENCE_NOT_FOUND);
  });
  it('VERIFY without data tells the state: 63C3 before, 9000 after a correct PIN; a reset forgets it', () => {
    const a = card();
    select(a);
    expect(run(a, { ins: INS.VERIFY, p2: PIN_REF.user }).sw).toBe(0x63c3);
    expect(verify(a, '1234')).toBe(SW.OK);
    expect(run(a, { ins: INS.VERIFY, p2: PIN_REF.user }).sw).toBe(SW.OK);
    a.reset();
    select(a);
    expect(run(a, { ins: INS.VERIFY, p2: PIN_REF.user }).sw).toBe(0x63c3);
  });
  it('blocks the admin PIN independently of the user PIN', () => {
    const a = card();
    select(a);
    expect([1, 2, 3].map(() => verify(a, '00000000', PIN_REF.admin))).toEqual([0x63c2, 0x63c1, SW.AUTH_BLOCKED]);
    expect(verify(a, '87654321', PIN_REF.admin)).toBe(SW.AUTH_BLOCKED);
    expect(a.triesLeft('admin')).toBe(0);
    expect(verify(a, '1234')).toBe(SW.OK);
  });
  it('READ BINARY: 6282 when the object ends before Le, 6B00 past the end', () => {
    const a = card(Uint8Array.from({ length: 300 }, (_, i) => i & 0xff));
    select(a);
    verify(a, '1234');
    const tail = run(a, { ins: INS.READ_BINARY, p1: 1, p2: 0x00, le: 256 });
    expect([tail.data.length, tail.sw]).toEqual([44, SW.END_OF_FILE]);
    expect(run(a, { ins: INS.READ_BINARY, p1: 1, p2: 0x2d, le: 1 }).sw).toBe(SW.WRONG_P1P2);
    expect(run(a, { ins: INS.READ_BINARY, p1: 0x80, p2: 0, le: 1 }).sw).toBe(SW.WRONG_P1P2);
  });
  it('UPDATE BINARY: admin only, contiguous, within capacity', () => {
    const a = card();
    select(a);
    expect(run(a, { ins: INS.UPDATE_BINARY, data: Uint8Array.of(1) }).sw).toBe(SW.SECURITY_NOT_SATISFIED);
    verify(a, '87654321', PIN_REF.admin);
    expect(run(a, { ins: INS.UPDATE_BINARY, p2: 5, data: Uint8Array.of(1) }).sw).toBe(SW.WRONG_P1P2);
    expect(run(a, { ins: INS.UPDATE_BINARY, data: Uint8Array.of(1, 2) }).sw).toBe(SW.OK);
    expect(select(a).data.slice(-2)).toEqual(Uint8Array.of(0, 2));
    const full = new TokenApplet({ userPin: enc.encode('1234'), adminPin: enc.encode('87654321'), object: new Uint8Array(OBJECT_CAPACITY) });
    select(full);
    verify(full, '87654321', PIN_REF.admin);
    const off = OBJECT_CAPACITY - 1;
    expect(run(full, { ins: INS.UPDATE_BINARY, p1: off >> 8, p2: off & 0xff, data: Uint8Array.of(1, 2) }).sw).toBe(SW.NOT_ENOUGH_MEMORY);
  });
  it('a card without our applet is TOKEN_APPLET_MISSING to the reader', async () => {
    const foreign = { process: () => Uint8Array.of(0x6a, 0x82), reset: () => new Uint8Array(0) } as unknown as TokenApplet;
    const t = new SimulatedCardToken(foreign);
    await expect(t.readPermit('1234')).rejects.toSatisfy((e) => e instanceof TokenError && e.code === 'TOKEN_APPLET_MISSING');
  });
});

describe('token applet: PIN tearing (power cut during VERIFY)', () => {
  class PowerCut extends Error {}
  /** A card whose power the attacker cuts at `cutAt` (every VERIFY) and records which points each VERIFY reached. */
  function tornCard(cut: TearPoint | undefined) {
    let cutAt = cut;
    const reached: TearPoint[] = [];
    const a = new TokenApplet({
      userPin: enc.encode('1234'),
      adminPin: enc.encode('87654321'),
      powerCut: (at) => {
        reached.push(at);
        if (at === cutAt) throw new PowerCut(at);
      },
    });
    /** One guess: the answer, or undefined when the power was cut; then power-on and SELECT again. */
    const guess = (pin: string): number | undefined => {
      let sw: number | undefined;
      try {
        sw = verify(a, pin);
      } catch (e) {
        if (!(e instanceof PowerCut)) throw e;
      }
      a.reset();
      select(a);
      return sw;
    };
    select(a);
    return { a, reached, guess, restorePower: () => (cutAt = undefined) };
  }

  it('a power cut between the decrement and the comparison leaves the guess counted and unanswered', () => {
    const { a, reached, guess } = tornCard('pin-counter-persisted');
    expect(guess('0000')).toBeUndefined();
    expect(reached).toEqual(['pin-counter-persisted']); // the comparison never ran
    expect(a.triesLeft('user')).toBe(PIN_TRIES - 1);
  });

  it('a power cut right after the comparison (the moment an attacker sees a mismatch) still counts the guess', () => {
    const { a, guess } = tornCard('pin-compared');
    // Old order (compare, then decrement): cutting here gives unlimited uncounted guesses.
    for (let i = 0; i < 10; i++) guess(`000${i}`);
    expect(a.triesLeft('user')).toBe(0);
    // The blocked card refuses even the right PIN.
    expect(guess('1234')).toBe(SW.AUTH_BLOCKED);
  });

  it('every comparison the card makes is preceded by a persisted decrement, wherever the power is cut', () => {
    for (const cutAt of [undefined, 'pin-counter-persisted', 'pin-compared'] as const) {
      const { a, reached, guess } = tornCard(cutAt);
      let compares = 0;
      for (let i = 0; i < 5 && a.triesLeft('user') > 0; i++) {
        const before = a.triesLeft('user');
        reached.length = 0;
        guess('9999');
        if (reached.includes('pin-compared')) compares++;
        expect(a.triesLeft('user')).toBe(before - 1);
        expect(reached[0]).toBe('pin-counter-persisted');
      }
      expect(compares).toBeLessThanOrEqual(PIN_TRIES);
    }
  });

  it('a right PIN torn before its restore stays decremented until the next right PIN', () => {
    const { a, guess, restorePower } = tornCard('pin-compared');
    expect(guess('1234')).toBeUndefined();
    expect(a.triesLeft('user')).toBe(PIN_TRIES - 1);
    restorePower();
    expect(guess('1234')).toBe(SW.OK);
    expect(a.triesLeft('user')).toBe(PIN_TRIES);
  });
});
