/**
 * Kind 6 body — a batch of per-report tags, or a bare key disclosure (docs/amortised-auth.md §3).
 *
 * ```
 * byte 0   t6 (6) | gen (1) | keyOnly (1)
 * keyOnly = 1:  K_i (keyBytes)            i = ⌊(s − d) / P⌋ − 1: the key whose disclosure time has just passed
 * keyOnly = 0:  K_{m−1} (keyBytes)        m = ⌊s / P⌋ − 1: the interval that has just ended
 *               entries: offset (8) | tag (8τ), offsets non-decreasing
 *               report second = (m − W + 1)·P + offset; tag under K_m
 * ```
 * The entry count follows from the length, so no count byte is spent. A bare key disclosure with an 8-byte key is
 * 1 + 8 = 9 bytes: with the 1-byte fragment header exactly one 1-slot message 8 (10 bytes of application data).
 * Decoding needs the chain parameters (from the anchor of generation `gen`); `peekBatchGen` reads the generation first.
 */
import { aint, concatBytes } from './_bytes.js';
import { AmortisedError, AmortisedErrorCode } from './errors.js';
import type { TeslaParams } from './params.js';

export interface BatchEntry {
  /** Seconds from the start of the batch's window, (m − W + 1)·P. */
  readonly offset: number;
  readonly tag: Uint8Array;
}

export type BatchBody =
  | { readonly keyOnly: true; readonly t6: number; readonly gen: 0 | 1; readonly key: Uint8Array }
  | {
      readonly keyOnly: false;
      readonly t6: number;
      readonly gen: 0 | 1;
      /** K_{m−1}. */
      readonly key: Uint8Array;
      readonly entries: readonly BatchEntry[];
    };

export function peekBatchGen(body: Uint8Array): 0 | 1 {
  const b0 = body[0];
  if (b0 === undefined) throw new AmortisedError(AmortisedErrorCode.BodyLength, 'batch body: empty');
  return ((b0 >> 1) & 1) as 0 | 1;
}

export function batchBodyLength(p: TeslaParams, entries: number): number {
  return 1 + p.keyBytes + entries * (1 + p.tagBytes);
}

export function encodeBatchBody(p: TeslaParams, b: BatchBody): Uint8Array {
  aint(b.t6, 't6', 0, 63);
  if (b.key.length !== p.keyBytes) throw new RangeError(`key: expected ${p.keyBytes} bytes`);
  const head = Uint8Array.of((b.t6 << 2) | (b.gen << 1) | (b.keyOnly ? 1 : 0));
  if (b.keyOnly) return concatBytes(head, b.key);
  const parts: Uint8Array[] = [head, b.key];
  let prev = 0;
  for (const e of b.entries) {
    aint(e.offset, 'offset', prev, p.window * p.intervalS - 1);
    if (e.tag.length !== p.tagBytes) throw new RangeError(`tag: expected ${p.tagBytes} bytes`);
    parts.push(Uint8Array.of(e.offset), e.tag);
    prev = e.offset;
  }
  return concatBytes(...parts);
}

export function decodeBatchBody(p: TeslaParams, body: Uint8Array): BatchBody {
  const b0 = body[0];
  if (b0 === undefined) throw new AmortisedError(AmortisedErrorCode.BodyLength, 'batch body: empty');
  const t6 = b0 >> 2;
  const gen = ((b0 >> 1) & 1) as 0 | 1;
  const keyOnly = (b0 & 1) === 1;
  if (keyOnly) {
    if (body.length !== 1 + p.keyBytes) {
      throw new AmortisedError(AmortisedErrorCode.BodyLength, `key disclosure: ${body.length} bytes, expected ${1 + p.keyBytes}`);
    }
    return { keyOnly, t6, gen, key: body.slice(1) };
  }
  const rest = body.length - 1 - p.keyBytes;
  const entrySize = 1 + p.tagBytes;
  if (rest < 0 || rest % entrySize !== 0) {
    throw new AmortisedError(AmortisedErrorCode.BodyLength, `batch body: ${body.length} bytes is not 1 + key + n·${entrySize}`);
  }
  const entries: BatchEntry[] = [];
  let prev = 0;
  for (let off = 1 + p.keyBytes; off < body.length; off += entrySize) {
    const offset = body[off] ?? 0;
    if (offset < prev || offset >= p.window * p.intervalS) {
      throw new AmortisedError(AmortisedErrorCode.BodyField, `batch body: offset ${offset} out of order or window`);
    }
    entries.push({ offset, tag: body.slice(off + 1, off + entrySize) });
    prev = offset;
  }
  return { keyOnly, t6, gen, key: body.slice(1, 1 + p.keyBytes), entries };
}
