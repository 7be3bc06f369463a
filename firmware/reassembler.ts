/**
 * Reassembly of fragmented envelope bodies (docs/envelope.md §1, §3): bounded buffers, per-sender caps and
 * expiry per group; everything dropped is returned as a typed error so the pipeline can count it.
 * Groups are keyed by (source MMSI, destination MMSI, kind, group id, count, signer flag) — never by channel, since a
 * transponder alternates channels between transmissions — so two senders, or two groups of one sender, never mix.
 *
 * Anyone can transmit under any MMSI, so a spoofer can inject fragments into a victim's group. Fragment 0 (the
 * "head") carries a digest of every later chunk, so a later chunk is checked against each head the moment it
 * arrives, without a signature: a forged variant matches no genuine head and never joins it. Heads are kept first
 * come, first served (a forger racing the genuine head cannot displace it, and group ids are random, so it cannot
 * place one ahead of it either); chunks that match no head yet are kept, bounded, in case their head comes later.
 * A group offers the caller at most one candidate body per arriving fragment: the head that it completed.
 */
import { equalBytes } from '@noble/ciphers/utils.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { CHUNK_DIGEST_BYTES, chunkDigest, type EnvelopeMessage, type Kind } from './envelope.js';
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

/** Different fragments 0 kept per group: the genuine one and forgeries sent under the same MMSI and group id. */
export const MAX_HEADS = 4;
/** Chunks per later index kept while no head matches them. */
export const MAX_ORPHANS = 4;

export type ReassemblyOutcome =
  | {
      readonly status: 'complete';
      readonly kind: Kind;
      readonly ext: boolean;
      /** The one body whose chunks match its fragment 0's digests. */
      readonly body: Uint8Array;
      /** `[body]`: never more than one candidate per arriving fragment. */
      readonly candidates: readonly Uint8Array[];
      /** Call once the body was accepted: the group is released (otherwise it expires). */
      readonly settle: () => void;
      readonly dropped: readonly EnvelopeError[];
    }
  | { readonly status: 'pending'; readonly dropped: readonly EnvelopeError[] }
  | { readonly status: 'duplicate'; readonly dropped: readonly EnvelopeError[] };

interface Head {
  readonly digests: Uint8Array;
  /** parts[0] is the head's own chunk; parts[i] the chunk i that matched digest i, once it arrived. */
  readonly parts: (Uint8Array | undefined)[];
  offered: boolean;
}

interface Group {
  readonly key: string;
  readonly source: number;
  readonly kind: Kind;
  readonly ext: boolean;
  readonly group: number;
  readonly count: number;
  readonly firstSeenMs: number;
  readonly heads: Head[];
  /** Chunks per index (index 0 unused) that matched no head when they came. */
  readonly orphans: Uint8Array[][];
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

