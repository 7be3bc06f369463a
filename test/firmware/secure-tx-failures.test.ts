/**
 * The transmit side under failure: modes 4 and 5 never let content out in clear, modes 2 and 3 fall back only as
 * configured and always with a reason; mode 5 never reuses a nonce across restarts or between appliances sharing an
 * MMSI; mode 3 is refused where it cannot hide the ship; echoes of our own messages are never secured again.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AppliancePipeline } from '../../firmware/appliance-pipeline.js';
import { decodeGroup } from '../../firmware/bodies.js';
import { decodeEnvelopeMessage } from '../../firmware/envelope.js';
import type { OwnIdentity } from '../../firmware/keyring.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { SecureTx, type TxFailure, type TxKeys, type TxOptions } from '../../firmware/secure-tx.js';
import { parseStatus } from '../../firmware/status.js';
import { MemoryNonceStore } from '../../hal/nonce-store-sim.js';
import { AisLineDecoder, encodeAis, encodeVdm, type AisMessage } from '../../nmea/index.js';
import { epochAt, groupRing, NOW_MS, seededRandom, testPkg, type TestPkg } from './_pkg.js';

const OWN = 244_123_456;
const PSEUDO = 970_123_456;
const T = NOW_MS / 1000;
const position = { type: 1, repeat: 0, mmsi: OWN, status: 0, turn: -128, speed: 100, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 };
const voyage = {
  type: 5, repeat: 0, mmsi: OWN, ais_version: 0, imo: 9_074_729, callsign: 'PD1234', shipname: 'NORTHERN STAR', shiptype: 70,
  to_bow: 100, to_stern: 20, to_port: 10, to_starboard: 10, epfd: 1, month: 11, day: 24, hour: 12, minute: 30, draught: 80,
  destination: 'ROTTERDAM', dte: 0, spare: 0,
};

let pkg: TestPkg;
let id: OwnIdentity;
let pseudo: OwnIdentity;
beforeAll(() => {
  pkg = testPkg('tx failures');
  const e = epochAt(NOW_MS, pkg.params);
  id = pkg.identity(OWN, [e]);
  pseudo = pkg.identity(PSEUDO, [e], 'pseudo-mmsi');
});

const vdo = (m: object, seqId = 1) => encodeVdm(encodeAis(m as AisMessage), { formatter: 'VDO', channel: 'A', seqId });

function make(options: Partial<TxOptions>, keys: Partial<TxKeys> = {}) {
  const tx = new SecureTx({ emit: 'vdm', ...options }, { params: pkg.params, ...keys }, seededRandom('tx'));
  const failures: TxFailure[] = [];
  tx.onFailure = (f) => failures.push(f);
  const send = (m: object, nowMs = NOW_MS) => vdo(m).flatMap((l) => tx.push(l, nowMs)).map((l) => l.line);
  return { tx, failures, send };
}

/** Every AIS message on the lines, decoded. */
function decoded(lines: readonly string[]): AisMessage[] {
  const d = new AisLineDecoder({ mergeType24: false });
  return lines.flatMap((l) => d.push(l, 0).messages.map((x) => x.message));
}

/** Nothing on the lines that a receiver could read as the report itself. */
function noClearReport(lines: readonly string[]): void {
  for (const m of decoded(lines)) expect(m.type).toBe(8);
}

/** Text fields read "not available" ('@' padding, M.1371-5 Table 47). */
const NA7 = '@'.repeat(7);
const NA20 = '@'.repeat(20);

const group = (notAfter = T + 3600) => groupRing(3, 'fleet', T - 60, notAfter);

