/**
 * BLMQ identity-based signatures (Barreto–Libert–McCullagh–Quisquater, ASIACRYPT 2005; paper §4.3.1, modes 2/3)
 * as in IEEE Std 1363.3-2013 (clause numbers not cited: its text was not accessible, pairing-crypto.md §4), in the
 * Type-3 form of DESIGN.md §3 (Chatterjee–Menezes 2011):
 *
 *   sign:    r hedged, u = g^r, h = H2(PP, ID, u, M), S = (r + h)·SKs            σ = h ‖ S
 *   verify:  u' = e(S, H1(ID)·P2 + s·P2) · g^-h,  accept iff h = H2(PP, ID, u', M)
 *
 * The paper writes S = (r − h)·SK and u = e(…)·g^h; the sign convention is immaterial, we follow BLMQ 2005.
 *
 * Challenge lengths. `full`: h = hash_to_field(…) mod r, 32 bytes (signature 80 B). `compact`: h = 16 raw bytes of
 * expand_message_xmd, a 128-bit integer (signature 64 B). Why 128 bits suffice: Neven–Smart–Warinschi, "Hash
 * function requirements for Schnorr signatures", J. Math. Cryptol. 3(1), 2009, show Schnorr-type signatures need
 * only random-prefix (second-)preimage resistance of H, which an n-bit hash gives at ≈2^n, so n = 128 matches a
 * 128-bit target (BIP-340 relies on the same result); the random-oracle forking bound adds only q_H/2^128.
 * Caveats (pairing-crypto.md §5.6): NSW's sufficiency proof is in the generic group model and u lives in GT, so for
 * BLMQ only the random-oracle argument transfers; without collision resistance a *malicious signer* can find two
 * messages sharing one signature in ≈2^64 work — a non-repudiation limit, not a third-party forgery. Use `full`
 * where insider non-repudiation matters. BLS12-381 itself gives ≈117–120 bits, so h is not the weakest link.
 * The two forms use different DSTs and lengths, so a signature of one form never verifies as the other.
 *
 * Hedged nonce (draft-irtf-cfrg-det-sigs-with-noise idea): r = H(rand32 ‖ SKs ‖ PP ‖ ID ‖ form ‖ M), so a broken RNG
 * degrades to RFC 6979-style determinism instead of nonce reuse (which reveals SKs = (h1 − h2)^-1·(S1 − S2)).
 *
 * Verification forms (measured in bench/crypto.ts):
 *  - cold `verify`: u' = e([H1]S − [h]P1, P2) · e(S, s·P2): one double Miller loop with the lines of the global
 *    constants P2 and s·P2 precomputed, one final exponentiation, no G2 multiplication and no GT power.
 *  - `prepareVerifier` (a cached sender): Q_ID = [H1]P2 + s·P2 and its Miller-loop lines are kept, so a
 *    verification is one single Miller loop, one final exponentiation and g^h from a fixed-base table.
 */
import { CryptoDecodeError, KeyMismatchError } from './errors.js';
import { h1Sign } from './extract.js';
import { DST, hashToFr, xmd } from './_hash.js';
import {
  decodeFr, decodeG1, encodeGT, frFromBE, frToBytes, G1Comb, HeldLines, mcl,
  type G1, type GT,
} from './_mcl.js';
import type { PublicParams } from './params.js';
import { abytes, concatBytes, equalBytes, randomBytes, uintBE, type RandomSource } from './_utils.js';

export type ChallengeForm = 'full' | 'compact';
export const CHALLENGE_BYTES = { full: 32, compact: 16 } as const;
export const SIGNATURE_BYTES = { full: 80, compact: 64 } as const;

export interface SignOptions {
  /** 'full' (80-byte signature, default) or 'compact' (64-byte signature, 128-bit challenge). */
  readonly form?: ChallengeForm;
  /** Randomness for the hedged nonce (default: crypto.getRandomValues). */
  readonly random?: RandomSource;
}

