/**
 * Per-report tags: HMAC-SHA256 under K'_m = SHA-256("mibc-ais/v1/tesla-mac" ‖ K_m), truncated to τ bytes
 * (TESLA uses F'(K) rather than K itself so chain values and MAC keys are never the same string).
 *
 * The tag binds what IALA VPFI 2 msg 6 binds for an AIS message it authenticates (MMSI, message id, UTC time) plus the
 * channel and the report's own bits, and the chain generation and interval, so a tag cannot be moved to another
 * report, ship, second, channel or key.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { aint, concatBytes, u32be, utf8 } from './_bytes.js';

const MAC_KEY_DST = utf8('mibc-ais/v1/tesla-mac');
const TAG_DST = utf8('mibc-ais/v1/tesla-tag');

export const AIS_CHANNEL = { A: 0, B: 1 } as const;
export type AisChannel = keyof typeof AIS_CHANNEL;

/** The channel field of a VDM/VDO sentence ('1'/'2' are the numeric forms some transponders use); none if unknown. */
export function aisChannelOf(field: string): AisChannel | undefined {
  if (field === 'A' || field === '1') return 'A';
  if (field === 'B' || field === '2') return 'B';
  return undefined;
}

/** A plain AIS message as sent (sender) or heard (receiver). */
export interface Report {
  /** AIS message id (1–27). */
  readonly msgType: number;
  /** The UTC second of transmission (sender) or as reconstructed by the receiver from its clock. */
  readonly second: number;
  readonly channel: AisChannel;
  /** The message bits, MSB first, zero-padded to whole bytes. */
  readonly bits: Uint8Array;
  readonly bitLength: number;
}

export function checkReport(r: Report): Report {
  aint(r.msgType, 'msgType', 1, 63);
  aint(r.second, 'second', 0, 0xffffffff);
  if (r.channel !== 'A' && r.channel !== 'B') throw new RangeError(`channel: expected A or B, got ${String(r.channel)}`);
  if (!(r.bits instanceof Uint8Array)) throw new TypeError('bits: expected Uint8Array');
  aint(r.bitLength, 'bitLength', 1, Math.min(r.bits.length * 8, 0xffff));
  if (r.bits.length !== Math.ceil(r.bitLength / 8)) throw new RangeError('bits: length does not match bitLength');
  return r;
}

/**
 * The Report for an AIS message's bits as sent or heard: trimmed to whole bytes with the pad bits zeroed, so that
 * sender and receiver tag the same bytes whatever fill bits the 6-bit armour carried (IEC 61162-1 §7.3.3 fill bits
 * are not part of the message).
 */
export function reportFromBits(msgType: number, second: number, channel: AisChannel, bytes: Uint8Array, bitLength: number): Report {
  const n = Math.ceil(bitLength / 8);
  if (!(bytes.length >= n)) throw new RangeError(`bits: ${bytes.length} bytes cannot hold ${bitLength} bits`);
  const bits = bytes.slice(0, n);
  const spare = n * 8 - bitLength;
  if (spare > 0) bits[n - 1] = (bits[n - 1] ?? 0) & ((0xff << spare) & 0xff);
  return checkReport({ msgType, second, channel, bits, bitLength });
}

export function macKeyOf(chainKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(MAC_KEY_DST, chainKey));
}

export function computeTag(
  macKey: Uint8Array,
  ctx: { readonly mmsi: number; readonly gen: 0 | 1; readonly interval: number; readonly tagBytes: number },
  r: Report,
): Uint8Array {
  const lenBytes = Uint8Array.of(r.bitLength >>> 8, r.bitLength & 0xff);
  const msg = concatBytes(
    TAG_DST,
    u32be(ctx.mmsi),
    Uint8Array.of(ctx.gen),
    u32be(ctx.interval),
    Uint8Array.of(r.msgType, AIS_CHANNEL[r.channel]),
    u32be(r.second),
    lenBytes,
    r.bits,
  );
  return hmac(sha256, macKey, msg).subarray(0, ctx.tagBytes);
}
