/**
 * Kind 5 body — the signed chain anchor (docs/amortised-auth.md §3). It commits one key K_c of the sender's chain and
 * the chain's parameters under one identity-based signature; receivers that hold an authenticated K_c can
 * authenticate every later key by hashing down to it.
 *
 * ```
 * byte 0   t6 (6) | ep (1) | compact (1)
 * byte 1   gen (1) | keyCode (2) | tagBytes−1 (2) | window−1 (2) | (intervalS−1) bit 5
 * byte 2   (intervalS−1) bits 4..0 (5) | (disclosureDelayS−1) bits 5..3 (3)
 * byte 3   (disclosureDelayS−1) bits 2..0 (3) | back (5)
 * salt     8 B, the chain's salt (input of the chain function F)
 * key      K_c, keyBytes (8/10/12/16 per keyCode 0..3), c = ⌊s / intervalS⌋ − back
 * sig      BLMQ h ‖ S: 64 B when compact, 80 B otherwise
 * ```
 * Signed message: "mibc-ais/v1/tesla-anchor" ‖ source MMSI (u32) ‖ full UTC second s (u32) ‖ bytes 0..3 (compact
 * bit clear) ‖ salt ‖ K_c. With an 8-byte key and a compact signature the body is 84 B: a 3-slot and a 2-slot message 8.
 * The signer is the source MMSI of the AIS message (ext = 0 in the fragment header).
 */
import { aint, concatBytes, u32be, utf8 } from './_bytes.js';
import { AmortisedError, AmortisedErrorCode } from './errors.js';
import { CHAIN_SALT_BYTES } from './chain.js';
import { KEY_BYTES_CODES, checkParams, type TeslaParams } from './params.js';

const ANCHOR_DST = utf8('mibc-ais/v1/tesla-anchor');
export const ANCHOR_HEADER_BYTES = 4;
export const COMPACT_SIGNATURE_BYTES = 64;
export const FULL_SIGNATURE_BYTES = 80;
/** Largest `back`: a commitment at most 31 intervals old. */
export const MAX_ANCHOR_BACK = 31;

export interface AnchorFields {
  readonly t6: number;
  readonly epochParity: 0 | 1;
  readonly gen: 0 | 1;
  readonly params: TeslaParams;
  /** c = ⌊s / P⌋ − back. */
  readonly back: number;
  readonly salt: Uint8Array;
  readonly key: Uint8Array;
}

export interface Anchor extends AnchorFields {
  readonly signature: Uint8Array;
}

/** The bytes covered by the signature that travel on air (everything but the signature). */
export function encodeAnchorUnsigned(a: AnchorFields): Uint8Array {
  const p = checkParams(a.params);
  aint(a.t6, 't6', 0, 63);
  aint(a.back, 'back', 0, MAX_ANCHOR_BACK);
  if (a.key.length !== p.keyBytes) throw new RangeError(`key: expected ${p.keyBytes} bytes`);
  if (a.salt.length !== CHAIN_SALT_BYTES) throw new RangeError(`salt: expected ${CHAIN_SALT_BYTES} bytes`);
  const keyCode = (KEY_BYTES_CODES as readonly number[]).indexOf(p.keyBytes);
  const iv = p.intervalS - 1;
  const dd = p.disclosureDelayS - 1;
  const head = Uint8Array.of(
    (a.t6 << 2) | (a.epochParity << 1),
    (a.gen << 7) | (keyCode << 5) | ((p.tagBytes - 1) << 3) | ((p.window - 1) << 1) | (iv >> 5),
    ((iv & 0x1f) << 3) | (dd >> 3),
    ((dd & 0x07) << 5) | a.back,
  );
  return concatBytes(head, a.salt, a.key);
}

export function encodeAnchorBody(a: Anchor): Uint8Array {
  const unsigned = encodeAnchorUnsigned(a);
  const compact = a.signature.length === COMPACT_SIGNATURE_BYTES;
  if (!compact && a.signature.length !== FULL_SIGNATURE_BYTES) throw new RangeError('signature: expected 64 or 80 bytes');
  unsigned[0] = (unsigned[0] ?? 0) | (compact ? 1 : 0);
  return concatBytes(unsigned, a.signature);
}

export function decodeAnchorBody(body: Uint8Array): Anchor {
  if (body.length < ANCHOR_HEADER_BYTES) {
    throw new AmortisedError(AmortisedErrorCode.BodyLength, `anchor body: ${body.length} bytes`);
  }
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = body;
  const keyBytes = KEY_BYTES_CODES[(b1 >> 5) & 0x03] ?? 8;
  const iv = ((b1 & 0x01) << 5) | (b2 >> 3);
  const dd = ((b2 & 0x07) << 3) | (b3 >> 5);
  const compact = (b0 & 0x01) === 1;
  const sigBytes = compact ? COMPACT_SIGNATURE_BYTES : FULL_SIGNATURE_BYTES;
  const keyAt = ANCHOR_HEADER_BYTES + CHAIN_SALT_BYTES;
  if (body.length !== keyAt + keyBytes + sigBytes) {
    throw new AmortisedError(AmortisedErrorCode.BodyLength, `anchor body: ${body.length} bytes, expected ${keyAt + keyBytes + sigBytes}`);
  }
  let params: TeslaParams;
  try {
    params = checkParams({
      intervalS: iv + 1,
      disclosureDelayS: dd + 1,
      tagBytes: ((b1 >> 3) & 0x03) + 1,
      keyBytes,
      window: ((b1 >> 1) & 0x03) + 1,
    });
  } catch (cause) {
    throw new AmortisedError(AmortisedErrorCode.BodyField, 'anchor body: inconsistent parameters', { cause });
  }
  return {
    t6: b0 >> 2,
    epochParity: ((b0 >> 1) & 1) as 0 | 1,
    gen: (b1 >> 7) as 0 | 1,
    params,
    back: b3 & 0x1f,
    salt: body.slice(ANCHOR_HEADER_BYTES, keyAt),
    key: body.slice(keyAt, keyAt + keyBytes),
    signature: body.slice(keyAt + keyBytes),
  };
}

/** What the BLMQ signature covers: the full second makes a replay ≥ 64 s later reconstruct to a different message. */
export function anchorSignedMessage(mmsi: number, utcSecond: number, a: AnchorFields): Uint8Array {
  const unsigned = encodeAnchorUnsigned(a);
  return concatBytes(ANCHOR_DST, u32be(mmsi), u32be(utcSecond), unsigned);
}
