/**
 * Splits an envelope body over messages 6/8 so that the whole costs the fewest VHF slots, with no message above
 * `maxSlotsPerMessage` (3 for a mobile station, ITU-R M.1371-5). Ties go to fewer messages (fewer chances to lose one).
 * Fragment 0 also carries the commitment to the whole body (docs/envelope.md §1).
 */
import { appDataCapacity, type BinaryMessageType, MAX_SLOTS, MOBILE_MAX_SLOTS } from './capacity.js';
import { bodyCommitment, encodeEnvelopeMessage, headerBytes, type Kind, MAX_FRAGMENTS } from './envelope.js';
import { EnvelopeError } from './errors.js';

export interface FragmentOptions {
  readonly messageType: BinaryMessageType;
  readonly maxSlotsPerMessage?: number;
}

export interface FragmentPlan {
  /** Slots of each message, in transmission order. */
  readonly slots: readonly number[];
  /** Body bytes carried by each message. */
  readonly chunkSizes: readonly number[];
  readonly totalSlots: number;
}

/** The cheapest way to carry `bodyBytes`; throws TOO_LARGE when 4 messages of the allowed size cannot. */
export function planFragments(bodyBytes: number, opts: FragmentOptions): FragmentPlan {
  const maxSlots = opts.maxSlotsPerMessage ?? MOBILE_MAX_SLOTS;
  if (!Number.isInteger(maxSlots) || maxSlots < 1 || maxSlots > MAX_SLOTS) throw new RangeError(`maxSlotsPerMessage must be 1..${MAX_SLOTS}`);
  if (!Number.isInteger(bodyBytes) || bodyBytes < 1) throw new RangeError(`body must be at least 1 byte, got ${bodyBytes}`);
  const single = (slots: number) => appDataCapacity(opts.messageType, slots) - headerBytes(false);
  // Chunk bytes of fragment `index`: fragment 0 also carries the commitment.
  const cap = (slots: number, index: number) => appDataCapacity(opts.messageType, slots) - headerBytes(true, index);

  for (let s = 1; s <= maxSlots; s++) {
    if (bodyBytes <= single(s)) return { slots: [s], chunkSizes: [bodyBytes], totalSlots: s };
  }
  let best: number[] | undefined;
  let bestTotal = Infinity;
  // At most maxSlots^4 = 625 candidates: exhaustive search is cheaper than being clever.
  const search = (prefix: number[]) => {
    const n = prefix.length;
    const caps = prefix.map((s, i) => cap(s, i));
    const carried = caps.reduce((a, c) => a + c, 0);
    const total = prefix.reduce((a, s) => a + s, 0);
    // Every message must carry at least one byte of body (a 1-slot message 6 cannot hold fragment 0's commitment).
    if (n >= 2 && carried >= bodyBytes && caps.every((c) => c >= 1)) {
      if (total < bestTotal || (total === bestTotal && best !== undefined && n < best.length)) {
        best = [...prefix];
        bestTotal = total;
      }
      return;
    }
    if (n === MAX_FRAGMENTS || total >= bestTotal) return;
    // Non-increasing slot counts: order does not change the cost, so explore each multiset once.
    for (let s = prefix[n - 1] ?? maxSlots; s >= 1; s--) search([...prefix, s]);
  };
  search([]);
  if (best === undefined) {
    throw new EnvelopeError('TOO_LARGE', `a ${bodyBytes}-byte body does not fit ${MAX_FRAGMENTS} messages of ${maxSlots} slots`);
  }
  const chunkSizes: number[] = [];
  let left = bodyBytes;
  for (const [i, s] of best.entries()) {
    const take = Math.min(cap(s, i), left);
    chunkSizes.push(take);
    left -= take;
  }
  // Largest messages first, filled up; the search stops as soon as the body fits, so no chunk is empty.
  return { slots: best, chunkSizes, totalSlots: bestTotal };
}

/** Application data of each message carrying `body` (DAC/FI not included); `group` is the body's random group id. */
export function fragmentBody(kind: Kind, ext: boolean, body: Uint8Array, group: number, opts: FragmentOptions): Uint8Array[] {
  const plan = planFragments(body.length, opts);
  if (plan.slots.length === 1) return [encodeEnvelopeMessage({ kind, ext, chunk: body })];
  const count = plan.chunkSizes.length;
  const commitment = bodyCommitment(kind, ext, group, count, body);
  const out: Uint8Array[] = [];
  let off = 0;
  plan.chunkSizes.forEach((size, index) => {
    const chunk = body.subarray(off, off + size);
    out.push(encodeEnvelopeMessage({ kind, ext, fragment: index === 0 ? { group, index, count, commitment } : { group, index, count }, chunk }));
    off += size;
  });
  return out;
}