function formOf(opts: SignOptions | undefined): ChallengeForm {
  const form = opts?.form ?? 'full';
  if (form !== 'full' && form !== 'compact') throw new TypeError(`sign: unknown challenge form ${String(form)}`);
  return form;
}

/** H2(PP, ID, u, M) as wire bytes (16 or 32). Key-prefixed with the params fingerprint and the identity. */
function challenge(pp: PublicParams, id: Uint8Array, u: GT, msg: Uint8Array, form: ChallengeForm): Uint8Array {
  const input = concatBytes(pp.fingerprint, uintBE(id.length, 2), id, encodeGT(u), msg);
  if (form === 'compact') return xmd(input, DST.h2Compact, 16);
  return frToBytes(frFromBE(xmd(input, DST.h2Full, 48)));
}

function signWith(
  pp: PublicParams, sk: G1, skBytes: Uint8Array, comb: G1Comb | undefined, id: Uint8Array, msg: Uint8Array,
  opts: SignOptions | undefined,
): Uint8Array {
  const form = formOf(opts);
  const random = opts?.random ?? randomBytes;
  for (;;) {
    const noise = abytes(random(32), 'random(32)', 32);
    const r = hashToFr(
      concatBytes(noise, skBytes, pp.fingerprint, uintBE(id.length, 2), id, Uint8Array.of(CHALLENGE_BYTES[form]), msg),
      DST.nonce,
    );
    noise.fill(0);
    // r = 0 would make S = h·SKs and hand out the key (probability 2^-255): never sign with it.
    if (r.isZero()) continue;
    const rb = frToBytes(r);
    const u = pp.gComb.pow(rb);
    rb.fill(0);
    const h = challenge(pp, id, u, msg, form);
    const t = mcl.add(r, frFromBE(h));
    r.clear();
    // r + h = 0 would give S = O (probability 2^-255): draw a fresh nonce rather than emit a degenerate signature.
    if (t.isZero()) continue;
    const tb = frToBytes(t);
    const S = comb ? comb.pow(tb) : mcl.mul(sk, t);
    tb.fill(0);
    t.clear();
    return concatBytes(h, S.serialize());
  }
}

/** One-shot BLMQ signature (decodes the key each call; use `prepareSigner` on the appliance's hot path). */
export function sign(
  pp: PublicParams, signingKey: Uint8Array, identity: Uint8Array, msg: Uint8Array, opts?: SignOptions,
): Uint8Array {
  abytes(signingKey, 'signing key', 48);
  abytes(identity, 'identity');
  abytes(msg, 'message');
  const sk = decodeG1(signingKey, 'signing key');
  const sig = signWith(pp, sk, signingKey, undefined, identity, msg, opts);
  sk.clear();
  return sig;
}

/** A signer with its key decoded, checked against the identity once, and a fixed-base table of SKs. */
export interface Signer {
  readonly identity: Uint8Array;
  sign(msg: Uint8Array, opts?: SignOptions): Uint8Array;
  /** Wipes the key and its table; the signer is unusable afterwards. */
  destroy(): void;
}

/**
 * Prepares the appliance's own signer: decodes SKs, checks e(SKs, H1(ID)·P2 + s·P2) = g (a key for another
 * identity or PKG throws KeyMismatchError), and builds the SKs table (≈25 ms, 1.2 MB) so S = (r+h)·SKs costs
 * ≤ 32 additions.
 */
export function prepareSigner(pp: PublicParams, signingKey: Uint8Array, identity: Uint8Array): Signer {
  abytes(signingKey, 'signing key', 48);
  const id = Uint8Array.from(abytes(identity, 'identity'));
  const sk = decodeG1(signingKey, 'signing key');
  if (!mcl.pairing(sk, mcl.add(mcl.mul(pp.P2, h1Sign(id)), pp.sP2)).isEqual(pp.g))
    throw new KeyMismatchError('signing key does not belong to this identity and parameters');
  const skBytes = Uint8Array.from(signingKey);
  let comb: G1Comb | undefined = new G1Comb(sk, false);
  return {
    identity: id,
    sign(msg, opts) {
      if (!comb) throw new TypeError('signer destroyed');
      return signWith(pp, sk, skBytes, comb, id, abytes(msg, 'message'), opts);
    },
    destroy() {
      comb?.clear();
      comb = undefined;
      sk.clear();
      skBytes.fill(0);
    },
  };
}

