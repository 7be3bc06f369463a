/**
 * Envelope v2 fragment header (docs/envelope.md §1): the first bytes of the application data of every secured
 * message 6/8, and the short hash by which fragment 0 commits to its whole body. Pure codec on Uint8Array.
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
/** Message-group ids are 4 bits, drawn at random per body (docs/envelope.md §1 says why not wider). */
export const GROUP_IDS = 16;
/** Bytes of the body commitment that fragment 0 carries. */
export const COMMITMENT_BYTES = 4;

export interface FragmentInfo {
  /** Message-group id, 0–15. */
  readonly group: number;
  /** 0-based position of this fragment. */
  readonly index: number;
  /** Number of fragments in the group, 2–4. */
  readonly count: number;
  /** Fragment 0 only: the commitment to the whole body (`bodyCommitment`). */
  readonly commitment?: Uint8Array;
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

/** Header bytes of one message: 1 unfragmented, 2 fragmented, plus the commitment on fragment 0. */
export function headerBytes(fragmented: boolean, index = 1): number {
  if (!fragmented) return 1;
  return 2 + (index === 0 ? COMMITMENT_BYTES : 0);
}

function isKind(k: number): k is Kind {
  return KINDS.has(k);
}

const COMMITMENT_TAG = new TextEncoder().encode('mibc-ais/v2/body');

/**
 * Fragment 0's commitment to a fragmented body: the first 4 bytes of SHA-256(tag ‖ kind ‖ ext ‖ group ‖ count ‖
 * body). A filter against forged variants, not a signature: whoever can transmit can also send a consistent forged
 * set of its own, which then costs one verification and fails; 32 bits make a random forged combination match once
 * in 2^32, and a crafted one buys its maker that one verification, no more.
 */
export function bodyCommitment(kind: Kind, ext: boolean, group: number, count: number, body: Uint8Array): Uint8Array {
  return commitmentHash(kind, ext, group, count).update(body).digest().subarray(0, COMMITMENT_BYTES);
}

/** The commitment's hash before the body: the reassembler extends copies of it chunk by chunk. */
export function commitmentHash(kind: Kind, ext: boolean, group: number, count: number): ReturnType<typeof sha256.create> {
  return sha256.create().update(COMMITMENT_TAG).update(Uint8Array.of(kind, ext ? 1 : 0, group, count));
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
  const commitment = f.index === 0 ? f.commitment : new Uint8Array(0);
  if (commitment === undefined || commitment.length !== headerBytes(true, f.index) - 2) throw new RangeError(`fragment 0 needs a ${COMMITMENT_BYTES}-byte commitment`);
  const out = new Uint8Array(2 + commitment.length + m.chunk.length);
  out[0] = (ENVELOPE_VERSION << 6) | (m.kind << 2) | 2 | (m.ext ? 1 : 0);
  out[1] = (f.group << 4) | (f.index << 2) | (f.count - 1);
  out.set(commitment, 2);
  out.set(m.chunk, 2 + commitment.length);
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
  if (b1 === undefined) throw new EnvelopeError('ENVELOPE_TRUNCATED', 'fragment header ends early');
  const count = (b1 & 3) + 1;
  const index = (b1 >> 2) & 3;
  if (count < 2) throw new EnvelopeError('FRAGMENT_COUNT', 'fragmented envelope with a count of 1');
  if (index >= count) throw new EnvelopeError('FRAGMENT_COUNT', `fragment index ${index} beyond count ${count}`);
  const group = b1 >> 4;
  const start = headerBytes(true, index);
  if (data.length <= start) throw new EnvelopeError('ENVELOPE_TRUNCATED', 'fragment has no body');
  const chunk = data.subarray(start);
  if (index > 0) return { kind, ext, fragment: { group, index, count }, chunk };
  return { kind, ext, fragment: { group, index, count, commitment: data.subarray(2, start) }, chunk };
}
