/**
 * Wrapping permit keys to one appliance (DESIGN.md §3: "keys wrapped to the appliance (AEAD)"; reference
 * §1.11 replaces S-63's Blowfish under HW_ID6 by an AEAD under an ECDH-derived key, HPKE-style, RFC 9180).
 *
 * Why X25519 rather than a device symmetric key: the authority then holds only public device keys, so a leak
 * of its device register exposes no appliance (S-63's shared M_KEY list is the failure mode we avoid), and
 * every permit file carries a fresh ephemeral key, so every file has its own key-encryption key.
 *   KEK   = HKDF-SHA256(ikm = X25519(e, D), salt = E ‖ D, info = "mibc-ais key permit v1" ‖ deviceId)
 *   nonce = u32 record index ‖ u8 slot (0 current, 1 next) ‖ 7 zero bytes — unique per KEK by construction
 *   AAD   = the record's clear fields ‖ slot, so a wrapped key cannot be moved to another record or slot.
 * AES-256-GCM from @noble/ciphers.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

const INFO = new TextEncoder().encode('mibc-ais key permit v1');
const DEVICE_ID_TAG = new TextEncoder().encode('mibc-ais device id v1');

export const DEVICE_ID_BYTES = 16;
export const WRAP_OVERHEAD = 16;

/** The 16-byte device id that a permit names: SHA-256(tag ‖ X25519 public key), truncated. */
export function deviceIdOf(devicePublicKey: Uint8Array): Uint8Array {
  if (devicePublicKey.length !== 32) throw new RangeError('devicePublicKey must be 32 bytes');
  const tagged = new Uint8Array(DEVICE_ID_TAG.length + 32);
  tagged.set(DEVICE_ID_TAG);
  tagged.set(devicePublicKey, DEVICE_ID_TAG.length);
  return sha256(tagged).slice(0, DEVICE_ID_BYTES);
}

/** KEK from the X25519 shared secret; both sides call it (issuer: X25519(e, D), appliance: X25519(d, E)). */
export function deriveKek(shared: Uint8Array, ephemeralPublicKey: Uint8Array, devicePublicKey: Uint8Array): Uint8Array {
  const salt = new Uint8Array(64);
  salt.set(ephemeralPublicKey);
  salt.set(devicePublicKey, 32);
  const info = new Uint8Array(INFO.length + DEVICE_ID_BYTES);
  info.set(INFO);
  info.set(deviceIdOf(devicePublicKey), INFO.length);
  return hkdf(sha256, shared, salt, info, 32);
}

/** Appliance side: the shared secret with the file's ephemeral key; undefined for a low-order point. */
export function applianceShared(deviceSecretKey: Uint8Array, ephemeralPublicKey: Uint8Array): Uint8Array | undefined {
  try {
    return x25519.getSharedSecret(deviceSecretKey, ephemeralPublicKey);
  } catch {
    return undefined;
  }
}

function nonce(recordIndex: number, slot: 0 | 1): Uint8Array {
  const n = new Uint8Array(12);
  new DataView(n.buffer).setUint32(0, recordIndex);
  n[4] = slot;
  return n;
}

function withSlot(aad: Uint8Array, slot: 0 | 1): Uint8Array {
  const out = new Uint8Array(aad.length + 1);
  out.set(aad);
  out[aad.length] = slot;
  return out;
}

export function wrapKey(kek: Uint8Array, recordIndex: number, slot: 0 | 1, aad: Uint8Array, key: Uint8Array): Uint8Array {
  return gcm(kek, nonce(recordIndex, slot), withSlot(aad, slot)).encrypt(key);
}

/** The key, or undefined when the tag does not verify (wrong device, moved or altered record). */
export function unwrapKey(
  kek: Uint8Array,
  recordIndex: number,
  slot: 0 | 1,
  aad: Uint8Array,
  wrapped: Uint8Array,
): Uint8Array | undefined {
  try {
    return gcm(kek, nonce(recordIndex, slot), withSlot(aad, slot)).decrypt(wrapped);
  } catch {
    return undefined;
  }
}

/** The appliance's device key from its 32-byte X25519 secret (generated once on the device, kept in its key store). */
export function deviceKeyFromSecret(secretKey: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array; id: Uint8Array } {
  if (secretKey.length !== 32) throw new RangeError('device secretKey must be 32 bytes');
  const publicKey = x25519.getPublicKey(secretKey);
  return { secretKey, publicKey, id: deviceIdOf(publicKey) };
}