/** Splits and strictly decodes σ = h ‖ S; throws CryptoDecodeError for anything malformed. */
function decodeSignature(sig: Uint8Array): { form: ChallengeForm; hb: Uint8Array; S: G1 } {
  abytes(sig, 'signature');
  let form: ChallengeForm;
  if (sig.length === SIGNATURE_BYTES.full) form = 'full';
  else if (sig.length === SIGNATURE_BYTES.compact) form = 'compact';
  else
    throw new CryptoDecodeError(
      'CRYPTO_BAD_LENGTH',
      `signature: expected ${SIGNATURE_BYTES.compact} or ${SIGNATURE_BYTES.full} bytes, got ${sig.length}`,
    );
  const hl = CHALLENGE_BYTES[form];
  const hb = sig.subarray(0, hl);
  // A 16-byte h is < 2^128 < r by construction; a 32-byte h must be a canonical scalar (h < r).
  if (form === 'full') decodeFr(hb, 'signature h', true);
  const S = decodeG1(sig.subarray(hl), 'signature S');
  return { form, hb, S };
}

/**
 * Verifies σ on `msg` for canonical identity bytes. Returns false for a well-formed signature that does not
 * verify; throws CryptoDecodeError for a malformed one (bad length, h ≥ r, S off-curve/outside G1/O/non-canonical).
 */
export function verify(pp: PublicParams, identity: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  abytes(identity, 'identity');
  abytes(msg, 'message');
  const { form, hb, S } = decodeSignature(sig);
  const A = mcl.sub(mcl.mul(S, h1Sign(identity)), pp.P1Comb.powPublic(hb));
  const u = mcl.finalExp(mcl.precomputedMillerLoop2(A, pp.P2pre, S, pp.sP2pre));
  return equalBytes(challenge(pp, identity, u, msg, form), hb);
}

/** Per-sender verification state (the "cached sender" of the bench). */
export interface Verifier {
  readonly identity: Uint8Array;
  /** Same contract as `verify`. */
  verify(msg: Uint8Array, sig: Uint8Array): boolean;
  /**
   * The index of the first of `msgs` that σ verifies for, or −1; throws like `verify`. u' does not depend on the
   * message, so this costs one pairing and a hash per candidate (a receiver matching a detached signature to one of
   * several held messages).
   */
  verifyAny(msgs: readonly Uint8Array[], sig: Uint8Array): number;
  /** Frees the wasm-side Miller-loop lines (also freed on garbage collection). */
  destroy(): void;
}

/**
 * Caches Q_ID = H1(ID)·P2 + s·P2 and its Miller-loop lines (≈1 ms to build, ≈20 KB of wasm heap) for a sender
 * whose messages arrive repeatedly; keep one per (MMSI, epoch) in an LRU and destroy on eviction.
 */
export function prepareVerifier(pp: PublicParams, identity: Uint8Array): Verifier {
  const id = Uint8Array.from(abytes(identity, 'identity'));
  const holder = {
    identity: id,
    verify(msg: Uint8Array, sig: Uint8Array): boolean {
      return holder.verifyAny([msg], sig) === 0;
    },
    verifyAny(msgs: readonly Uint8Array[], sig: Uint8Array): number {
      const pre = lines.get('verifier');
      for (const m of msgs) abytes(m, 'message');
      const { form, hb, S } = decodeSignature(sig);
      const e = mcl.finalExp(mcl.precomputedMillerLoop(S, pre));
      const u = mcl.mul(e, mcl.inv(pp.gComb.powPublic(hb)));
      return msgs.findIndex((m) => equalBytes(challenge(pp, id, u, m, form), hb));
    },
    destroy(): void {
      lines.release();
    },
  };
  const lines = new HeldLines(holder, mcl.add(mcl.mul(pp.P2, h1Sign(id)), pp.sP2));
  return holder;
}
