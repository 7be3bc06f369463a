/**
 * Reassembly of fragmented envelope bodies (docs/envelope.md §1, §3): bounded buffers, per-sender caps and
 * expiry per group; everything dropped is returned as a typed error so the pipeline can count it.
 * Groups are keyed by (source MMSI, destination MMSI, kind, group id, count, signer flag) — never by channel, since a
 * transponder alternates channels between transmissions — so two senders, or two groups of one sender, never mix.
 *
 * Anyone can transmit under any MMSI, so a spoofer can inject fragments into a victim's group. Discarding the group on
 * a conflict would hand him a cheap denial of service; instead a group keeps up to MAX_HEADS different fragments 0
 * and a few different chunks per later index, and fragment 0 commits to its whole body with a short hash. Only a
 * combination whose hash matches the commitment of its own fragment 0 is assembled, so forged variants are told apart
 * without any signature check and the caller is offered at most one candidate body per arriving fragment, each body
 * at most once.
 * The first chunk heard at an index is never pushed out (a forger racing the genuine fragment cannot displace it);
 * the other places go to the newest arrivals (one that came first cannot block the genuine fragment either).
 */
import { equalBytes } from '@noble/ciphers/utils.js';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import { COMMITMENT_BYTES, commitmentHash, type EnvelopeMessage, type Kind } from './envelope.js';
import { EnvelopeError } from './errors.js';

export interface ReassemblerLimits {
  /** Groups awaiting fragments, all senders together. */
  readonly maxPendingGroups: number;
  /** Groups awaiting fragments from one sender (MMSI): at most half the table, so one cannot hold it all. */
  readonly maxPendingPerSender: number;
  /** A group expires this long after its first fragment arrived. */
  readonly fragmentTimeoutMs: number;
}

export const DEFAULT_REASSEMBLER_LIMITS: ReassemblerLimits = {
  maxPendingGroups: 512,
  maxPendingPerSender: 256,
  // Fragments of one body go out back to back and a transponder broadcasts within 4 s of a BBM (IEC 61162-1 BBM
  // notes), so 4 fragments take ≤ 16 s.
  fragmentTimeoutMs: 16_000,
};

export interface MessageOrigin {
  /** Source MMSI from the AIS header of message 6/8. */
  readonly source: number;
  /** Destination MMSI of message 6; absent for message 8. */
  readonly destination?: number;
}

/**
 * Different fragments 0 kept per group (each with its own commitment): the first heard and the newest others. A
 * flood under the victim's MMSI spreads over 16 group ids, so to push out a genuine fragment 0 a forger must aim 15
 * more at its group after hearing it, before its last fragment arrives.
 */
export const MAX_HEADS = 16;
/** Different chunks kept per later index: 4, or 2 in four-fragment groups, so one fragment costs ≤ 64 hashes. */
export function maxVariants(index: number, count: number): number {
  if (index === 0) return MAX_HEADS;
  return count === 4 ? 2 : 4;
}

export type ReassemblyOutcome =
  | {
      readonly status: 'complete';
      readonly kind: Kind;
      readonly ext: boolean;
      /** The one body whose chunks match the commitment of its fragment 0. */
      readonly body: Uint8Array;
      /** `[body]`: never more than one candidate per arriving fragment. */
      readonly candidates: readonly Uint8Array[];
      /** Call once the body was accepted: the group is released (otherwise it expires). */
      readonly settle: () => void;
      readonly dropped: readonly EnvelopeError[];
    }
  | { readonly status: 'pending'; readonly dropped: readonly EnvelopeError[] }
  | { readonly status: 'duplicate'; readonly dropped: readonly EnvelopeError[] };

interface Variant {
  readonly chunk: Uint8Array;
  /** Fragment 0 only. */
  readonly commitment?: Uint8Array;
}

interface Group {
  readonly key: string;
  readonly source: number;
  readonly kind: Kind;
  readonly ext: boolean;
  readonly group: number;
  readonly count: number;
  readonly firstSeenMs: number;
  /** Distinct chunks per index, first heard first; at most maxVariants(index, count) each. */
  readonly variants: Variant[][];
  /** Bodies already offered (their SHA-256): a chunk sent again after eviction does not buy a second try. */
  readonly offered: Set<string>;
}

const NO_OP = () => undefined;

export class Reassembler {
  private readonly limits: ReassemblerLimits;
  /** Insertion order = age order, which eviction relies on. */
  private readonly groups = new Map<string, Group>();
  /** Pending groups per sender, oldest first. */
  private readonly bySender = new Map<number, Group[]>();

