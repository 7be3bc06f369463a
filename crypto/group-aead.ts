/**
 * Group AEAD for mode 5 (paper §4.3.3; DESIGN.md §3 "Group keys"): AES-128 in EAX mode (_eax.ts) with a
 * 64-bit tag by default and a nonce that is derived, never transmitted whole.
 *
 * Why EAX with a truncated tag. On VHF every byte is slot capacity: a 21-byte position report with a 16-byte
 * GCM tag and a 12-byte explicit nonce grows to 49 bytes; here it is 21 + 8. EAX is specified for any tag
 * length and its forgery bound degrades only to q_v/2^64 + O(σ²/2^128) (Bellare–Rogaway–Wagner 2004, Thm 2).
 * GCM with short tags is discouraged (NIST SP 800-38D §5.2.1.2, App. C): each successful forgery leaks
 * information about the GHASH key (Ferguson 2005), so forgeries get easier; GCM-SIV's tag is its IV and cannot be
 * shortened. Budget: a forger transmitting in every slot of both AIS channels (2 × 2250 slots/min) makes < 2^32
 * attempts per year, so the chance of one accepted forgery in a year is < 2^-32 — and a key lives a few hours.
 * Tags shorter than 8 bytes are refused.
 *
 * Nonce = keyId (4, BE) ‖ sender MMSI (4, BE) ‖ sender instance (1) ‖ UTC seconds (5, BE) ‖ counter (2, BE) =
 * 16 bytes, the EAX nonce N. It never repeats for a (key, sender, instance) as long as that sender's
 * (utcSeconds, counter) strictly increases — `nextGroupSequence` enforces that within one run, and the sender keeps
 * a persisted high-water mark across runs (firmware/nonce-reservation.ts). Different senders differ in the MMSI
 * field; two appliances that share an MMSI differ in the instance byte. With instance 0 the layout is byte-for-byte
 * the earlier keyId ‖ MMSI ‖ UTC (6) ‖ counter one, since UTC seconds stay below 2^40 until the year 36812.
 * What travels: the receiver already knows the sender MMSI (AIS source ID of message 6/8), the group's current
 * and next keyId and UTC from its own GNSS to within seconds. The envelope therefore carries only a key selector
 * (which of the known keys), the low bits of the UTC second (`recoverUtcSeconds` restores the rest, e.g. 6 bits
 * cover ±32 s of clock disagreement) and the counter's low bits; the full values are authenticated through N.
 */
import { CryptoDecodeError } from './errors.js';
import { eaxOpen, eaxSeal } from './_eax.js';
import { abytes, auint, concatBytes, uintBE } from './_utils.js';

export const GROUP_KEY_BYTES = 16;
export const GROUP_NONCE_BYTES = 16;
export const GROUP_TAG_BYTES = 8;
export const MAX_GROUP_COUNTER = 0xffff;
const MAX_UTC = 2 ** 40 - 1;
export const MAX_GROUP_INSTANCE = 0xff;

export interface GroupNonce {
  /** Key identifier assigned by the PKG (uint32). */
  readonly keyId: number;
  /** Sender MMSI (0..999 999 999), as in the AIS source ID. */
  readonly mmsi: number;
  /** Which of the appliances sending under this MMSI (uint8, default 0). */
  readonly instance?: number;
  /** UTC seconds since 1970 (uint40). */
  readonly utcSeconds: number;
  /** Per-second message counter (uint16). */
  readonly counter: number;
}

export interface GroupSealOptions {
  /** Associated data authenticated but not encrypted (e.g. the envelope header). */
  readonly aad?: Uint8Array;
  /** Tag length in bytes, 8..16 (default 8). */
  readonly tagLength?: number;
}

/** The 16-byte EAX nonce for (keyId, sender, instance, UTC second, counter). */
export function groupNonce(n: GroupNonce): Uint8Array {
  if (typeof n !== 'object' || n === null) throw new TypeError('group nonce: expected an object');
  return concatBytes(
    uintBE(auint(n.keyId, 0xffff_ffff, 'keyId'), 4),
    uintBE(auint(n.mmsi, 999_999_999, 'mmsi'), 4),
    uintBE(auint(n.instance ?? 0, MAX_GROUP_INSTANCE, 'instance'), 1),
    uintBE(auint(n.utcSeconds, MAX_UTC, 'utcSeconds'), 5),
    uintBE(auint(n.counter, MAX_GROUP_COUNTER, 'counter'), 2),
  );
}

function opts(o: GroupSealOptions | undefined): { aad: Uint8Array; tagLength: number } {
  const tagLength = o?.tagLength ?? GROUP_TAG_BYTES;
  if (!Number.isInteger(tagLength) || tagLength < 8 || tagLength > 16)
    throw new RangeError(`group AEAD: tag length ${tagLength} outside 8..16 bytes`);
  return { aad: o?.aad === undefined ? new Uint8Array(0) : abytes(o.aad, 'aad'), tagLength };
}