describe('modes 4 and 5 fail closed', () => {
  it('mode 5 with an expired group key drops the report, counts and tells NO_SENDING_KEY', () => {
    const { tx, failures, send } = make({ mode: 5, timeTrusted: true }, { groupKeys: group(T - 1), nonceState: new MemoryNonceStore() });
    expect(send(position)).toEqual([]);
    expect(failures).toEqual([expect.objectContaining({ code: 'NO_SENDING_KEY', action: 'dropped', mode: 5, mmsi: OWN, type: 1 })]);
    expect(tx.counters).toMatchObject({ failed: 1, dropped: 1, sentPlain: 0, secured: 0, byReason: { NO_SENDING_KEY: 1 } });
  });

  it('mode 5 waits for trusted time, then sends', () => {
    const { tx, failures, send } = make({ mode: 5 }, { groupKeys: group(), nonceState: new MemoryNonceStore() });
    expect(send(position)).toEqual([]);
    expect(failures.map((f) => f.code)).toEqual(['TIME_UNTRUSTED']);
    tx.setTimeTrusted(true);
    const out = send(position);
    expect(out.length).toBeGreaterThan(0);
    noClearReport(out);
  });

  it('mode 5 without nonce state, or when the state cannot be written, drops the report', () => {
    const none = make({ mode: 5, timeTrusted: true }, { groupKeys: group() });
    expect(none.send(position)).toEqual([]);
    expect(none.failures.map((f) => f.code)).toEqual(['NO_NONCE_STATE']);
    const store = new MemoryNonceStore();
    store.failNextWrite();
    const failing = make({ mode: 5, timeTrusted: true }, { groupKeys: group(), nonceState: store });
    expect(failing.send(position)).toEqual([]);
    expect(failing.failures.map((f) => [f.code, f.action])).toEqual([['NONCE_STATE_FAILED', 'dropped']]);
  });

  it('mode 5 after the clock steps back past the nonce lead drops reports instead of sending them plain', () => {
    const { failures, send } = make({ mode: 5, timeTrusted: true }, { groupKeys: group(), nonceState: new MemoryNonceStore() });
    noClearReport(send(position, NOW_MS + 120_000));
    const out = Array.from({ length: 50 }, () => send(position, NOW_MS)).flat();
    expect(out).toEqual([]);
    expect(new Set(failures.map((f) => `${f.code}/${f.action}`))).toEqual(new Set(['NONCE_EXHAUSTED/dropped']));
  });

  it('mode 5 drops, even with plain fallback configured', () => {
    const { failures, send } = make({ mode: 5, timeTrusted: true, plainFallback: 'on-failure' }, { nonceState: new MemoryNonceStore() });
    expect(send(position)).toEqual([]);
    expect(failures.map((f) => [f.code, f.action])).toEqual([['NO_KEY', 'dropped']]);
  });

  it('mode 4 without a destination or without the identity key drops the report', () => {
    const noTo = make({ mode: 4 }, { identity: id });
    expect(noTo.send(position)).toEqual([]);
    expect(noTo.failures.map((f) => [f.code, f.action])).toEqual([['NO_DESTINATION', 'dropped']]);
    const noKey = make({ mode: 4, to: 211_000_001 });
    expect(noKey.send(position)).toEqual([]);
    expect(noKey.failures.map((f) => [f.code, f.action])).toEqual([['NO_KEY', 'dropped']]);
  });

  it('the daemon\'s latency bypass never sends mode 4/5 content: the pipeline returns nothing for the radio', () => {
    const p = new AppliancePipeline(
      { tx: { mode: 5, emit: 'bbm', ownShip: 'vdo', timeTrusted: true }, rx: {} },
      { params: pkg.params, groupKeys: group(), nonceState: new MemoryNonceStore() },
    );
    const failures: TxFailure[] = [];
    p.tx.onFailure = (f) => failures.push(f);
    expect(p.plainAllowed()).toBe(false);
    expect(vdo(position).flatMap((l) => p.bypass(l))).toEqual([]);
    expect(failures.map((f) => [f.code, f.action])).toEqual([['LATENCY_BUDGET', 'dropped']]);
    expect(p.counters()['tx.failed.LATENCY_BUDGET']).toBe(1);
    // Other ship-side traffic (ECDIS to transponder) still passes.
    expect(p.bypass('$ECAIQ,VDO*3A').map((o) => o.line)).toEqual(['$ECAIQ,VDO*3A']);
    p.tx.setMode(2); // the sending half alone: AppliancePipeline refuses mode 2 without an identity key (MODE_UNAVAILABLE)
    expect(p.plainAllowed()).toBe(true);
    expect(vdo(position).flatMap((l) => p.bypass(l)).map((o) => o.line)).toEqual(vdo(position));
  });

  it('a two-sentence report split between the secured path and the bypass completes under the policy', () => {
    const lines = vdo(voyage);
    expect(lines).toHaveLength(2);
    const m5 = make({ mode: 5, timeTrusted: true }, { groupKeys: group(), nonceState: new MemoryNonceStore() });
    expect([...m5.tx.push(lines[0]!, NOW_MS), ...m5.tx.bypass(lines[1]!, NOW_MS)]).toEqual([]);
    expect(m5.failures.map((f) => [f.code, f.action, f.type])).toEqual([['LATENCY_BUDGET', 'dropped', 5]]);
    const m2 = make({ mode: 2, emit: 'bbm' }, { identity: id });
    expect([...m2.tx.push(lines[0]!, NOW_MS), ...m2.tx.bypass(lines[1]!, NOW_MS)].map((l) => l.line)).toEqual(lines);
  });
});

