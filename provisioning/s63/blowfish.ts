/**
 * Blowfish in ECB mode with RFC 1423 padding (S-63 §5.3: "DES in CBC mode" padding, n bytes of value n, at
 * least one), on top of the maintained `egoroof-blowfish` package. Node 20's OpenSSL 3 only offers bf-ecb with
 * the legacy provider, so the package is the portable choice.
 *
 * The package's own padding removal is lax (it strips whatever the last byte says, without checking), and
 * S-63 decides "wrong key / corrupted permit" on the padding (§10.6.1, §11.7.2), so we pad and unpad ourselves.
 * To get the raw ECB decryption out of the package we append the encryption of one all-padding block: in ECB
 * every block decrypts on its own, so the package then strips exactly that block and leaves ours untouched.
 */
import { Blowfish } from 'egoroof-blowfish';

function cipher(key: Uint8Array): Blowfish {
  if (key.length < 4 || key.length > 56) throw new RangeError(`Blowfish key must be 4..56 bytes, got ${key.length}`);
  return new Blowfish(key, Blowfish.MODE.ECB, Blowfish.PADDING.PKCS5);
}

/** RFC 1423 padding to the 8-byte block. */
export function pad(data: Uint8Array): Uint8Array {
  const n = 8 - (data.length % 8);
  const out = new Uint8Array(data.length + n);
  out.set(data);
  out.fill(n, data.length);
  return out;
}

/** Removes RFC 1423 padding; undefined when the padding is not well formed. */
export function unpad(data: Uint8Array): Uint8Array | undefined {
  const n = data[data.length - 1];
  if (n === undefined || n < 1 || n > 8 || n > data.length) return undefined;
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) return undefined;
  return data.subarray(0, data.length - n);
}

/** Blowfish-ECB of `pad(plain)`. */
export function encryptEcb(key: Uint8Array, plain: Uint8Array): Uint8Array {
  const padded = pad(plain);
  // The package appends its own full PKCS#5 block to an 8-aligned input; drop it.
  return cipher(key).encode(padded).subarray(0, padded.length);
}

/** Raw Blowfish-ECB decryption (no unpadding) of a multiple of 8 bytes. */
export function decryptEcbRaw(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length === 0 || data.length % 8 !== 0) throw new RangeError('ciphertext must be a non-empty multiple of 8 bytes');
  const bf = cipher(key);
  const padBlock = bf.encode(new Uint8Array(0));
  const joined = new Uint8Array(data.length + padBlock.length);
  joined.set(data);
  joined.set(padBlock, data.length);
  return bf.decode(joined, Blowfish.TYPE.UINT8_ARRAY);
}
