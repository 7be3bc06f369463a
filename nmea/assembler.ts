/**
 * Multi-sentence assembly of encapsulated AIS sentences — VDM/VDO, and ABM/BBM (IEC 61162-1 §8.3.91/92, §8.3.1,
 * §8.3.9: fragments of one message share the sequential id (and, for VDM, the channel) and arrive in order).
 * Each parser gives its fragments a key — for VDM (talker, formatter, channel, sequential id, count), since
 * fragments of different channels interleave (rtl-ais #39) — and groups are joined strictly in order, so a duplicated,
 * missing or reordered part can never splice two messages together. Memory is bounded by `maxPending` groups of
 * at most 9 fragments; groups older than `timeoutMs` are dropped. Time comes from the caller, never from a clock.
 */
import { AisFragmentError } from './errors.js';
import { unarmour, type AisBits } from './sixbit.js';
import type { VdmFragment } from './vdm.js';

/** What the assembler needs to know about one sentence of a multi-sentence message. */
export interface Fragment {
  /** Fragments with equal keys belong to the same message. */
  readonly key: string;
  readonly count: number;
  /** 1-based. */
  readonly index: number;
  readonly payload: string;
  readonly fillBits: number;
  readonly sentence: { readonly raw: string };
}

/** Default cap on incomplete messages held at once (two channels × ten sequential ids, with room to spare). */
export const DEFAULT_MAX_PENDING = 32;
/** Default lifetime of an incomplete message: fragments of one message are sent back to back, within a second. */
export const DEFAULT_FRAGMENT_TIMEOUT_MS = 5_000;

export interface Assembled<F extends Fragment> {
  readonly bits: AisBits;
  /** The sentences the message came in, in order, for forwarding unchanged. */
  readonly fragments: readonly F[];
}
export type AssembledVdm = Assembled<VdmFragment>;

export interface AssemblerOptions {
  readonly maxPending?: number;
  readonly timeoutMs?: number;
  /** Told about incomplete groups that are dropped (superseded, expired or evicted); they are never thrown. */
  readonly onDiscard?: (error: AisFragmentError) => void;
}

interface Group<F extends Fragment> {
  readonly fragments: F[];
  readonly firstSeen: number;
}

export class FragmentAssembler<F extends Fragment> {
  readonly maxPending: number;
  readonly timeoutMs: number;
  private readonly onDiscard: (error: AisFragmentError) => void;
  private readonly groups = new Map<string, Group<F>>();

  constructor(options: AssemblerOptions = {}) {
    const { maxPending = DEFAULT_MAX_PENDING, timeoutMs = DEFAULT_FRAGMENT_TIMEOUT_MS, onDiscard = () => {} } = options;
    if (!Number.isInteger(maxPending) || maxPending < 1) throw new RangeError(`maxPending: expected integer ≥ 1, got ${maxPending}`);
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs: expected > 0, got ${timeoutMs}`);
    this.maxPending = maxPending;
    this.timeoutMs = timeoutMs;
    this.onDiscard = onDiscard;
  }

  /** Incomplete messages currently held. */
  get pending(): number {
    return this.groups.size;
  }

  /**
   * Adds a fragment received at `now` (milliseconds, any epoch, from the caller's clock). Returns the message
   * when this fragment completes it. Throws `AisFragmentError` when this fragment cannot be used, and an
   * `AisArmourError` when a completed message has a bad payload character.
   */
  push(fragment: F, now: number): Assembled<F> | undefined {
    if (!Number.isFinite(now)) throw new TypeError(`now: expected a finite time in ms, got ${now}`);
    this.expire(now);
    if (fragment.count === 1) return this.complete([fragment]);
    const key = fragment.key;
    const group = this.groups.get(key);
    if (fragment.index === 1) {
      if (group !== undefined) {
        this.groups.delete(key);
        this.discard('AIS_FRAGMENT_MISSING', `message ${key} superseded after ${group.fragments.length} of ${fragment.count} fragments`);
      }
      if (this.groups.size >= this.maxPending) {
        const [oldest] = this.groups.keys();
        this.groups.delete(oldest!);
        this.discard('AIS_FRAGMENT_EVICTED', `message ${oldest!} evicted: more than ${this.maxPending} incomplete messages`);
      }
      this.groups.set(key, { fragments: [fragment], firstSeen: now });
      return undefined;
    }
    const sentence = fragment.sentence.raw;
    if (group === undefined) {
      throw new AisFragmentError('AIS_FRAGMENT_ORDER', `fragment ${fragment.index} of ${fragment.count} without its predecessors`, { sentence });
    }
    const expected = group.fragments.length + 1;
    if (fragment.index < expected) {
      throw new AisFragmentError('AIS_FRAGMENT_DUPLICATE', `fragment ${fragment.index} of ${fragment.count} received twice`, { sentence });
    }
    if (fragment.index > expected) {
      this.groups.delete(key);
      throw new AisFragmentError('AIS_FRAGMENT_MISSING', `fragment ${expected} of ${fragment.count} missing before ${fragment.index}`, { sentence });
    }
    group.fragments.push(fragment);
    if (fragment.index < fragment.count) return undefined;
    this.groups.delete(key);
    return this.complete(group.fragments);
  }

  /** Drops groups first seen more than `timeoutMs` before `now`; returns how many. */
  expire(now: number): number {
    let dropped = 0;
    for (const [key, group] of this.groups) {
      // Insertion order is arrival order, so the first young group ends the scan.
      if (now - group.firstSeen <= this.timeoutMs) break;
      this.groups.delete(key);
      this.discard('AIS_FRAGMENT_EXPIRED', `message ${key} incomplete after ${this.timeoutMs} ms`);
      dropped++;
    }
    return dropped;
  }

  /** Forgets every incomplete message (e.g. after the input port was reopened). */
  clear(): void {
    this.groups.clear();
  }

  private complete(fragments: F[]): Assembled<F> {
    const last = fragments[fragments.length - 1]!;
    const payload = fragments.length === 1 ? last.payload : fragments.map((f) => f.payload).join('');
    return { bits: unarmour(payload, last.fillBits), fragments };
  }

  private discard(code: 'AIS_FRAGMENT_MISSING' | 'AIS_FRAGMENT_EVICTED' | 'AIS_FRAGMENT_EXPIRED', message: string): void {
    this.onDiscard(new AisFragmentError(code, message));
  }
}

/** The assembler for VDM/VDO fragments (`parseVdm`). */
export class VdmAssembler extends FragmentAssembler<VdmFragment> {}
