/**
 * Containment of the receive and transmit paths: no line on the radio or ship port ends or stalls them. Fields whose
 * bit width allows values the identity code refuses are typed rejections; any other unexpected error is contained per
 * message (`INTERNAL`) and processing goes on.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeAis, encodeVdm, type AisMessage } from '../../nmea/index.js';
import { COMMITMENT_BYTES, encodeEnvelopeMessage, Kind } from '../../firmware/envelope.js';
import { encodeGroup, encodeKem, encodeSignedAttached, encodeSignedInline, KemPurpose, TIME_BITS } from '../../firmware/bodies.js';
import { timeResidue } from '../../firmware/freshness.js';
import { GroupKeyRing, type OwnIdentity } from '../../firmware/keyring.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { parseStatus, type Status } from '../../firmware/status.js';
import { NOW_MS, epochAt, groupRing, seededRandom, testPkg, type TestPkg } from './_pkg.js';

const ALICE = 244_123_456;
const BOB = 211_000_001;
/** Past the nine digits of an identity, inside the 30 bits of an AIS header field. */
const TOO_BIG = [1_000_000_000, 2 ** 30 - 1];

let pkg: TestPkg;
let alice: OwnIdentity;
let bob: OwnIdentity;

beforeAll(() => {
  pkg = testPkg('containment');
  const e = epochAt(NOW_MS, pkg.params);
  alice = pkg.identity(ALICE, [e]);
  bob = pkg.identity(BOB, [e]);
});

const report = (mmsi: number): AisMessage => ({
  type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed: 123, accuracy: true, lon: 2_400_000, lat: 31_800_000,
  course: 2240, heading: 215, second: 12, maneuver: 0, spare: 0, raim: false, radio: 34017,
});

const t6 = (ms: number) => timeResidue(Math.floor(ms / 1000));
/** The body time field of a kind: the UTC second modulo 2^bits (docs/envelope.md). */
const tm = (kind: Kind, ms = NOW_MS) => Math.floor(ms / 1000) % 2 ** TIME_BITS[kind];
/** A well-formed signature (the encoders check S is a curve point) that signs nothing here. */
const sig = () => alice.signer(epochAt(NOW_MS, pkg.params)).sign(Uint8Array.of(0), { form: 'compact' });

function carrier(source: number, data: Uint8Array, dest?: number): string[] {
  const m: AisMessage =
    dest === undefined
      ? { type: 8, repeat: 0, mmsi: source, spare: 0, dac: 0, fid: 58, data, dataBits: data.length * 8 }
      : { type: 6, repeat: 0, mmsi: source, seqno: 0, dest_mmsi: dest, retransmit: false, spare: 0, dac: 0, fid: 58, data, dataBits: data.length * 8 };
  return encodeVdm(encodeAis(m), { channel: 'A', seqId: 3 });
}

function rxNew(groupKeys?: GroupKeyRing) {
  return new SecureRx({}, { params: pkg.params, identity: bob, ...(groupKeys ? { groupKeys } : {}) });
}

function feed(rx: SecureRx, lines: readonly string[], now = NOW_MS): Status[] {
  return lines.flatMap((l) => rx.push(l, now)).filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l)!);
}

function genuine(now = NOW_MS): string[] {
  const tx = new SecureTx({ mode: 2, emit: 'vdm', ownShip: 'any' }, { params: pkg.params, identity: alice }, seededRandom('tx'));
  return tx.secure(encodeAis(report(ALICE)), ALICE, 1, now);
}

