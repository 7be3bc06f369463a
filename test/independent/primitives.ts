/**
 * The cryptographic primitives of docs/wire-format.md §3 on @noble/curves, @noble/ciphers and @noble/hashes only:
 * identity strings, H1/H2/H3/H4/KDF, the parameters file, BLMQ verification, SK-KEM decapsulation and AES-128-EAX.
 * Written from the specification alone: imports nothing of the project.
 */
import { bls12_381 as bls } from '@noble/curves/bls12-381.js';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { cmac, ctr } from '@noble/ciphers/aes.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

const G1 = bls.G1.Point;
const G2 = bls.G2.Point;
const { Fp12 } = bls.fields;
type G1P = InstanceType<typeof G1>;
type G2P = InstanceType<typeof G2>;
type GT = ReturnType<typeof bls.pairing>;

export const R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

export const u8 = (n: number) => Uint8Array.of(n & 0xff);
export const u16 = (n: number) => Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
export const u32 = (n: number) => Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
export function uN(n: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = BigInt(n);
  for (let i = bytes - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}
const os2ip = (b: Uint8Array) => b.reduce((a, x) => (a << 8n) | BigInt(x), 0n);
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

const dst = (role: string) => `MIBC-AIS-V1_BLS12381_XMD:SHA-256_${role}_`;
const xmd = (msg: Uint8Array, role: string, n: number) => expand_message_xmd(msg, dst(role), n, sha256);
const toScalar = (msg: Uint8Array, role: string) => os2ip(xmd(msg, role, 48)) % R;

/** §3.1: "MIBC-AIS/ID/1" ‖ 0x00 ‖ type ‖ u16 length ‖ body ‖ u32 epoch (MMSI = 1, pseudo-MMSI = 2). */
export function identity(type: 1 | 2, mmsi: number, epoch: number): Uint8Array {
  const body = utf8ToBytes(String(mmsi).padStart(9, '0'));
  return concatBytes(utf8ToBytes('MIBC-AIS/ID/1'), u8(0), u8(type), u16(body.length), body, u32(epoch));
}

export const h1s = (id: Uint8Array) => toScalar(id, 'H1-SIGN');
export const h1d = (id: Uint8Array) => toScalar(id, 'H1-DECRYPT');

/** §3.3: a compressed point, refused when not canonical, off the curve, outside the subgroup or at infinity. */
export function g1(b: Uint8Array): G1P {
  if (b.length !== 48) throw new Error('G1: length');
  const p = G1.fromBytes(b);
  p.assertValidity();
  if (p.is0() || !same(p.toBytes(true), b)) throw new Error('G1: infinity or non-canonical');
  return p;
}
export function g2(b: Uint8Array): G2P {
  if (b.length !== 96) throw new Error('G2: length');
  const p = G2.fromBytes(b);
  p.assertValidity();
  if (p.is0() || !same(p.toBytes(true), b)) throw new Error('G2: infinity or non-canonical');
  return p;
}
/** §3.3: twelve 48-byte coefficients in tower order. */
export const gtBytes = (x: GT): Uint8Array => Fp12.toBytes(x);

export interface Params {
  readonly P1: G1P;
  readonly P2: G2P;
  readonly sP1: G1P;
  readonly sP2: G2P;
  readonly g: GT;
  /** SHA-256 of the file. */
  readonly pp: Uint8Array;
}

/** §3.3: the 296-byte parameters file, checked. */
export function params(b: Uint8Array): Params {
  if (b.length !== 296 || !same(b.subarray(0, 8), Uint8Array.of(0x4d, 0x49, 0x42, 0x50, 1, 1, 1, 0))) throw new Error('params: header');
  const P1 = g1(b.subarray(8, 56));
  const P2 = g2(b.subarray(56, 152));
  const sP1 = g1(b.subarray(152, 200));
  const sP2 = g2(b.subarray(200, 296));
  const g = bls.pairing(P1, P2);
  if (Fp12.eql(g, Fp12.ONE) || !Fp12.eql(bls.pairing(sP1, P2), bls.pairing(P1, sP2))) throw new Error('params: inconsistent');
  return { P1, P2, sP1, sP2, g, pp: sha256(b) };
}

const idBlock = (p: Params, id: Uint8Array) => concatBytes(p.pp, u16(id.length), id);

/** §3.4: BLMQ verification; false for anything malformed or wrong. */
export function blmqVerify(p: Params, id: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== 64 && sig.length !== 80) return false;
  const hl = sig.length === 80 ? 32 : 16;
  const h = sig.subarray(0, hl);
  let S: G1P;
  try {
    S = g1(sig.subarray(hl));
  } catch {
    return false;
  }
  const hn = os2ip(h);
  if (hn >= R) return false;
  const Q = p.P2.multiply(h1s(id)).add(p.sP2);
  const u = Fp12.mul(bls.pairing(S, Q), Fp12.inv(Fp12.pow(p.g, hn)));
  const input = concatBytes(idBlock(p, id), gtBytes(u), msg);
  const want = hl === 32 ? bigTo32(os2ip(xmd(input, 'H2-FULL', 48)) % R) : xmd(input, 'H2-COMPACT', 16);
  return same(want, h);
}

function bigTo32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** §3.5: SK-KEM decapsulation; throws when the ciphertext is malformed or fails the re-encryption check. */
export function kemDecapsulate(p: Params, id: Uint8Array, skd: Uint8Array, ct: Uint8Array): Uint8Array {
  if (ct.length !== 64) throw new Error('KEM: length');
  const Ub = ct.subarray(0, 48);
  const U = g1(Ub);
  const w = bls.pairing(U, g2(skd));
  const mask = xmd(gtBytes(w), 'KEM-MASK', 16);
  const m = ct.subarray(48).map((v, i) => v ^ mask[i]!);
  const block = idBlock(p, id);
  const rho = toScalar(concatBytes(m, block), 'KEM-R');
  const again = rho === 0n ? undefined : p.P1.multiply(h1d(id)).add(p.sP1).multiply(rho);
  if (again === undefined || again.is0() || !same(again.toBytes(true), Ub)) throw new Error('KEM: re-encryption check fails');
  return xmd(concatBytes(m, Ub, block), 'KEM-KDF', 16);
}

function omac(key: Uint8Array, t: number, x: Uint8Array): Uint8Array {
  const block = new Uint8Array(16);
  block[15] = t;
  return cmac(concatBytes(block, x), key);
}

/** §3.6: AES-128-EAX with an 8-byte tag; throws when the tag does not match, before producing plaintext. */
export function eaxOpen(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, sealed: Uint8Array): Uint8Array {
  if (sealed.length < 8) throw new Error('EAX: short');
  const c = sealed.subarray(0, sealed.length - 8);
  const n1 = omac(key, 0, nonce);
  const h1 = omac(key, 1, ad);
  const c1 = omac(key, 2, c);
  const tag = n1.subarray(0, 8).map((v, i) => v ^ h1[i]! ^ c1[i]!);
  if (!same(tag, sealed.subarray(sealed.length - 8))) throw new Error('EAX: tag');
  return ctr(key, n1.slice()).decrypt(c);
}

/** §3.6 nonce: keyId (u32) ‖ mmsi (u32) ‖ instance (u8) ‖ second (u40) ‖ counter (u16). */
export const aeadNonce = (keyId: number, mmsi: number, instance: number, second: number, counter: number) =>
  concatBytes(u32(keyId), u32(mmsi), u8(instance), uN(second, 5), u16(counter));

export { concatBytes, sha256, utf8ToBytes, same };