describe('modes 2 and 3 fall back only as configured, and loudly', () => {
  it('mode 2 with an expired key sends plain with KEY_EXPIRED (on-failure) or drops it (never)', () => {
    const later = NOW_MS + pkg.params.epochSeconds * 1000 * 2;
    const open = make({ mode: 2, plainFallback: 'on-failure' }, { identity: id });
    expect(decoded(open.send(position, later))).toEqual([expect.objectContaining({ type: 1, mmsi: OWN })]);
    expect(open.failures.map((f) => [f.code, f.action])).toEqual([['KEY_EXPIRED', 'sent-plain']]);
    expect(open.tx.counters).toMatchObject({ failed: 1, sentPlain: 1 });
    const closed = make({ mode: 2, plainFallback: 'never' }, { identity: id });
    expect(closed.send(position, later)).toEqual([]);
    expect(closed.failures.map((f) => [f.code, f.action])).toEqual([['KEY_EXPIRED', 'dropped']]);
  });

  it('mode 2 refuses to sign a report of another MMSI with its key (WRONG_IDENTITY)', () => {
    const { failures, send } = make({ mode: 2, ownShip: 'any' }, { identity: id });
    const out = send({ ...position, mmsi: 211_000_001 });
    expect(decoded(out)).toEqual([expect.objectContaining({ type: 1, mmsi: 211_000_001 })]);
    expect(failures.map((f) => f.code)).toEqual(['WRONG_IDENTITY']);
  });

  it('mode 3 falls back under the pseudonym, scrubbed — never the real MMSI or name', () => {
    const { failures, send } = make({ mode: 3 }, { pseudo });
    const later = NOW_MS + pkg.params.epochSeconds * 1000 * 2;
    const out = decoded([...send(position, later), ...send(voyage, later)]);
    expect(out.map((m) => m.mmsi)).toEqual([PSEUDO, PSEUDO]);
    expect(out[1]).toMatchObject({ imo: 0, shipname: NA20, callsign: NA7, destination: NA20, to_bow: 100, shiptype: 70 });
    expect(failures.map((f) => [f.code, f.action])).toEqual([['KEY_EXPIRED', 'sent-pseudonymous'], ['KEY_EXPIRED', 'sent-pseudonymous']]);
  });
});

describe('mode 3 only where it hides the ship', () => {
  it('is refused with a transponder (BBM) or in the attached topology beside one, at construction and on a mode switch', () => {
    const keys = { params: pkg.params, pseudo };
    expect(() => new SecureTx({ mode: 3, emit: 'bbm' }, keys)).toThrow(expect.objectContaining({ name: 'TxError', code: 'MODE_UNAVAILABLE', message: expect.stringMatching(/real MMSI/) }));
    expect(() => new SecureTx({ mode: 3, emit: 'bbm', topology: 'attached' }, keys)).toThrow(expect.objectContaining({ code: 'MODE_UNAVAILABLE', message: expect.stringMatching(/plain reports/) }));
    const tx = new SecureTx({ mode: 2, emit: 'bbm' }, keys);
    expect(() => tx.setMode(3)).toThrow(expect.objectContaining({ code: 'MODE_UNAVAILABLE' }));
    expect(tx.mode).toBe(2);
  });

  it('signs static and voyage data under the pseudonym without name, call sign, IMO number, destination or ETA', () => {
    const { send } = make({ mode: 3 }, { pseudo });
    const rx = new SecureRx({}, { params: pkg.params });
    const shown = send(voyage).flatMap((l) => rx.push(l, NOW_MS));
    const status = shown.filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l));
    expect(status).toEqual([expect.objectContaining({ result: 'V', source: PSEUDO })]);
    const [m] = decoded(shown.filter((l) => l.startsWith('!')));
    expect(m).toMatchObject({ mmsi: PSEUDO, imo: 0, shipname: NA20, callsign: NA7, destination: NA20, month: 0, day: 0, hour: 24, minute: 60, to_bow: 100, draught: 80 });
  });
});