    const key = `${origin.source}:${origin.destination ?? ''}:${msg.kind}:${f.group}:${f.count}:${msg.ext ? 1 : 0}`;
    let g = this.groups.get(key);
    if (g === undefined) {
      dropped.push(...this.makeRoom(origin.source));
      g = {
        key, source: origin.source, kind: msg.kind, ext: msg.ext, group: f.group, count: f.count, firstSeenMs: nowMs,
        heads: [], orphans: Array.from({ length: f.count }, () => []),
      };
      this.groups.set(key, g);
      const list = this.bySender.get(origin.source) ?? [];
      list.push(g);
      this.bySender.set(origin.source, list);
    }
    // Copy: the caller's buffer may be reused for the next sentence.
    const chunk = msg.chunk.slice();
    const completed = f.index === 0 ? this.addHead(g, chunk, (f.digests ?? new Uint8Array(0)).slice(), dropped) : this.addChunk(g, f.index, chunk, dropped);
    if (completed === 'duplicate') return { status: 'duplicate', dropped };
    if (completed === undefined) return { status: 'pending', dropped };
    completed.offered = true;
    const body = concatBytes(...(completed.parts as Uint8Array[]));
    // The group stays until the body is accepted: if this head was a consistent forgery, the genuine one may still come.
    const group = g;
    const settle = () => {
      if (this.groups.get(group.key) === group) this.remove(group);
    };
    return { status: 'complete', kind: msg.kind, ext: msg.ext, body, candidates: [body], settle, dropped };
  }

  private addHead(g: Group, chunk: Uint8Array, digests: Uint8Array, dropped: EnvelopeError[]): Head | 'duplicate' | undefined {
    if (g.heads.some((h) => equalBytes(h.parts[0] as Uint8Array, chunk) && equalBytes(h.digests, digests))) return 'duplicate';
    if (g.heads.length >= MAX_HEADS) {
      dropped.push(this.conflict(g, `more than ${MAX_HEADS} different fragments 0; this one ignored`));
      return undefined;
    }
    const head: Head = { digests, parts: Array.from({ length: g.count }, (_, i) => (i === 0 ? chunk : undefined)), offered: false };
    g.heads.push(head);
    for (let i = 1; i < g.count; i++) {
      head.parts[i] = (g.orphans[i] as Uint8Array[]).find((c) => this.matches(g, head, i, chunkDigest(g.kind, g.ext, g.group, g.count, i, c)));
    }
    return head.parts.every((p) => p !== undefined) ? head : undefined;
  }

  private addChunk(g: Group, index: number, chunk: Uint8Array, dropped: EnvelopeError[]): Head | 'duplicate' | undefined {
    const orphans = g.orphans[index] as Uint8Array[];
    if (orphans.some((c) => equalBytes(c, chunk)) || g.heads.some((h) => h.parts[index] !== undefined && equalBytes(h.parts[index] as Uint8Array, chunk))) {
      return 'duplicate';
    }
    const digest = chunkDigest(g.kind, g.ext, g.group, g.count, index, chunk);
    let completed: Head | undefined;
    let matched = false;
    for (const h of g.heads) {
      if (!this.matches(g, h, index, digest)) continue;
      matched = true;
      if (h.parts[index] !== undefined) {
        // A second chunk with the digest of the first: a crafted collision, worth one pairing at most, never more.
        dropped.push(this.conflict(g, `a second fragment ${index} matches the same digest; ignored`));
        continue;
      }
      h.parts[index] = chunk;
      if (completed === undefined && !h.offered && h.parts.every((p) => p !== undefined)) completed = h;
    }
    if (matched) return completed;
    if (orphans.length >= MAX_ORPHANS) {
      dropped.push(this.conflict(g, `more than ${MAX_ORPHANS} unmatched fragments ${index}; this one ignored`));
      return undefined;
    }
    orphans.push(chunk);
    return undefined;
  }

  private matches(g: Group, h: Head, index: number, digest: Uint8Array): boolean {
    const at = (index - 1) * CHUNK_DIGEST_BYTES;
    return g.count === h.parts.length && equalBytes(h.digests.subarray(at, at + CHUNK_DIGEST_BYTES), digest);
  }

  private conflict(g: Group, what: string): EnvelopeError {
    return new EnvelopeError('FRAGMENT_CONFLICT', `group ${g.group} from ${g.source}: ${what}`);
  }

  /** Drops groups older than the timeout; returns one FRAGMENT_EXPIRED error per group that never completed. */
  expire(nowMs: number): EnvelopeError[] {
    const out: EnvelopeError[] = [];
    for (const g of this.groups.values()) {
      if (nowMs - g.firstSeenMs < this.limits.fragmentTimeoutMs) break;
      if (!g.heads.some((h) => h.offered)) {
        const best = Math.max(0, ...g.heads.map((h) => h.parts.filter((p) => p !== undefined).length));
        out.push(new EnvelopeError('FRAGMENT_EXPIRED', `group from ${g.source} incomplete after ${this.limits.fragmentTimeoutMs} ms (${best}/${g.count} fragments)`));
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