/** Encrypts and authenticates: ciphertext (same length as the plaintext) ‖ tag. */
export function groupSeal(key: Uint8Array, nonce: GroupNonce, plaintext: Uint8Array, o?: GroupSealOptions) {
  abytes(key, 'group key', GROUP_KEY_BYTES);
  abytes(plaintext, 'plaintext');
  const { aad, tagLength } = opts(o);
  return eaxSeal(key, groupNonce(nonce), aad, plaintext, tagLength);
}

/** Checks the tag, then decrypts; AeadAuthError on mismatch, CryptoDecodeError if shorter than the tag. */
export function groupOpen(key: Uint8Array, nonce: GroupNonce, sealed: Uint8Array, o?: GroupSealOptions) {
  abytes(key, 'group key', GROUP_KEY_BYTES);
  abytes(sealed, 'sealed message');
  const { aad, tagLength } = opts(o);
  return eaxOpen(key, groupNonce(nonce), aad, sealed, tagLength);
}

/**
 * The sender's next (utcSeconds, counter): the current second with counter 0 when time has advanced, otherwise
 * the last second with the counter incremented (so a clock stepping backwards never repeats a nonce). Throws
 * RangeError when the counter would exceed `maxCounter` (the envelope's counter field): wait for the next second.
 */
export function nextGroupSequence(
  last: { readonly utcSeconds: number; readonly counter: number } | undefined,
  nowUtcSeconds: number,
  maxCounter: number = MAX_GROUP_COUNTER,
): { utcSeconds: number; counter: number } {
  auint(nowUtcSeconds, MAX_UTC, 'nowUtcSeconds');
  auint(maxCounter, MAX_GROUP_COUNTER, 'maxCounter');
  if (last === undefined || nowUtcSeconds > auint(last.utcSeconds, MAX_UTC, 'last.utcSeconds'))
    return { utcSeconds: nowUtcSeconds, counter: 0 };
  const counter = auint(last.counter, MAX_GROUP_COUNTER, 'last.counter') + 1;
  if (counter > maxCounter) throw new RangeError('group nonce counter exhausted for this second');
  return { utcSeconds: last.utcSeconds, counter };
}

/**
 * Full UTC second from its low `bits` bits as sent on air: the value ≡ low (mod 2^bits) nearest to the
 * receiver's own clock. Correct while the two clocks differ by less than 2^(bits−1) seconds.
 */
export function recoverUtcSeconds(localUtcSeconds: number, low: number, bits: number): number {
  auint(bits, 32, 'bits');
  if (bits < 1) throw new RangeError('bits must be ≥ 1');
  const m = 2 ** bits;
  auint(low, m - 1, 'low');
  auint(localUtcSeconds, MAX_UTC, 'localUtcSeconds');
  const base = localUtcSeconds - (localUtcSeconds % m) + low;
  const candidates = [base - m, base, base + m].filter((c) => c >= 0 && c <= MAX_UTC);
  return candidates.reduce((best, c) =>
    Math.abs(c - localUtcSeconds) < Math.abs(best - localUtcSeconds) ? c : best,
  );
}

export const WRAPPED_GROUP_KEY_BYTES = GROUP_KEY_BYTES + GROUP_TAG_BYTES;
const WRAP_NONCE = new TextEncoder().encode('MIBC-AIS/GROUP-KEY-WRAP/1');

/**
 * Wraps a group key under a fresh SK-KEM key (mode 4 hand-out): EAX with a constant nonce — safe because each
 * KEM key encrypts exactly one message — and the keyId as associated data. 16 + 8 = 24 bytes.
 */
export function wrapGroupKey(kemKey: Uint8Array, groupKey: Uint8Array, keyId: number): Uint8Array {
  abytes(kemKey, 'KEM key', 16);
  abytes(groupKey, 'group key', GROUP_KEY_BYTES);
  return eaxSeal(kemKey, WRAP_NONCE, uintBE(auint(keyId, 0xffff_ffff, 'keyId'), 4), groupKey, GROUP_TAG_BYTES);
}

/** Inverse of wrapGroupKey; AeadAuthError for a wrong KEM key, keyId or any tampering. */
export function unwrapGroupKey(kemKey: Uint8Array, wrapped: Uint8Array, keyId: number): Uint8Array {
  abytes(kemKey, 'KEM key', 16);
  abytes(wrapped, 'wrapped group key');
  if (wrapped.length !== WRAPPED_GROUP_KEY_BYTES)
    throw new CryptoDecodeError('CRYPTO_BAD_LENGTH', `wrapped group key: expected ${WRAPPED_GROUP_KEY_BYTES} bytes`);
  return eaxOpen(kemKey, WRAP_NONCE, uintBE(auint(keyId, 0xffff_ffff, 'keyId'), 4), wrapped, GROUP_TAG_BYTES);
}
