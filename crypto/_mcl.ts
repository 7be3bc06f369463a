/**
 * The one mcl-wasm instance of the process (DESIGN.md §3): BLS12-381, ETH (ZCash/IETF) serialisation so that
 * G1/G2/Fr bytes equal @noble/curves' `toBytes(true)`, subgroup checks on in every deserialisation.
 * Initialised once by top-level await; everything else in crypto/ is a pure function of its inputs.
 *
 * Also here: strict point decoders (typed errors, identity rejected, canonical bytes only), the GT encoding fixed
 * to noble's `Fp12.toBytes` order, and fixed-base tables ("combs") that turn a 255-bit exponentiation into ≤ 32
 * group operations.
 */
import mcl from 'mcl-wasm';
import { CryptoDecodeError } from './errors.js';
import { equalBytes, hexToBytes } from './_utils.js';

await mcl.init(mcl.BLS12_381);
mcl.setETHserialization(true);
// Binding decision (DESIGN.md §3): keep mcl's BLS12 defaults explicit so no other code path can turn them off.
mcl.verifyOrderG1(true);
mcl.verifyOrderG2(true);

export { mcl };
export type G1 = InstanceType<typeof mcl.G1>;
export type G2 = InstanceType<typeof mcl.G2>;
export type GT = InstanceType<typeof mcl.GT>;
export type Fr = InstanceType<typeof mcl.Fr>;
export type PrecomputedG2 = InstanceType<typeof mcl.PrecomputedG2>;

// PrecomputedG2 lives on the wasm heap (~20 KB) and leaks unless destroyed (pairing-crypto.md §1 quirk 7).
const wasmHeap = new FinalizationRegistry<PrecomputedG2>((pre) => pre.destroy());

/**
 * The Miller-loop lines of a G2 point, held for `owner`: freed by `release()`, or by the finaliser once the owner is
 * garbage collected without it.
 */
