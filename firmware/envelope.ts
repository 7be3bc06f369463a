/**
 * Envelope v1 fragment header (docs/envelope.md §1): the first one or two bytes of the application data of every
 * secured message 6/8. Pure codec on Uint8Array.
 */
import { EnvelopeError } from './errors.js';

export const ENVELOPE_VERSION = 1;

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

/** A fragment spans at most 4 messages: 2 bits of index and 2 of last index. */
export const MAX_FRAGMENTS = 4;
export const GROUP_IDS = 16;

export interface FragmentInfo {
  /** Message-group id, 0–15. */
  readonly group: number;
  /** 0-based position of this fragment. */
  readonly index: number;
  /** Number of fragments in the group, 2–4. */
  readonly count: number;
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

export function headerBytes(fragmented: boolean): number {
  return fragmented ? 2 : 1;
}

function isKind(k: number): k is Kind {
  return KINDS.has(k);
}

export function encodeEnvelopeMessage(m: EnvelopeMessage): Uint8Array {
  if (!isKind(m.kind)) throw new RangeError(`kind ${String(m.kind)} is not an envelope kind`);
  const f = m.fragment;
  const out = new Uint8Array(headerBytes(f !== undefined) + m.chunk.length);
  out[0] = (ENVELOPE_VERSION << 6) | (m.kind << 2) | ((f ? 1 : 0) << 1) | (m.ext ? 1 : 0);
  if (f) {
    if (!Number.isInteger(f.group) || f.group < 0 || f.group >= GROUP_IDS) throw new RangeError(`group must be 0..15, got ${f.group}`);
    if (!Number.isInteger(f.count) || f.count < 2 || f.count > MAX_FRAGMENTS)
      throw new RangeError(`fragment count must be 2..${MAX_FRAGMENTS}, got ${f.count}`);
    if (!Number.isInteger(f.index) || f.index < 0 || f.index >= f.count) throw new RangeError(`fragment index ${f.index} outside 0..${f.count - 1}`);
    out[1] = (f.group << 4) | (f.index << 2) | (f.count - 1);
  }
  out.set(m.chunk, headerBytes(f !== undefined));
  return out;
}

/** Parses one message's application data. Throws EnvelopeError for anything that is not envelope v1. */
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
  if (b1 === undefined || data.length < 3) throw new EnvelopeError('ENVELOPE_TRUNCATED', 'fragment has no body');
  const count = (b1 & 3) + 1;
  const index = (b1 >> 2) & 3;
  if (count < 2) throw new EnvelopeError('FRAGMENT_COUNT', 'fragmented envelope with a count of 1');
  if (index >= count) throw new EnvelopeError('FRAGMENT_COUNT', `fragment index ${index} beyond count ${count}`);
  return { kind, ext, fragment: { group: b1 >> 4, index, count }, chunk: data.subarray(2) };
}
