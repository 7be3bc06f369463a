/**
 * The associated data of a mode-4 AEAD (docs/envelope.md §2, kind 4). SK-KEM says nothing about who sent a key, and
 * the BLMQ signature over the body can be stripped and replaced by any other key holder's. Binding the sender, the
 * recipient, the second, the purpose and the KEM ciphertext into the AEAD makes the sealed content open only in the
 * context it was sealed for: re-signed by someone else, sent to someone else, or re-dated, its tag fails.
 */
import { concatBytes } from '@noble/hashes/utils.js';
import { uintBE } from '../crypto/index.js';
import { KEM_CIPHERTEXT_BYTES, type KemPurpose } from './bodies.js';

const TAG = new TextEncoder().encode('mibc-ais/v2/kem-aad');

export interface KemContext {
  /** The signer of the mode-4 message: its source MMSI. */
  readonly sender: number;
  /** Destination MMSI of the message 6. */
  readonly recipient: number;
  /** Full UTC second the sender signed. */
  readonly second: number;
  readonly purpose: KemPurpose;
  /** Pad bits of the sealed content. */
  readonly fill: number;
  readonly kemCiphertext: Uint8Array;
}

export function kemAssociatedData(c: KemContext): Uint8Array {
  if (c.kemCiphertext.length !== KEM_CIPHERTEXT_BYTES) throw new RangeError(`KEM ciphertext must be ${KEM_CIPHERTEXT_BYTES} bytes`);
  return concatBytes(TAG, uintBE(c.sender, 4), uintBE(c.recipient, 4), uintBE(c.second, 6), Uint8Array.of(c.purpose, c.fill), c.kemCiphertext);
}
