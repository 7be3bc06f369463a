/**
 * Reassembly of fragmented envelope bodies (docs/envelope.md §3). Bounded: a cap on pending groups in all and per
 * sender, and an expiry per group; everything dropped is returned as a typed error so the pipeline can count it.
 * Groups are keyed by (source MMSI, destination MMSI, kind, group id) — never by channel, since a transponder alternates
 * channels between transmissions — so two senders, or two groups of one sender, never mix.
 */
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
  // Fragments of one body go out back to back; a transponder broadcasts within 4 s of a BBM (IEC 61162-1 BBM notes).
  fragmentTimeoutMs: 30_000,
};

export interface MessageOrigin {
  /** Source MMSI from the AIS header of message 6/8. */
  readonly source: number;
  /** Destination MMSI of message 6; absent for message 8. */
  readonly destination?: number;
}

export type ReassemblyOutcome =
  | { readonly status: 'complete'; readonly kind: Kind; readonly ext: boolean; readonly body: Uint8Array; readonly dropped: readonly EnvelopeError[] }
  | { readonly status: 'pending'; readonly dropped: readonly EnvelopeError[] }
  | { readonly status: 'duplicate'; readonly dropped: readonly EnvelopeError[] };

interface Group {
  readonly key: string;
  readonly source: number;
  readonly count: number;
  readonly ext: boolean;
  readonly firstSeenMs: number;
  readonly chunks: (Uint8Array | undefined)[];
  received: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

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
    if (f === undefined) return { status: 'complete', kind: msg.kind, ext: msg.ext, body: msg.chunk, dropped };

    const key = `${origin.source}:${origin.destination ?? ''}:${msg.kind}:${f.group}`;
    let g = this.groups.get(key);
    if (g !== undefined) {
      const prior = g.chunks[f.index];
      if (g.count !== f.count) {
        dropped.push(new EnvelopeError('FRAGMENT_COUNT', `group ${f.group} from ${origin.source}: count ${f.count} after ${g.count}; older group discarded`));
        this.remove(g);
        g = undefined;
      } else if (g.ext !== msg.ext) {
        dropped.push(new EnvelopeError('FRAGMENT_CONFLICT', `group ${f.group} from ${origin.source}: signer flag changed; older group discarded`));
        this.remove(g);
        g = undefined;
      } else if (prior !== undefined) {
        if (sameBytes(prior, msg.chunk)) return { status: 'duplicate', dropped };
        dropped.push(new EnvelopeError('FRAGMENT_CONFLICT', `group ${f.group} from ${origin.source}: two different fragments ${f.index}; older group discarded`));
        this.remove(g);
        g = undefined;
      }
    }
    if (g === undefined) {
      dropped.push(...this.makeRoom(origin.source));
      g = { key, source: origin.source, count: f.count, ext: msg.ext, firstSeenMs: nowMs, chunks: new Array<Uint8Array | undefined>(f.count).fill(undefined), received: 0 };
      this.groups.set(key, g);
      this.perSender.set(origin.source, (this.perSender.get(origin.source) ?? 0) + 1);
    }
    // Copy: the caller's buffer may be reused for the next sentence.
    g.chunks[f.index] = msg.chunk.slice();
    g.received++;
    if (g.received < g.count) return { status: 'pending', dropped };

    this.remove(g);
    const total = g.chunks.reduce((n, c) => n + (c as Uint8Array).length, 0);
    const body = new Uint8Array(total);
    let off = 0;
    for (const c of g.chunks as Uint8Array[]) {
      body.set(c, off);
      off += c.length;
    }
    return { status: 'complete', kind: msg.kind, ext: msg.ext, body, dropped };
  }

  /** Drops groups older than the timeout; returns one FRAGMENT_EXPIRED error per group. */
  expire(nowMs: number): EnvelopeError[] {
    const out: EnvelopeError[] = [];
    for (const g of this.groups.values()) {
      if (nowMs - g.firstSeenMs < this.limits.fragmentTimeoutMs) break;
      out.push(new EnvelopeError('FRAGMENT_EXPIRED', `group from ${g.source} incomplete after ${this.limits.fragmentTimeoutMs} ms (${g.received}/${g.count} fragments)`));
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
