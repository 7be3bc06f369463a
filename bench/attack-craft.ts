/**
 * Crafted radio input that makes a receiver spend pairings (docs/verification-budget.md §Worst inputs): per envelope
 * kind, one "round" an outsider can send from any MMSI. Every forged body carries a well-formed signature (a valid
 * h ‖ S of the attacker's own key), so it fails only after the full verification; each body comes in two versions
 * of four fragments, each version consistent with its own fragment 0's commitment, so reassembly offers both
 * (docs/envelope.md §3: combinations that mix them match no commitment and are never offered).
 */
import { encodeAis, encodeVdm, type AisMessage } from '../nmea/index.js';
import { encodeKem, encodeSignedAttached, encodeSignedInline, KemPurpose, TIME_BITS } from '../firmware/bodies.js';
import { slotsFor } from '../firmware/capacity.js';
import { bodyCommitment, encodeEnvelopeMessage, Kind, type EnvelopeMessage } from '../firmware/envelope.js';
import { encodeAnchorBody, TESLA_PRESETS } from '../firmware/amortised/index.js';
import type { OwnIdentity } from '../firmware/keyring.js';

export const ATTACKS = ['attached', 'inline', 'kem', 'anchor'] as const;
export type Attack = (typeof ATTACKS)[number];

/** One AIS message as the receiver hears it. */
export interface AirMessage {
  readonly lines: readonly string[];
  readonly slots: number;
}

export interface CraftContext {
  /** The attacker's own identity: only its signatures' form matters, never their validity. */
  readonly attacker: OwnIdentity;
  /** The receiver's MMSI (mode 4 messages are addressed to it). */
  readonly victim: number;
  readonly dac: number;
  readonly fi: number;
  readonly random: (n: number) => Uint8Array;
}

const S_BYTES = 48;
let seqId = 0;

function positionReport(mmsi: number, variant: number): AisMessage {
  return {
    type: 1, repeat: 0, mmsi, status: variant % 8, turn: -128 + variant, speed: 100 + variant * 7, accuracy: true,
    lon: 2_400_000 + variant * 977, lat: 31_800_000 - variant * 313, course: 2240, heading: 215, second: 12, maneuver: 0,
    spare: 0, raim: false, radio: 34017,
  };
}

function air(m: AisMessage, slots: number): AirMessage {
  return { lines: encodeVdm(encodeAis(m), { channel: 'A', seqId: seqId++ % 10 }), slots };
}

function binary(ctx: CraftContext, source: number, data: Uint8Array, addressed: boolean): AirMessage {
  const type = addressed ? 6 : 8;
  const slots = slotsFor(type, data.length);
  if (slots === undefined) throw new RangeError(`${data.length} bytes do not fit one message ${type}`);
  const m = addressed
    ? { type, repeat: 0, mmsi: source, seqno: 0, dest_mmsi: ctx.victim, retransmit: false, spare: 0, dac: ctx.dac, fid: ctx.fi, data, dataBits: data.length * 8 }
    : { type, repeat: 0, mmsi: source, spare: 0, dac: ctx.dac, fid: ctx.fi, data, dataBits: data.length * 8 };
  return air(m as AisMessage, slots);
}

/**
 * Two versions of a body as four fragments each, first versions then second: 2 candidate bodies (envelope v1 offered
 * all 16 combinations). The last fragment is exactly the signature's S point, so each holds a valid point and fails
 * only at the pairing.
 */
function variantFragments(ctx: CraftContext, source: number, kind: Kind, bodies: readonly [Uint8Array, Uint8Array], addressed: boolean, group: number): AirMessage[] {
  const [a, b] = bodies;
  if (a.length !== b.length) throw new RangeError('body versions must have one length');
  const head = a.length - S_BYTES;
  const cut = [0, Math.ceil(head / 3), Math.ceil((2 * head) / 3), head, a.length];
  const frag = (body: Uint8Array, index: number): AirMessage => {
    const fragment = index === 0 ? { group, index, count: 4, commitment: bodyCommitment(kind, false, group, 4, body) } : { group, index, count: 4 };
    const m: EnvelopeMessage = { kind, ext: false, fragment, chunk: body.subarray(cut[index], cut[index + 1]) };
    return binary(ctx, source, encodeEnvelopeMessage(m), addressed);
  };
  return [0, 1, 2, 3].map((i) => frag(a, i)).concat([0, 1, 2, 3].map((i) => frag(b, i)));
}

function signature(ctx: CraftContext, label: number): Uint8Array {
  const epoch = ctx.attacker.epochs[0];
  if (epoch === undefined) throw new RangeError('the attacker identity holds no key');
  return ctx.attacker.signer(epoch).sign(Uint8Array.of(label & 0xff, label >> 8), { form: 'compact' });
}

/** The current second as each kind carries it (docs/envelope.md §2). */
function timeOf(nowMs: number, kind: Kind): number {
  return Math.floor(nowMs / 1000) % 2 ** TIME_BITS[kind];
}

/**
 * One round of `attack` from `source` at `nowMs`. `signatures` are reused across rounds (signing is the attacker's
 * cost, not the receiver's), so pass the same pair each time.
 */
export function craftRound(ctx: CraftContext, attack: Attack, source: number, nowMs: number, signatures: readonly [Uint8Array, Uint8Array], group: number): AirMessage[] {
  const [s1, s2] = signatures;
  switch (attack) {
    case 'attached': {
      // Four plain reports for every signature to be tried against (the receiver keeps four per sender).
      const reports = [0, 1, 2, 3].map((v) => air(positionReport(source, v), 1));
      const bodies = [s1, s2].map((s) => encodeSignedAttached({ time: timeOf(nowMs, Kind.SignedAttached), compact: true, signature: s })) as [Uint8Array, Uint8Array];
      return [...reports, ...variantFragments(ctx, source, Kind.SignedAttached, bodies, false, group)];
    }
    case 'inline': {
      const bodies = [s1, s2].map((s, v) => encodeSignedInline({ time: timeOf(nowMs, Kind.SignedInline), compact: true, report: { bytes: encodeAis(positionReport(source, v + 1)).bytes, fill: 0 }, signature: s })) as [Uint8Array, Uint8Array];
      return variantFragments(ctx, source, Kind.SignedInline, bodies, false, group);
    }
    case 'kem': {
      const body = (s: Uint8Array) => encodeKem({ time: timeOf(nowMs, Kind.Kem), compact: true, purpose: KemPurpose.Text, fill: 0, kemCiphertext: ctx.random(64), sealed: ctx.random(29), signature: s });
      return variantFragments(ctx, source, Kind.Kem, [body(s1), body(s2)], true, group);
    }
    case 'anchor': {
      const body = (s: Uint8Array) => encodeAnchorBody({ t6: timeOf(nowMs, Kind.ChainAnchor), epochParity: 0, gen: 0, params: TESLA_PRESETS.latency, back: 0, salt: ctx.random(8), key: ctx.random(TESLA_PRESETS.latency.keyBytes), signature: s });
      return variantFragments(ctx, source, Kind.ChainAnchor, [body(s1), body(s2)], false, group);
    }
  }
}

/** A pair of well-formed signatures of the attacker's key. */
export function attackerSignatures(ctx: CraftContext): [Uint8Array, Uint8Array] {
  return [signature(ctx, 1), signature(ctx, 2)];
}
