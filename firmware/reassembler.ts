/**
 * Reassembly of fragmented envelope bodies (docs/envelope.md §3). Bounded: a cap on pending groups in all and per
 * sender, and an expiry per group; everything dropped is returned as a typed error so the pipeline can count it.
 * Groups are keyed by (source MMSI, destination MMSI, kind, group id, count, signer flag) — never by channel, since a
 * transponder alternates channels between transmissions — so two senders, or two groups of one sender, never mix.
 *
 * Anyone can transmit under any MMSI, so a spoofer can inject fragments into a victim's group. Discarding the group on
 * a conflict would hand him a cheap denial of service; instead a group keeps up to MAX_VARIANTS different chunks per
 * fragment index and offers every combination (at most 2^4) as a candidate body. The caller verifies them — only the
 * genuine combination carries a valid signature or tag — and settles the group when one is accepted.
 */
import { equalBytes } from '@noble/ciphers/utils.js';
import { concatBytes } from '@noble/hashes/utils.js';
import type { EnvelopeMessage, Kind } from './envelope.js';
import { EnvelopeError } from './errors.js';

export interface ReassemblerLimits {
  /** Groups awaiting fragments, all senders together. */
  readonly maxPendingGroups: number;
  /** Groups awaiting fragments from one sender. */
  readonly maxPendingPerSender: number;
  /** A group expires this long after its first fragment arrived. */
  readonly fragmentTimeoutMs: number;
}

export const DEFAULT_REASSEMBLER_LIMITS: ReassemblerLimits = {
  maxPendingGroups: 512,
  maxPendingPerSender: 4,
  // Fragments of one body go out back to back and a transponder broadcasts within 4 s of a BBM (IEC 61162-1 BBM
  // notes), so 4 fragments take ≤ 16 s. Longer would let a ship reporting every 2 s reuse a group id (16 of them)
  // while its previous use is still pending.
  fragmentTimeoutMs: 16_000,
};

export interface MessageOrigin {
  /** Source MMSI from the AIS header of message 6/8. */
  readonly source: number;
  /** Destination MMSI of message 6; absent for message 8. */
  readonly destination?: number;
}

/** Different chunks kept for one fragment index: the genuine one and one injected by someone else. */
export const MAX_VARIANTS = 2;

export type ReassemblyOutcome =
  | {
      readonly status: 'complete';
      readonly kind: Kind;
      readonly ext: boolean;
      /** The first candidate; `candidates` has them all when fragments conflicted. */
      readonly body: Uint8Array;
      readonly candidates: readonly Uint8Array[];
      /** Call once a candidate was accepted: the group is released (otherwise it expires). */
      readonly settle: () => void;
      readonly dropped: readonly EnvelopeError[];
    }
  | { readonly status: 'pending'; readonly dropped: readonly EnvelopeError[] }
  | { readonly status: 'duplicate'; readonly dropped: readonly EnvelopeError[] };

interface Group {
  readonly key: string;
  readonly source: number;
  readonly count: number;
  readonly firstSeenMs: number;
  /** Distinct chunks seen per index, at most MAX_VARIANTS each. */
  readonly chunks: Uint8Array[][];
}

const NO_OP = () => undefined;

export class Reassembler {
  private readonly limits: ReassemblerLimits;
  /** Insertion order = age order, which eviction relies on. */
  private readonly groups = new Map<string, Group>();
  private readonly perSender = new Map<number, number>();

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

    const key = `${origin.source}:${origin.destination ?? ''}:${msg.kind}:${f.group}:${f.count}:${msg.ext ? 1 : 0}`;
    let g = this.groups.get(key);
    if (g === undefined) {
      dropped.push(...this.makeRoom(origin.source));
      g = { key, source: origin.source, count: f.count, firstSeenMs: nowMs, chunks: Array.from({ length: f.count }, () => []) };
      this.groups.set(key, g);
      this.perSender.set(origin.source, (this.perSender.get(origin.source) ?? 0) + 1);
    }
    const variants = g.chunks[f.index] as Uint8Array[];
    if (variants.some((v) => equalBytes(v, msg.chunk))) return { status: 'duplicate', dropped };
    if (variants.length >= MAX_VARIANTS) {
      dropped.push(new EnvelopeError('FRAGMENT_CONFLICT', `group ${f.group} from ${origin.source}: more than ${MAX_VARIANTS} different fragments ${f.index}; this one ignored`));
      return { status: 'pending', dropped };
    }
    // Copy: the caller's buffer may be reused for the next sentence.
    const chunk = msg.chunk.slice();
    variants.push(chunk);
    if (g.chunks.some((c) => c.length === 0)) return { status: 'pending', dropped };

    // Every combination that uses the new chunk; earlier combinations were offered when their last chunk arrived.
    let combos: Uint8Array[][] = [[]];
    g.chunks.forEach((options, index) => {
      const pick = index === f.index ? [chunk] : options;
      combos = combos.flatMap((prefix) => pick.map((c) => [...prefix, c]));
    });
    const candidates = combos.map((parts) => concatBytes(...parts));
    // The group stays until a candidate is accepted: if this one is a forgery, the genuine chunk may still come.
    const group = g;
    const settle = () => {
      if (this.groups.get(group.key) === group) this.remove(group);
    };
    return { status: 'complete', kind: msg.kind, ext: msg.ext, body: candidates[0] as Uint8Array, candidates, settle, dropped };
  }

  /** Drops groups older than the timeout; returns one FRAGMENT_EXPIRED error per group. */
  expire(nowMs: number): EnvelopeError[] {
    const out: EnvelopeError[] = [];
    for (const g of this.groups.values()) {
      if (nowMs - g.firstSeenMs < this.limits.fragmentTimeoutMs) break;
      const have = g.chunks.filter((c) => c.length > 0).length;
      if (have < g.count) {
        out.push(new EnvelopeError('FRAGMENT_EXPIRED', `group from ${g.source} incomplete after ${this.limits.fragmentTimeoutMs} ms (${have}/${g.count} fragments)`));
      }
      this.remove(g);
    }
    return out;
  }

  private makeRoom(source: number): EnvelopeError[] {
    const out: EnvelopeError[] = [];
    if ((this.perSender.get(source) ?? 0) >= this.limits.maxPendingPerSender) {
      for (const g of this.groups.values()) {
        if (g.source !== source) continue;
        out.push(new EnvelopeError('FRAGMENT_EVICTED', `group from ${source} evicted: more than ${this.limits.maxPendingPerSender} pending for this sender`));
        this.remove(g);
        break;
      }
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
    const n = (this.perSender.get(g.source) ?? 1) - 1;
    if (n === 0) this.perSender.delete(g.source);
    else this.perSender.set(g.source, n);
  }
}
