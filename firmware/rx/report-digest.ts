/**
 * The report digest of a `$PMIBV` status (docs/display-output.md): names exactly the AIS message a status is about,
 * so that a display can tell the vouched report from a forged copy shown next to it. 64 bits: a second preimage (a
 * different report under the same digest) costs 2^64 hashes, out of reach within a report's freshness window; 32
 * bits would be found by a GPU in about a second.
 *
 *   hex( SHA-256( bit length (16 bits, big-endian) ‖ the message's bits, pad bits zero )[0..8] )
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { AisBits } from '../../nmea/index.js';

export const REPORT_DIGEST_BYTES = 8;

export function reportDigest(bits: AisBits): string {
  const n = (bits.bitLength + 7) >> 3;
  const input = new Uint8Array(2 + n);
  input[0] = (bits.bitLength >> 8) & 0xff;
  input[1] = bits.bitLength & 0xff;
  input.set(bits.bytes.subarray(0, n), 2);
  // Pad bits are not part of the message: armouring may carry anything there.
  const pad = n * 8 - bits.bitLength;
  if (pad > 0) input[input.length - 1] = (input[input.length - 1] as number) & (0xff << pad);
  return bytesToHex(sha256(input).subarray(0, REPORT_DIGEST_BYTES)).toUpperCase();
}