export class HeldLines {
  #pre: PrecomputedG2 | undefined;
  constructor(owner: object, q: G2) {
    this.#pre = new mcl.PrecomputedG2(q);
    wasmHeap.register(owner, this.#pre, this);
  }
  /** The lines; a TypeError naming `what` once released. */
  get(what: string): PrecomputedG2 {
    if (!this.#pre) throw new TypeError(`${what} destroyed`);
    return this.#pre;
  }
  release(): void {
    if (!this.#pre) return;
    wasmHeap.unregister(this);
    this.#pre.destroy();
    this.#pre = undefined;
  }
}

export const G1_BYTES = 48;
export const G2_BYTES = 96;
export const GT_BYTES = 576;
export const FR_BYTES = 32;

/** Group order r and field prime p of BLS12-381 (draft-irtf-cfrg-pairing-friendly-curves §4.2.1). */
const CURVE_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
const FIELD_PRIME =
  0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;

/** IETF/ZCash generators (compressed), the same bytes as noble's `G1.Point.BASE` / `G2.Point.BASE`. */
export const G1_GENERATOR = hexToBytes(
  '97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb',
);
export const G2_GENERATOR = hexToBytes(
  '93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e' +
    '024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8',
);

function bigFromBE(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/** Explains why mcl refused an encoding: re-parse without the subgroup check to tell the two cases apart. */
function classify(bytes: Uint8Array, fpChunks: number, title: string, cause: unknown, retry: () => void): never {
  const flags = bytes[0] as number;
  if ((flags & 0x80) === 0 || (flags & 0x40) !== 0)
    throw new CryptoDecodeError('CRYPTO_BAD_ENCODING', `${title}: invalid compression flags`, { cause });
  for (let i = 0; i < fpChunks; i++) {
    const chunk = bytes.slice(i * 48, (i + 1) * 48);
    if (i === 0) chunk[0] = (chunk[0] as number) & 0x1f;
    if (bigFromBE(chunk) >= FIELD_PRIME)
      throw new CryptoDecodeError('CRYPTO_BAD_ENCODING', `${title}: coordinate ≥ p`, { cause });
  }
  const g1 = fpChunks === 1;
  try {
    if (g1) mcl.verifyOrderG1(false);
    else mcl.verifyOrderG2(false);
    retry();
  } catch {
    throw new CryptoDecodeError('CRYPTO_NOT_ON_CURVE', `${title}: not a point on the curve`, { cause });
  } finally {
    mcl.verifyOrderG1(true);
    mcl.verifyOrderG2(true);
  }
  throw new CryptoDecodeError('CRYPTO_WRONG_SUBGROUP', `${title}: point outside the prime-order subgroup`, { cause });
}

function checkDecoded(p: G1 | G2, bytes: Uint8Array, title: string): void {
  // mcl-wasm ETH mode decodes some malformed infinity encodings and isValid() accepts O (pairing-crypto.md §1).
  if (p.isZero()) throw new CryptoDecodeError('CRYPTO_IDENTITY_ELEMENT', `${title}: point at infinity`);
  if (!equalBytes(p.serialize(), bytes))
    throw new CryptoDecodeError('CRYPTO_BAD_ENCODING', `${title}: non-canonical encoding`);
}

/** Compressed G1 point → mcl G1: on curve, in G1, not O, canonical; otherwise a typed CryptoDecodeError. */
export function decodeG1(bytes: Uint8Array, title: string): G1 {
  if (bytes.length !== G1_BYTES)
    throw new CryptoDecodeError('CRYPTO_BAD_LENGTH', `${title}: expected ${G1_BYTES} bytes, got ${bytes.length}`);
  const p = new mcl.G1();
  try {
    p.deserialize(bytes);
  } catch (e) {
    classify(bytes, 1, title, e, () => new mcl.G1().deserialize(bytes));
  }
  checkDecoded(p, bytes, title);
  return p;
}

/** Compressed G2 point → mcl G2, same rules as decodeG1. */
export function decodeG2(bytes: Uint8Array, title: string): G2 {
  if (bytes.length !== G2_BYTES)
    throw new CryptoDecodeError('CRYPTO_BAD_LENGTH', `${title}: expected ${G2_BYTES} bytes, got ${bytes.length}`);
  const p = new mcl.G2();
  try {
    p.deserialize(bytes);
  } catch (e) {
    classify(bytes, 2, title, e, () => new mcl.G2().deserialize(bytes));
  }
  checkDecoded(p, bytes, title);
  return p;
}

/** 32-byte big-endian scalar, strictly below r (and non-zero unless `allowZero`). */
export function decodeFr(bytes: Uint8Array, title: string, allowZero = false): Fr {
  if (bytes.length !== FR_BYTES)
    throw new CryptoDecodeError('CRYPTO_BAD_LENGTH', `${title}: expected ${FR_BYTES} bytes, got ${bytes.length}`);
  const v = bigFromBE(bytes);
  if (v >= CURVE_ORDER || (!allowZero && v === 0n))
    throw new CryptoDecodeError('CRYPTO_SCALAR_RANGE', `${title}: scalar outside 1..r-1`);
  const x = new mcl.Fr();
  x.setBigEndianMod(bytes);
  return x;
}

/**
 * Big-endian bytes reduced mod r: for 48 uniform bytes this is RFC 9380 §5.2 hash_to_field (bias ≤ 2^-128); for
 * 16 bytes (the compact BLMQ challenge, < 2^128 < r) it is exact.
 */
export function frFromBE(bytes: Uint8Array): Fr {
  const x = new mcl.Fr();
  x.setBigEndianMod(bytes);
  return x;
}

/** Fr → 32 bytes big-endian (ETH mode), noble's `Fr.toBytes`. */
export function frToBytes(x: Fr): Uint8Array {
  return x.serialize();
}

/**
 * GT element → 576 bytes in @noble/curves `Fp12.toBytes` order (12 big-endian Fp coefficients, tower order
 * c0.c0.c0, c0.c0.c1, c0.c1.c0, …). mcl's ETH serialisation writes each Fp2 as (c1, c0), so swap the halves of
 * every 96-byte Fp2; the pairing values themselves are identical in both libraries (pairing-crypto.md §3).
 */
export function encodeGT(x: GT): Uint8Array {
  const eth = x.serialize();
  const out = new Uint8Array(GT_BYTES);
  for (let i = 0; i < GT_BYTES; i += 96) {
    out.set(eth.subarray(i + 48, i + 96), i);
    out.set(eth.subarray(i, i + 48), i + 48);
  }
  return out;
}

/** mcl-wasm keeps each element's limbs in a JS Uint32Array `a_` (value-types.js); the secret selection reads it. */
const limbs = (x: G1 | GT): Uint32Array => (x as unknown as { a_: Uint32Array }).a_;

/**
 * Fixed-base combs ("tables") for base^e, two of them:
 *
 * - `powPublic`, 8-bit windows: rows[i][b] = base^(b·256^i), so an exponent of n bytes costs ≤ n group operations
 *   (32 for a full scalar, 16 for a 128-bit challenge). Measured in wasm: GT mul 12.5 µs vs GT pow 1.12 ms; G1 add
 *   2.8 µs vs G1 mul 0.27 ms. Table 32×256 entries (GT 4.7 MB, G1 1.2 MB). The lookup index is an exponent byte and
 *   zero bytes are skipped, so it is for public exponents only (verification's challenge h).
 * - `pow`, for secret exponents (signing nonce r, r+h; KEM r): 4-bit windows over all 64 nibbles of a 32-byte
 *   exponent, each entry chosen by scanning its whole row with masks (no secret-dependent index or branch in JS),
 *   and an offset so no entry is the identity: sec[i][d] = base^((d+1)·16^i), the result corrected once by
 *   base^(−Σ16^i). mcl's add special-cases the identity, so identity entries would make a zero nibble visible
 *   in time. Cost: 64 group operations plus 64×16 masked copies (GT 590 KB, G1 147 KB of table).
 * What this does not remove: mcl's own field arithmetic is not audited as constant-time (threat model, §5.4 of
 * the pairing notes); the selection closes the cache-indexed table channel, which is the one in our code.
 */
const SEC_ROWS = 2 * FR_BYTES;
const SEC_WINDOW = 16;
/** Entries of one public row: base^(b·256^i) for b = 1..255 (b = 0 is skipped by the lookup, so not stored). */
const PUB_WINDOW = 255;

/**
 * Both tables live in one flat Uint32Array each, not as 8 192 mcl objects: one mcl element is a JS object, a typed
 * array and its own malloc'd backing store, which roughly doubled the tables' memory (≈ 4 MB of heap and 5 MB of
 * RSS for the GT table and a signer's G1 table together). An entry is copied into a fresh element when used.
 */
export class FixedBaseComb<T extends G1 | GT> {
  private readonly words: number;
  /** Undefined for a secret-only comb: a signer's own key needs just the masked table. */
  private readonly pub: Uint32Array | undefined;
  private readonly sec: Uint32Array;
  private readonly correction: T;
  constructor(
    base: T,
    private readonly op: (a: T, b: T) => T,
    private readonly one: () => T,
    private readonly make: () => T,
    power: (x: T, e: Fr) => T,
    publicTable = true,
  ) {
    const w = limbs(base).length;
    this.words = w;
    this.pub = publicTable ? new Uint32Array(FR_BYTES * PUB_WINDOW * w) : undefined;
    this.sec = new Uint32Array(SEC_ROWS * SEC_WINDOW * w);
    // One pass, one live element: x = b^k for row base b = base^(256^i). The 4-bit table is a subset of the 8-bit
    // one: nibble 2i holds b^(d+1), nibble 2i+1 holds b^(16(d+1)), and b^256 is the next row's base.
    const put = (table: Uint32Array, index: number, x: T) => table.set(limbs(x), index * w);
    let b = base;
    for (let i = 0; i < FR_BYTES; i++) {
      let x = b;
      for (let k = 1; k < 256; k++) {
        if (k > 1) {
          const next = op(x, b);
          if (x !== b) x.clear();
          x = next;
        }
        if (this.pub) put(this.pub, i * PUB_WINDOW + k - 1, x);
        if (k <= SEC_WINDOW) put(this.sec, 2 * i * SEC_WINDOW + k - 1, x);
        if (k % 16 === 0) put(this.sec, (2 * i + 1) * SEC_WINDOW + k / 16 - 1, x);
      }
      const next = op(x, b);
      if (x !== b) x.clear();
      // The first row's base is the caller's; every later element is ours and may be a multiple of a secret.
      if (b !== base) b.clear();
      b = next;
      put(this.sec, (2 * i + 1) * SEC_WINDOW + SEC_WINDOW - 1, b);
    }
    b.clear();
    // base^(r − Σ_{i<64} 16^i) = base^(−Σ16^i) in the order-r group.
    let offset = 0n;
    for (let i = 0; i < SEC_ROWS; i++) offset = (offset + 16n ** BigInt(i)) % CURVE_ORDER;
    const neg = new mcl.Fr();
    neg.setStr(((CURVE_ORDER - offset) % CURVE_ORDER).toString());
    this.correction = power(base, neg);
  }

  /** base^e for a big-endian exponent of at most 32 bytes that is public (variable time). */
  powPublic(e: Uint8Array): T {
    const pub = this.pub;
    if (pub === undefined) throw new TypeError('comb: this table serves secret exponents only');
    const w = this.words;
    let acc: T | undefined;
    const n = e.length;
    for (let j = 0; j < n; j++) {
      const byte = e[n - 1 - j] as number;
      if (byte === 0) continue;
      const at = (j * PUB_WINDOW + byte - 1) * w;
      const t = this.make();
      limbs(t).set(pub.subarray(at, at + w));
      acc = acc === undefined ? t : this.op(acc, t);
    }
    return acc ?? this.one();
  }

  /** base^e for a secret big-endian exponent of exactly 32 bytes: same work and memory access for every e. */
  pow(e: Uint8Array): T {
    if (e.length !== FR_BYTES) throw new RangeError(`comb exponent must be ${FR_BYTES} bytes`);
    const w = this.words;
    const out = new Uint32Array(w);
    let acc: T | undefined;
    for (let i = 0; i < SEC_ROWS; i++) {
      const digit = ((e[FR_BYTES - 1 - (i >> 1)] as number) >> ((i & 1) << 2)) & 0xf;
      out.fill(0);
      const row = i * SEC_WINDOW * w;
      for (let d = 0; d < SEC_WINDOW; d++) {
        // (d ^ digit) − 1 is negative iff d = digit: mask all ones there, zero elsewhere.
        const mask = ((d ^ digit) - 1) >> 31;
        const at = row + d * w;
        for (let k = 0; k < w; k++) out[k] = (out[k] as number) | ((this.sec[at + k] as number) & mask);
      }
      const t = this.make();
      limbs(t).set(out);
      acc = acc === undefined ? t : this.op(acc, t);
    }
    out.fill(0);
    return this.op(acc as T, this.correction);
  }

  clear(): void {
    this.pub?.fill(0);
    this.sec.fill(0);
    this.correction.clear();
  }
}

export class GTComb extends FixedBaseComb<GT> {
  constructor(base: GT) {
    super(
      base,
      (a, b) => mcl.mul(a, b),
      () => {
        const one = new mcl.GT();
        one.setInt(1);
        return one;
      },
      () => new mcl.GT(),
      (x, e) => mcl.pow(x, e),
    );
  }
}

export class G1Comb extends FixedBaseComb<G1> {
  /** `publicTable` false: secret exponents only (a signer's key), 147 KB instead of 1.3 MB. */
  constructor(base: G1, publicTable = true) {
    super(base, (a, b) => mcl.add(a, b), () => new mcl.G1(), () => new mcl.G1(), (x, e) => mcl.mul(x, e), publicTable);
  }
}