describe('receive path: header values the field allows but no identity has', () => {
  it.each(TOO_BIG)('kind 1 from source %i: INVALID_MMSI, and the next genuine message still verifies', (big) => {
    const rx = rxNew();
    const body = encodeSignedInline({ time: tm(Kind.SignedInline), compact: true, report: { bytes: encodeAis(report(big)).bytes, fill: 0 }, signature: sig() });
    const lines = carrier(big, encodeEnvelopeMessage({ kind: Kind.SignedInline, ext: false, chunk: body }));
    let statuses: Status[] = [];
    expect(() => (statuses = feed(rx, lines))).not.toThrow();
    expect(statuses).toEqual([{ result: 'F', mode: 0, source: big, reason: 'INVALID_MMSI' }]);
    expect(rx.counters.rejected).toEqual({ INVALID_MMSI: 1 });
    expect(feed(rx, genuine()).map((s) => s.result)).toEqual(['V']);
  });

  it('kind 2 after a plain report under such an MMSI: INVALID_MMSI', () => {
    const rx = rxNew();
    const big = TOO_BIG[0]!;
    feed(rx, encodeVdm(encodeAis(report(big)), { channel: 'A' }));
    const body = encodeSignedAttached({ time: tm(Kind.SignedAttached), compact: true, signature: sig() });
    expect(feed(rx, carrier(big, encodeEnvelopeMessage({ kind: Kind.SignedAttached, ext: false, chunk: body })))).toEqual([
      { result: 'F', mode: 0, source: big, reason: 'INVALID_MMSI' },
    ]);
  });

  it('kind 3 with a group key held: INVALID_MMSI, not a throw from the nonce', () => {
    const rx = rxNew(groupRing(3, 'g', NOW_MS / 1000 - 60, NOW_MS / 1000 + 60));
    const body = encodeGroup({ time: tm(Kind.Group), keySlot: 3, counter: 0, fill: 0, instance: 0, ciphertext: seededRandom('c')(21), tag: seededRandom('t')(8) });
    expect(feed(rx, carrier(TOO_BIG[1]!, encodeEnvelopeMessage({ kind: Kind.Group, ext: false, chunk: body })))[0]?.reason).toBe('INVALID_MMSI');
  });

  it('kind 4 and kind 5 from such a source: INVALID_MMSI', () => {
    const rx = rxNew();
    const kem = encodeKem({
      time: tm(Kind.Kem), compact: true, purpose: KemPurpose.Text, fill: 0, kemCiphertext: seededRandom('k')(64), sealed: seededRandom('s')(30), signature: sig(),
    });
    // Refused fragment by fragment, before reassembly: such a source takes no place in the reassembler either.
    const first = feed(rx, carrier(TOO_BIG[0]!, encodeEnvelopeMessage({ kind: Kind.Kem, ext: false, fragment: { group: 0, index: 0, count: 2, commitment: new Uint8Array(COMMITMENT_BYTES) }, chunk: kem.subarray(0, 80) }), BOB));
    expect(first.map((s) => s.reason)).toEqual(['INVALID_MMSI']);
    const second = feed(rx, carrier(TOO_BIG[0]!, encodeEnvelopeMessage({ kind: Kind.Kem, ext: false, fragment: { group: 0, index: 1, count: 2 }, chunk: kem.subarray(80) }), BOB));
    expect(second.map((s) => s.reason)).toEqual(['INVALID_MMSI']);
    const anchor = Uint8Array.of(t6(NOW_MS) << 2, 0x4a, 0xe8, 0xe0, ...seededRandom('a')(16), ...sig());
    expect(feed(rx, carrier(TOO_BIG[1]!, encodeEnvelopeMessage({ kind: Kind.ChainAnchor, ext: false, chunk: anchor.subarray(0, 100) }))).map((s) => s.reason)).toEqual(['INVALID_MMSI']);
  });

  it('a destination MMSI past nine digits: INVALID_MMSI when no identity is held to compare it with', () => {
    const rx = new SecureRx({}, { params: pkg.params });
    const body = encodeSignedInline({ time: tm(Kind.SignedInline), compact: true, report: { bytes: encodeAis(report(ALICE)).bytes, fill: 0 }, signature: sig() });
    expect(feed(rx, carrier(ALICE, encodeEnvelopeMessage({ kind: Kind.SignedInline, ext: false, chunk: body }), TOO_BIG[0]))[0]?.reason).toBe('INVALID_MMSI');
  });

  it('a receiver clock at the start of 1970: a body second before 0 is BAD_TIME, not a throw from the key epoch', () => {
    const rx = rxNew();
    const body = encodeSignedInline({ time: 2 ** TIME_BITS[Kind.SignedInline] - 6, compact: true, report: { bytes: encodeAis(report(ALICE)).bytes, fill: 0 }, signature: sig() });
    expect(feed(rx, carrier(ALICE, encodeEnvelopeMessage({ kind: Kind.SignedInline, ext: false, chunk: body })), 5_000)).toEqual([
      { result: 'F', mode: 0, source: ALICE, reason: 'BAD_TIME' },
    ]);
  });

  it('a receiver clock past the 48-bit second of signed messages and nonces: BAD_TIME, not a throw', () => {
    const rx = rxNew(groupRing(3, 'g', 0, 2 ** 49));
    const body = encodeGroup({ time: 0, keySlot: 3, counter: 0, fill: 0, instance: 0, ciphertext: seededRandom('c')(21), tag: seededRandom('t')(8) });
    expect(feed(rx, carrier(ALICE, encodeEnvelopeMessage({ kind: Kind.Group, ext: false, chunk: body })), 2 ** 48 * 1000)).toEqual([
      { result: 'F', mode: 0, source: ALICE, reason: 'BAD_TIME' },
    ]);
    expect(rx.counters.rejected.INTERNAL).toBeUndefined();
  });
});

