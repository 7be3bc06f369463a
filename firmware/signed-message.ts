/**
 * The byte strings that BLMQ signs (docs/envelope.md §2). Each starts with a domain tag naming the envelope kind, so
 * a signature made for one purpose never verifies for another, and binds the on-air source MMSI, the signer
 * identity, the full UTC second and the content; the receiver rebuilds it from what it heard.
 */
import { concatBytes } from '@noble/hashes/utils.js';
import { uintBE } from '../crypto/index.js';
import type { Kind } from './envelope.js';

const TAGS: Readonly<Partial<Record<Kind, Uint8Array>>> = {
  1: new TextEncoder().encode('mibc-ais/v2/signed'),
  2: new TextEncoder().encode('mibc-ais/v2/attached'),
  4: new TextEncoder().encode('mibc-ais/v2/kem'),
};

export interface SignedContext {
  readonly kind: 1 | 2 | 4;
  /** Source MMSI of the carrying message 6/8 (for kind 2: of the plain report). */
  readonly source: number;
  /** Identity that signs (MMSI or pseudo-MMSI); 0 stands for "the source itself" nowhere — always explicit. */
  readonly signer: number;
  /** Destination MMSI of mode 4; 0 otherwise. */
  readonly destination: number;
  readonly second: number;
  readonly content: Uint8Array;
  /** Bits of `content` that count, for AIS messages whose length is not a whole number of bytes. */
  readonly contentBits: number;
}

export function signedMessage(c: SignedContext): Uint8Array {
  const tag = TAGS[c.kind] as Uint8Array;
  const n = (c.contentBits + 7) >> 3;
  if (c.content.length < n) throw new RangeError(`content holds ${c.content.length * 8} bits, fewer than ${c.contentBits}`);
  const content = c.content.slice(0, n);
  // Pad bits are not part of the message: armouring may carry anything there, so both sides sign them as zero.
  const pad = n * 8 - c.contentBits;
  if (pad > 0) content[n - 1] = (content[n - 1] as number) & (0xff << pad);
  return concatBytes(tag, uintBE(c.source, 4), uintBE(c.signer, 4), uintBE(c.destination, 4), uintBE(c.second, 6), uintBE(c.contentBits, 2), content);
}
