/**
 * Envelope v2 fragment header (docs/envelope.md §1): the first bytes of the application data of every secured
 * message 6/8, and the chunk digests by which fragment 0 commits to the rest of its body. Pure codec on Uint8Array.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { EnvelopeError } from './errors.js';

export const ENVELOPE_VERSION = 2;

/** Body kinds (docs/envelope.md §2). */
export const Kind = {
  SignedInline: 1,
  SignedAttached: 2,
  Group: 3,
  Kem: 4,
  ChainAnchor: 5,
  ChainBatch: 6,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

const KINDS: ReadonlySet<number> = new Set(Object.values(Kind));

/** A body spans at most 4 messages: 2 bits of index and 2 of last index. */
export const MAX_FRAGMENTS = 4;
/** Message-group ids are 12 bits, drawn at random per body (docs/envelope.md §1). */
export const GROUP_ID_BITS = 12;
export const GROUP_IDS = 2 ** GROUP_ID_BITS;
/** Bytes of each chunk digest that fragment 0 carries for the fragments after it. */
export const CHUNK_DIGEST_BYTES = 4;

export interface FragmentInfo {
  /** Message-group id, 0–4095. */
  readonly group: number;
  /** 0-based position of this fragment. */
  readonly index: number;
  /** Number of fragments in the group, 2–4. */
  readonly count: number;
  /** Fragment 0 only: the digest of chunk 1, 2, … (count − 1 digests of CHUNK_DIGEST_BYTES each), in order. */
  readonly digests?: Uint8Array;
}

export interface EnvelopeMessage {
  readonly kind: Kind;
  /** The body names a signer other than the source MMSI (mode 3). */
  readonly ext: boolean;
  /** Present when the body is split over several messages. */
  readonly fragment?: FragmentInfo;
  /** This message's chunk of the body. */
  readonly chunk: Uint8Array;
}

/** Header bytes of one message: 1 unfragmented, 3 fragmented, plus the chunk digests on fragment 0. */
export function headerBytes(fragmented: boolean, index = 1, count = 2): number {
  if (!fragmented) return 1;
  return 3 + (index === 0 ? (count - 1) * CHUNK_DIGEST_BYTES : 0);
}

function isKind(k: number): k is Kind {
  return KINDS.has(k);
}

const DIGEST_TAG = new TextEncoder().encode('mibc-ais/v2/chunk');

/**
 * Digest of chunk `index` (≥ 1) of a fragmented body. It binds the chunk to its place (kind, signer flag, group,
 * count, index), so a chunk cannot be moved into another position or body; it is a filter against forged variants,
 * not a signature: whoever can transmit can also send a consistent forged set, which then fails verification.
 */
export function chunkDigest(kind: Kind, ext: boolean, group: number, count: number, index: number, chunk: Uint8Array): Uint8Array {
  const h = sha256.create().update(DIGEST_TAG).update(Uint8Array.of(kind, ext ? 1 : 0, group >> 8, group & 0xff, count, index)).update(chunk);
  return h.digest().subarray(0, CHUNK_DIGEST_BYTES);
}

export function encodeEnvelopeMessage(m: EnvelopeMessage): Uint8Array {
  if (!isKind(m.kind)) throw new RangeError(`kind ${String(m.kind)} is not an envelope kind`);
  const f = m.fragment;
  if (f === undefined) {
    const out = new Uint8Array(1 + m.chunk.length);
    out[0] = (ENVELOPE_VERSION << 6) | (m.kind << 2) | (m.ext ? 1 : 0);
    out.set(m.chunk, 1);
    return out;
  }
  if (!Number.isInteger(f.group) || f.group < 0 || f.group >= GROUP_IDS) throw new RangeError(`group must be 0..${GROUP_IDS - 1}, got ${f.group}`);
  if (!Number.isInteger(f.count) || f.count < 2 || f.count > MAX_FRAGMENTS)
    throw new RangeError(`fragment count must be 2..${MAX_FRAGMENTS}, got ${f.count}`);
  if (!Number.isInteger(f.index) || f.index < 0 || f.index >= f.count) throw new RangeError(`fragment index ${f.index} outside 0..${f.count - 1}`);
  const digests = f.index === 0 ? f.digests : new Uint8Array(0);
  if (digests === undefined || digests.length !== headerBytes(true, f.index, f.count) - 3)
    throw new RangeError(`fragment ${f.index} of ${f.count} needs ${headerBytes(true, f.index, f.count) - 3} digest bytes`);
  const out = new Uint8Array(3 + digests.length + m.chunk.length);
  out[0] = (ENVELOPE_VERSION << 6) | (m.kind << 2) | 2 | (m.ext ? 1 : 0);
  out[1] = f.group >> 4;
  out[2] = ((f.group & 0x0f) << 4) | (f.index << 2) | (f.count - 1);
  out.set(digests, 3);
  out.set(m.chunk, 3 + digests.length);
  return out;
}

/** Parses one message's application data. Throws EnvelopeError for anything that is not envelope v2. */
export function decodeEnvelopeMessage(data: Uint8Array): EnvelopeMessage {
  const b0 = data[0];
  if (b0 === undefined) throw new EnvelopeError('ENVELOPE_TRUNCATED', 'empty application data');
  const version = b0 >> 6;
  if (version !== ENVELOPE_VERSION) throw new EnvelopeError('ENVELOPE_VERSION', `envelope version ${version} is not supported`);
  const kind = (b0 >> 2) & 0x0f;
  if (!isKind(kind)) throw new EnvelopeError('ENVELOPE_KIND', `unknown envelope kind ${kind}`);
  const ext = (b0 & 1) === 1;
  if ((b0 & 2) === 0) {
    if (data.length < 2) throw new EnvelopeError('ENVELOPE_TRUNCATED', 'envelope has no body');
    return { kind, ext, chunk: data.subarray(1) };
  }
  const b1 = data[1];
  const b2 = data[2];
  if (b1 === undefined || b2 === undefined) throw new EnvelopeError('ENVELOPE_TRUNCATED', 'fragment header ends early');
  const count = (b2 & 3) + 1;
  const index = (b2 >> 2) & 3;
  if (count < 2) throw new EnvelopeError('FRAGMENT_COUNT', 'fragmented envelope with a count of 1');
  if (index >= count) throw new EnvelopeError('FRAGMENT_COUNT', `fragment index ${index} beyond count ${count}`);
  const group = (b1 << 4) | (b2 >> 4);
  const start = headerBytes(true, index, count);
  if (data.length <= start) throw new EnvelopeError('ENVELOPE_TRUNCATED', 'fragment has no body');
  const chunk = data.subarray(start);
  if (index > 0) return { kind, ext, fragment: { group, index, count }, chunk };
  return { kind, ext, fragment: { group, index, count, digests: data.subarray(3, start) }, chunk };
}