describe('last-resort containment', () => {
  it('rx: an unexpected error refuses that message as INTERNAL with its source and the next one is handled', () => {
    class Broken extends GroupKeyRing {
      override forSlot(): never {
        throw new Error('internal fault');
      }
    }
    const rx = rxNew(new Broken());
    const errors: unknown[] = [];
    rx.onInternalError = (e) => errors.push(e);
    const body = encodeGroup({ time: tm(Kind.Group), keySlot: 0, counter: 0, fill: 0, instance: 0, ciphertext: seededRandom('c')(21), tag: seededRandom('t')(8) });
    let statuses: Status[] = [];
    expect(() => (statuses = feed(rx, carrier(ALICE, encodeEnvelopeMessage({ kind: Kind.Group, ext: false, chunk: body }))))).not.toThrow();
    expect(statuses).toEqual([{ result: 'F', mode: 0, source: ALICE, reason: 'INTERNAL' }]);
    expect(rx.counters.rejected.INTERNAL).toBe(1);
    expect(errors).toHaveLength(1);
    expect(feed(rx, genuine()).map((s) => s.result)).toEqual(['V']);
  });

  it('tx: an unexpected error passes the line on unaltered, counted, and the next line is secured', () => {
    const tx = new SecureTx({ mode: 2, emit: 'vdm', ownShip: 'any' }, { params: pkg.params, identity: alice }, seededRandom('tx'));
    const line = encodeVdm(encodeAis(report(ALICE)), { channel: 'A' })[0]!;
    // A fault where no handler expects one: deciding whether the line is own-ship traffic.
    const inner = tx as unknown as { isOwnShip: (...a: unknown[]) => boolean };
    const isOwnShip = inner.isOwnShip;
    inner.isOwnShip = () => {
      throw new Error('internal fault');
    };
    let out: readonly { line: string }[] = [];
    expect(() => (out = tx.push(line, NOW_MS))).not.toThrow();
    expect(out.map((l) => l.line)).toEqual([line]);
    expect(tx.counters).toMatchObject({ failed: 1, byReason: { INTERNAL: 1 } });
    inner.isOwnShip = isOwnShip;
    expect(tx.push(line, NOW_MS + 1000).length).toBeGreaterThan(1);
    expect(tx.counters.secured).toBe(1);
  });
});
