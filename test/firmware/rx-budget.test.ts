/**
 * The verification budget in the receive path (docs/verification-budget.md): pairing work over a source's or the
 * receiver's budget is refused with BUDGET_SOURCE / BUDGET_TOTAL before it is spent; genuine senders at their normal
 * rates keep verifying.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackerSignatures, craftRound, type CraftContext } from '../../bench/attack-craft.js';
import type { OwnIdentity } from '../../firmware/keyring.js';
import { DEFAULT_VERIFY_BUDGET } from '../../firmware/rx/verify-budget.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { parseStatus, type Status } from '../../firmware/status.js';
import { encodeAis } from '../../nmea/index.js';
import { NOW_MS, epochAt, seededRandom, testPkg, type TestPkg } from './_pkg.js';
import { meterVerifications } from './_verification-meter.js';

const BOB = 211_000_001;
const ALICE = 244_123_456;
const ATTACKER = 244_666_666;

let pkg: TestPkg;
let bob: OwnIdentity;
let alice: OwnIdentity;
let craft: CraftContext;
let signatures: [Uint8Array, Uint8Array];
/** Signature verifications actually run (pairings spent), counted at the verifier. */
let verifications = 0;
let unmeter: () => void;

beforeAll(() => {
  pkg = testPkg('rx budget');
  const e = epochAt(NOW_MS, pkg.params);
  bob = pkg.identity(BOB, [e]);
  alice = pkg.identity(ALICE, [e]);
  craft = { attacker: pkg.identity(ATTACKER, [e]), victim: BOB, dac: 0, fi: 58, random: seededRandom('craft') };
  signatures = attackerSignatures(craft);
  unmeter = meterVerifications(() => verifications++);
});

afterAll(() => unmeter());

function statuses(lines: readonly string[]): Status[] {
  return lines.filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l) as Status);
}

function feedRounds(rx: SecureRx, attack: Parameters<typeof craftRound>[1], sources: readonly number[], nowMs: number): string[] {
  return sources.flatMap((source, i) => craftRound(craft, attack, source, nowMs, signatures, i % 16).flatMap((m) => m.lines.flatMap((l) => rx.push(l, nowMs))));
}

describe('verification budget in the receive path', () => {
  it('refuses a source\'s pairing work over its burst with BUDGET_SOURCE, without spending the pairings', () => {
    const rx = new SecureRx({}, { params: pkg.params, identity: bob });
    verifications = 0;
    // Five rounds of forged attached signatures in fragment combinations, all from one MMSI at one instant (each
    // signature costs one pairing however many of the sender's reports are held: ten asked for, eight allowed).
    const out = feedRounds(rx, 'attached', [200_000_001, 200_000_001, 200_000_001, 200_000_001, 200_000_001], NOW_MS);
    expect(verifications).toBe(DEFAULT_VERIFY_BUDGET.perSourceBurst);
    expect(rx.counters.rejected.BUDGET_SOURCE).toBeGreaterThan(0);
    expect(statuses(out).some((s) => s.result === 'F' && s.reason === 'BUDGET_SOURCE' && s.source === 200_000_001)).toBe(true);
  });

  it('caps all sources together with BUDGET_TOTAL when the attacker changes MMSI every round', () => {
    const rx = new SecureRx({}, { params: pkg.params, identity: bob });
    verifications = 0;
    // Two consistent forged bodies per round (envelope v2 offers no mixed combinations): 16 rounds ask for 32.
    const sources = Array.from({ length: 16 }, (_, i) => 200_100_000 + i);
    feedRounds(rx, 'inline', sources, NOW_MS);
    expect(verifications).toBe(DEFAULT_VERIFY_BUDGET.totalBurst);
    expect(rx.counters.rejected.BUDGET_TOTAL).toBeGreaterThan(0);
  });

  it('refuses a mode-4 flood addressed to us the same way (the sender check before decapsulation)', () => {
    const rx = new SecureRx({ verifyBudget: { totalBurst: 5, totalRate: 1 } }, { params: pkg.params, identity: bob });
    verifications = 0;
    feedRounds(rx, 'kem', [200_200_001, 200_200_002, 200_200_003], NOW_MS);
    expect(verifications).toBe(5);
    expect((rx.counters.rejected.BUDGET_TOTAL ?? 0) + (rx.counters.rejected.BUDGET_SOURCE ?? 0)).toBeGreaterThan(0);
  });

  it('refuses chain-anchor checks over budget before the amortised receiver runs', () => {
    const rx = new SecureRx({ verifyBudget: { perSourceBurst: 3 } }, { params: pkg.params, identity: bob });
    verifications = 0;
    feedRounds(rx, 'anchor', [200_500_001, 200_500_001], NOW_MS);
    expect(verifications).toBe(3);
    expect(rx.counters.rejected.BUDGET_SOURCE).toBeGreaterThan(0);
  });

  it('keeps verifying a genuine ship at its normal rate while another MMSI floods at the full VDL rate', () => {
    const rx = new SecureRx({}, { params: pkg.params, identity: bob });
    const tx = new SecureTx({ mode: 2, emit: 'vdm', ownShip: 'any' }, { params: pkg.params, identity: alice }, seededRandom('alice'));
    verifications = 0;
    let verified = 0;
    let refused = 0;
    // 60 s: Alice reports every 2 s; the attacker sends a round of forged attached fragments every 0.2 s (75 slots/s).
    for (let ms = 0; ms < 60_000; ms += 200) {
      const now = NOW_MS + ms;
      feedRounds(rx, 'attached', [200_300_000], now);
      if (ms % 2_000 === 0) {
        const bits = encodeAis({ type: 1, repeat: 0, mmsi: ALICE, status: 0, turn: 0, speed: 100, accuracy: true, lon: 1_000, lat: 2_000, course: 0, heading: 0, second: (ms / 1000) % 60, maneuver: 0, spare: 0, raim: false, radio: 0 });
        for (const line of tx.secure(bits, ALICE, 1, now)) {
          for (const s of statuses(rx.push(line, now))) {
            if (s.source !== ALICE) continue;
            if (s.result === 'V') verified++;
            if (s.reason?.startsWith('BUDGET') === true) refused++;
          }
        }
      }
    }
    expect(refused).toBe(0);
    expect(verified).toBe(30);
    // The flood's pairings stay within one source's budget over the minute (Alice's 30 besides).
    const { perSourceBurst, perSourceRate } = DEFAULT_VERIFY_BUDGET;
    expect(verifications).toBeLessThanOrEqual(30 + perSourceBurst + perSourceRate * 60);
  });

  it('can be turned off for measurements (verifyBudget: false)', () => {
    const rx = new SecureRx({ verifyBudget: false }, { params: pkg.params, identity: bob });
    verifications = 0;
    // Twelve rounds from one MMSI at one instant: 2 pairings each, three times the per-source burst.
    feedRounds(rx, 'inline', Array.from({ length: 12 }, () => 200_400_001), NOW_MS);
    expect(verifications).toBe(24);
    expect(rx.counters.rejected.BUDGET_SOURCE ?? 0).toBe(0);
  });
});