  constructor(limits: Partial<ReassemblerLimits> = {}) {
    this.limits = { ...DEFAULT_REASSEMBLER_LIMITS, ...limits };
    for (const [k, v] of Object.entries(this.limits)) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`reassembler limit ${k} must be a positive integer, got ${String(v)}`);
    }
  }

  get pendingGroups(): number {
    return this.groups.size;
  }

  push(origin: MessageOrigin, msg: EnvelopeMessage, nowMs: number): ReassemblyOutcome {
    const dropped = this.expire(nowMs);
    const f = msg.fragment;
    if (f === undefined) return { status: 'complete', kind: msg.kind, ext: msg.ext, body: msg.chunk, candidates: [msg.chunk], settle: NO_OP, dropped };

    if (f.index === 0 && f.commitment === undefined) throw new EnvelopeError('ENVELOPE_FORMAT', 'fragment 0 without its commitment');
    const key = `${origin.source}:${origin.destination ?? ''}:${msg.kind}:${f.group}:${f.count}:${msg.ext ? 1 : 0}`;
    let g = this.groups.get(key);
    if (g === undefined) {
      dropped.push(...this.makeRoom(origin.source));
      g = {
        key, source: origin.source, kind: msg.kind, ext: msg.ext, group: f.group, count: f.count, firstSeenMs: nowMs,
        variants: Array.from({ length: f.count }, () => []), offered: new Set(),
      };
      this.groups.set(key, g);
      const list = this.bySender.get(origin.source) ?? [];
      list.push(g);
      this.bySender.set(origin.source, list);
    }
    const variants = g.variants[f.index] as Variant[];
    const same = (v: Variant) => equalBytes(v.chunk, msg.chunk) && (f.index > 0 || equalBytes(v.commitment as Uint8Array, f.commitment as Uint8Array));
    if (variants.some(same)) return { status: 'duplicate', dropped };
    const cap = maxVariants(f.index, f.count);
    if (variants.length >= cap) {
      // Keep the first heard; the oldest of the others makes way.
      variants.splice(1, 1);
      dropped.push(new EnvelopeError('FRAGMENT_CONFLICT', `group ${f.group} from ${origin.source}: more than ${cap} different fragments ${f.index}; an older one dropped`));
    }
    // Copy: the caller's buffer may be reused for the next sentence.
    const added: Variant = f.index === 0 ? { chunk: msg.chunk.slice(), commitment: (f.commitment as Uint8Array).slice() } : { chunk: msg.chunk.slice() };
    variants.push(added);
    if (g.variants.some((v) => v.length === 0)) return { status: 'pending', dropped };

    const found = this.match(g, f.index, added);
    if (found.length > 1) dropped.push(new EnvelopeError('FRAGMENT_CONFLICT', `group ${f.group} from ${origin.source}: ${found.length - 1} more consistent bodies held back`));
    const first = found[0];
    if (first === undefined) return { status: 'pending', dropped };
    g.offered.add(first.id);
    // The group stays until the body is accepted: if this one was a consistent forgery, the genuine one may still come.
    const group = g;
    const settle = () => {
      if (this.groups.get(group.key) === group) this.remove(group);
    };
    return { status: 'complete', kind: msg.kind, ext: msg.ext, body: first.body, candidates: [first.body], settle, dropped };
  }

  /**
   * Bodies that use the new chunk and match the commitment of their fragment 0, not offered before. Earlier
   * combinations were tried when their last chunk arrived. At most 16 × 4 = 64 combinations (16 × 2 × 2 with four
   * fragments); the hash of each prefix is computed once and copied, so a combination costs about two SHA-256 blocks.
   */
  private match(g: Group, index: number, added: Variant): { body: Uint8Array; id: string }[] {
    const out: { body: Uint8Array; id: string }[] = [];
    const walk = (i: number, hash: ReturnType<typeof commitmentHash>, parts: Variant[]) => {
      if (i === g.count) {
        const digest = hash.digest();
        const head = parts[0] as Variant;
        if (!equalBytes(digest.subarray(0, COMMITMENT_BYTES), head.commitment as Uint8Array)) return;
        // The whole digest names the body, so the same body is never offered twice.
        const id = bytesToHex(digest);
        if (!g.offered.has(id) && !out.some((o) => o.id === id)) out.push({ body: concatBytes(...parts.map((p) => p.chunk)), id });
        return;
      }
      const pick = i === index ? [added] : (g.variants[i] as Variant[]);
      for (const v of pick) walk(i + 1, hash.clone().update(v.chunk), [...parts, v]);
    };
    walk(0, commitmentHash(g.kind, g.ext, g.group, g.count), []);
    return out;
  }

  /** Drops groups older than the timeout; returns one FRAGMENT_EXPIRED error per group that never completed. */
  expire(nowMs: number): EnvelopeError[] {
    const out: EnvelopeError[] = [];
    for (const g of this.groups.values()) {
      if (nowMs - g.firstSeenMs < this.limits.fragmentTimeoutMs) break;
      if (g.offered.size === 0) {
        const have = g.variants.filter((v) => v.length > 0).length;
        out.push(new EnvelopeError('FRAGMENT_EXPIRED', `group from ${g.source} incomplete after ${this.limits.fragmentTimeoutMs} ms (${have}/${g.count} fragments)`));
      }
      this.remove(g);
    }
    return out;
  }

  /**
   * Makes room for a new group of `source`: a sender at its cap loses its own oldest group, a full table its oldest
   * group of all. Both caps are high on purpose: anyone can transmit under the victim's MMSI, so to push out a group
   * that arrived after the flood began, a flood must outpace the cap between two of the victim's fragments, and
   * 256 messages are over three seconds of both VHF channels saturated, which is jamming.
   */
  private makeRoom(source: number): EnvelopeError[] {
    const out: EnvelopeError[] = [];
    const own = this.bySender.get(source);
    if (own !== undefined && own.length >= this.limits.maxPendingPerSender) {
      const oldest = own[0] as Group;
      out.push(new EnvelopeError('FRAGMENT_EVICTED', `group from ${source} evicted: more than ${this.limits.maxPendingPerSender} pending for this sender`));
      this.remove(oldest);
    }
    if (this.groups.size >= this.limits.maxPendingGroups) {
      const oldest = this.groups.values().next().value as Group;
      out.push(new EnvelopeError('FRAGMENT_EVICTED', `group from ${oldest.source} evicted: more than ${this.limits.maxPendingGroups} pending groups`));
      this.remove(oldest);
    }
    return out;
  }

  private remove(g: Group): void {
    this.groups.delete(g.key);
    const list = this.bySender.get(g.source);
    if (list === undefined) return;
    const i = list.indexOf(g);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.bySender.delete(g.source);
  }
}