describe('attached mode 3 on a radio the appliance drives', () => {
  it('sends the scrubbed report under the pseudo-MMSI and a signature that verifies for exactly that report', () => {
    const { send } = make({ mode: 3, topology: 'attached' }, { pseudo });
    const lines = send(voyage);
    const onAir = decoded(lines);
    // Nothing on air names the ship: the plain report and the signature message both come from the pseudonym.
    expect(onAir.map((m) => m.mmsi)).toEqual(onAir.map(() => PSEUDO));
    expect(onAir[0]).toMatchObject({ type: 5, imo: 0, shipname: NA20, callsign: NA7 });
    const rx = new SecureRx({}, { params: pkg.params });
    const shown = lines.flatMap((l) => rx.push(l, NOW_MS));
    const status = shown.filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l));
    expect(status.map((s) => s?.result)).toEqual(['U', 'V']);
    expect(status[1]).toMatchObject({ mode: 3, source: PSEUDO });
    expect(rx.counters.rejected).toEqual({});
  });
});

describe('mode-5 nonces', () => {
  /** The ciphertext of one report: equal plaintexts under equal nonces would give equal ciphertexts. */
  const ciphertexts = (lines: readonly string[]) =>
    decoded(lines).map((m) => {
      const body = decodeGroup(decodeEnvelopeMessage(m['data'] as Uint8Array).chunk);
      return Buffer.from(body.ciphertext).toString('hex');
    });

  it('a restart with the clock at a second already used neither reuses the keystream nor sends plain', () => {
    const store = new MemoryNonceStore();
    const first = make({ mode: 5, timeTrusted: true }, { groupKeys: group(), nonceState: store });
    const before = ciphertexts(first.send(position));
    const restarted = make({ mode: 5, timeTrusted: true }, { groupKeys: group(), nonceState: store });
    expect(restarted.send(position)).toEqual([]);
    expect(restarted.failures.map((f) => f.code)).toEqual(['NONCE_EXHAUSTED']);
    // Once the clock is within the lead of the reserved mark, it sends again — under a fresh nonce.
    const after = ciphertexts(restarted.send(position, NOW_MS + 13_000));
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
  });

  it('two appliances sharing an MMSI send the same report at the same second under different nonces, and both decrypt', () => {
    const a = make({ mode: 5, timeTrusted: true, nonce: { instance: 1 } }, { groupKeys: group(), nonceState: new MemoryNonceStore() });
    const b = make({ mode: 5, timeTrusted: true, nonce: { instance: 2 } }, { groupKeys: group(), nonceState: new MemoryNonceStore() });
    const la = a.send(position);
    const lb = b.send(position);
    expect(ciphertexts(la)).not.toEqual(ciphertexts(lb));
    const rx = new SecureRx({}, { params: pkg.params, groupKeys: group() });
    const statuses = [...la, ...lb].flatMap((l) => rx.push(l, NOW_MS)).filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l));
    expect(statuses.map((s) => s?.result)).toEqual(['D', 'D']);
  });
});

describe('echoes', () => {
  it('our own secured message echoed back by the transponder as VDO passes unaltered and is not secured again', () => {
    const { tx, send } = make({ mode: 2, ownShip: 'vdo' }, { identity: id });
    const secured = send(position);
    const messages = decoded(secured);
    expect(messages.every((m) => m.type === 8)).toBe(true);
    const echoes = messages.flatMap((m, i) => encodeVdm(encodeAis(m), { formatter: 'VDO', channel: 'A', seqId: i % 10 }));
    const again = echoes.flatMap((l) => tx.push(l, NOW_MS)).map((l) => l.line);
    expect(again).toEqual(echoes);
    expect(tx.counters).toMatchObject({ secured: 1, echoes: messages.length, failed: 0 });
  });
});
