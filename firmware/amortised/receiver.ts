/**
 * Receiver state machine (TESLA receiver, Perrig et al. 2002 §2.4 "safe packets"; RFC 4082 §3.5), one state per
 * sender, bounded in senders, reports, tags and buffered bodies, every entry expiring.
 *
 * Each received report is `pending` at once, then `authenticated` when a safe tag under an authenticated chain key
 * verifies it, or `failed` with a reason. It is never `authenticated` before that: a report's status only changes
 * after a key has been verified against the signed anchor by hashing down the chain.
 *
 * Safety (the TESLA security condition): a tag or report for interval m is used only when it was received while
 * K_m was certainly still secret — receive time + skew tolerance δ < (m+1)·P + d, the key's scheduled disclosure —
 * and before this receiver had seen any key of index ≥ m.
 */
import { AmortisedError } from './errors.js';
import { anchorSignedMessage, decodeAnchorBody } from './anchor.js';
import { decodeBatchBody, peekBatchGen } from './batch.js';
import { deriveKey, verifyDisclosedKey, type ChainId } from './chain.js';
import { disclosureTimeOf, intervalOf, sameParams, type TeslaParams } from './params.js';
import { checkReport, computeTag, macKeyOf, type Report } from './tag.js';
import { equalBytes } from './_bytes.js';
import { reconstructSecond } from './time.js';
import { AMORTISED_KIND } from './sender.js';

export type ReportStatus = 'pending' | 'authenticated' | 'failed';

export const FailReason = {
  /** A safe tag for this second exists under an authenticated key but does not match: altered or forged report. */
  TagMismatch: 'tag-mismatch',
  /** A batch of the sender lists its reports around this second and this one is not among them: never sent. */
  NoTag: 'no-tag',
  /** Two reports match one tag: one of them is forged, so neither is believed. */
  Collision: 'collision',
  /** The batch for the report's interval never arrived safely; nothing can prove it any more. */
  Unverifiable: 'unverifiable',
  /** Still waiting for an anchor or key after `pendingExpiryS`. */
  Expired: 'expired',
  /** Received too far from its own UTC second: could have been made after the key was out. */
  Stale: 'stale',
  /** More reports from one MMSI in one second than a station sends: the limit on online guesses. */
  Flood: 'flood',
  /** Pushed out by a newer report or a newer sender (limits). */
  Evicted: 'evicted',
} as const;
export type FailReason = (typeof FailReason)[keyof typeof FailReason];

export const NoticeCode = {
  AnchorAccepted: 'anchor-accepted',
  AnchorBadSignature: 'anchor-bad-signature',
  AnchorStale: 'anchor-stale',
  BodyMalformed: 'body-malformed',
  BatchUnsafe: 'batch-unsafe',
  KeyRejected: 'key-rejected',
  KeyTooFar: 'key-too-far',
  EarlyDisclosure: 'early-disclosure',
  BufferFull: 'buffer-full',
  SenderEvicted: 'sender-evicted',
} as const;
export type NoticeCode = (typeof NoticeCode)[keyof typeof NoticeCode];

export type ReceiverEvent =
  | {
      readonly type: 'report';
      readonly mmsi: number;
      readonly id: number;
      readonly status: ReportStatus;
      readonly reason?: FailReason;
      readonly atS: number;
    }
  | { readonly type: 'notice'; readonly mmsi: number; readonly code: NoticeCode; readonly atS: number };

export interface ReceiverLimits {
  /** δ: how far this receiver's UTC may be from the sender's (GNSS ±1 s plus rounding to the second). */
  readonly skewToleranceS: number;
  /** A tag names the sender's second; reports within this many seconds of it are its candidates. */
  readonly secondToleranceS: number;
  readonly maxSenders: number;
  readonly maxPendingReportsPerSender: number;
  readonly maxTagsPerSender: number;
  /** Kind 6 bodies kept while no anchor for their chain is known. */
  readonly maxUnanchoredBodiesPerSender: number;
  /** Reports, tags and buffered bodies older than this are dropped (pending reports fail as expired). */
  readonly pendingExpiryS: number;
  /** Most chain steps hashed for one disclosed key. */
  readonly maxChainSteps: number;
  readonly maxReportsPerSenderSecond: number;
  /** An anchor's second must lie within this of the receiver's clock. */
  readonly anchorFreshnessS: number;
}

export const DEFAULT_RECEIVER_LIMITS: ReceiverLimits = {
  skewToleranceS: 2,
  secondToleranceS: 1,
  maxSenders: 512,
  maxPendingReportsPerSender: 256,
  maxTagsPerSender: 1024,
  maxUnanchoredBodiesPerSender: 32,
  pendingExpiryS: 180,
  maxChainSteps: 1024,
  maxReportsPerSenderSecond: 2,
  anchorFreshnessS: 30,
};

export interface ReceiverConfig {
  /** BLMQ verification by the modes layer: the signer's key for the epoch with this parity. */
  readonly verify: (signerMmsi: number, epochParity: 0 | 1, message: Uint8Array, signature: Uint8Array) => boolean;
  readonly limits?: Partial<ReceiverLimits>;
}

interface ChainState {
  readonly id: ChainId;
  readonly params: TeslaParams;
  keyIndex: number;
  key: Uint8Array;
  /** When each authenticated key index first became known here (for the "no key ≥ m seen yet" rule). */
  history: { index: number; atS: number }[];
  /**
   * Second spans [first, last] of the entries of batch bodies whose disclosed key verified. A body's entries are a
   * contiguous run of the sender's own reports, so a report inside a span that the body does not name was never sent.
   */
  spans: { from: number; to: number; atS: number }[];
}

interface TagRecord {
  readonly uid: number;
  readonly gen: 0 | 1;
  readonly interval: number;
  readonly second: number;
  readonly tag: Uint8Array;
  readonly recvS: number;
}

interface ReportRecord {
  readonly id: number;
  readonly report: Report;
  readonly recvS: number;
  status: ReportStatus;
  /** tag uid → verified? */
  readonly checked: Map<number, boolean>;
}

interface SenderState {
  readonly mmsi: number;
  chains: [ChainState | undefined, ChainState | undefined];
  reports: ReportRecord[];
  tags: TagRecord[];
  unanchored: { body: Uint8Array; recvS: number }[];
  lastSeenS: number;
}

type KeyVerdict = 'ok' | 'rejected' | 'unchecked';

export class AmortisedReceiver {
  readonly #verify: ReceiverConfig['verify'];
  readonly #lim: ReceiverLimits;
  readonly #senders = new Map<number, SenderState>();
  #nextId = 1;
  #nextTagUid = 1;

  constructor(cfg: ReceiverConfig) {
    this.#verify = cfg.verify;
    this.#lim = { ...DEFAULT_RECEIVER_LIMITS, ...cfg.limits };
  }

  get limits(): ReceiverLimits {
    return this.#lim;
  }

  /** A plain report heard from `mmsi` at receiver UTC `recvS`; the first event names its id. */
  onReport(mmsi: number, report: Report, recvS: number): ReceiverEvent[] {
    checkReport(report);
    const out: ReceiverEvent[] = [];
    const st = this.#sender(mmsi, recvS, out);
    const rec: ReportRecord = { id: this.#nextId++, report, recvS, status: 'pending', checked: new Map() };
    out.push({ type: 'report', mmsi, id: rec.id, status: 'pending', atS: recvS });
    st.reports.push(rec);
    if (Math.abs(report.second - recvS) > this.#lim.skewToleranceS + this.#lim.secondToleranceS) {
      this.#fail(st, rec, FailReason.Stale, recvS, out);
    }
    const sameSecond = st.reports.filter((r) => r.report.second === report.second);
    if (sameSecond.length > this.#lim.maxReportsPerSenderSecond) {
      for (const r of sameSecond) this.#fail(st, r, FailReason.Flood, recvS, out);
    }
    const pending = st.reports.filter((r) => r.status === 'pending');
    for (let i = 0; i < pending.length - this.#lim.maxPendingReportsPerSender; i++) {
      const r = pending[i];
      if (r !== undefined) this.#fail(st, r, FailReason.Evicted, recvS, out);
    }
    this.#evaluate(st, recvS, out);
    return out;
  }

  /** A reassembled envelope body of kind 5 or 6 from `mmsi`, received at `recvS`. */
  onBody(mmsi: number, kind: number, body: Uint8Array, recvS: number): ReceiverEvent[] {
    const out: ReceiverEvent[] = [];
    const st = this.#sender(mmsi, recvS, out);
    try {
      if (kind === AMORTISED_KIND.anchor) this.#onAnchor(st, body, recvS, out);
      else if (kind === AMORTISED_KIND.batch) this.#onBatch(st, body, recvS, recvS, out);
      else throw new RangeError(`kind ${kind} is not an amortised-authentication body`);
    } catch (err) {
      if (!(err instanceof AmortisedError)) throw err;
      out.push({ type: 'notice', mmsi, code: NoticeCode.BodyMalformed, atS: recvS });
    }
    this.#evaluate(st, recvS, out);
    return out;
  }

  /** Time passing: closes reports whose evidence can no longer arrive and expires old state. */
  tick(nowS: number): ReceiverEvent[] {
    const out: ReceiverEvent[] = [];
    for (const st of this.#senders.values()) this.#evaluate(st, nowS, out);
    return out;
  }

  statusOf(mmsi: number, id: number): ReportStatus | undefined {
    return this.#senders.get(mmsi)?.reports.find((r) => r.id === id)?.status;
  }

  get senderCount(): number {
    return this.#senders.size;
  }

  #sender(mmsi: number, nowS: number, out: ReceiverEvent[]): SenderState {
    let st = this.#senders.get(mmsi);
    if (st === undefined) {
      if (this.#senders.size >= this.#lim.maxSenders) {
        let oldest: SenderState | undefined;
        for (const s of this.#senders.values()) if (oldest === undefined || s.lastSeenS < oldest.lastSeenS) oldest = s;
        if (oldest !== undefined) {
          for (const r of oldest.reports) this.#fail(oldest, r, FailReason.Evicted, nowS, out);
          this.#senders.delete(oldest.mmsi);
          out.push({ type: 'notice', mmsi: oldest.mmsi, code: NoticeCode.SenderEvicted, atS: nowS });
        }
      }
      st = { mmsi, chains: [undefined, undefined], reports: [], tags: [], unanchored: [], lastSeenS: nowS };
      this.#senders.set(mmsi, st);
    }
    st.lastSeenS = Math.max(st.lastSeenS, nowS);
    return st;
  }

  #notice(st: SenderState, code: NoticeCode, atS: number, out: ReceiverEvent[]): void {
    out.push({ type: 'notice', mmsi: st.mmsi, code, atS });
  }

  #fail(st: SenderState, r: ReportRecord, reason: FailReason, atS: number, out: ReceiverEvent[]): void {
    if (r.status !== 'pending') return;
    r.status = 'failed';
    out.push({ type: 'report', mmsi: st.mmsi, id: r.id, status: 'failed', reason, atS });
  }

  #onAnchor(st: SenderState, body: Uint8Array, recvS: number, out: ReceiverEvent[]): void {
    const a = decodeAnchorBody(body);
    const s = reconstructSecond(a.t6, recvS);
    if (Math.abs(s - recvS) > this.#lim.anchorFreshnessS) return this.#notice(st, NoticeCode.AnchorStale, recvS, out);
    if (!this.#verify(st.mmsi, a.epochParity, anchorSignedMessage(st.mmsi, s, a), a.signature)) {
      return this.#notice(st, NoticeCode.AnchorBadSignature, recvS, out);
    }
    const c = intervalOf(a.params, s) - a.back;
    const id: ChainId = { mmsi: st.mmsi, gen: a.gen, keyBytes: a.params.keyBytes, salt: a.salt };
    const cur = st.chains[a.gen];
    const fresh = (): ChainState => ({
      id,
      params: a.params,
      keyIndex: c,
      key: a.key,
      history: [{ index: c, atS: recvS }],
      spans: [],
    });
    if (cur === undefined || !sameParams(cur.params, a.params) || !equalBytes(cur.id.salt, a.salt)) {
      st.chains[a.gen] = fresh();
      st.tags = st.tags.filter((t) => t.gen !== a.gen);
    } else {
      const verdict = this.#offerKey(st, cur, c, a.key, recvS, out, false);
      // A signed commitment that is not on the chain we follow starts a new chain (a sender restart, say).
      if (verdict !== 'ok') {
        st.chains[a.gen] = fresh();
        st.tags = st.tags.filter((t) => t.gen !== a.gen);
      }
    }
    this.#notice(st, NoticeCode.AnchorAccepted, recvS, out);
    const waiting = st.unanchored.filter((u) => peekBatchGen(u.body) === a.gen);
    st.unanchored = st.unanchored.filter((u) => !waiting.includes(u));
    for (const u of waiting) {
      try {
        this.#onBatch(st, u.body, u.recvS, recvS, out);
      } catch (err) {
        if (!(err instanceof AmortisedError)) throw err;
        this.#notice(st, NoticeCode.BodyMalformed, recvS, out);
      }
    }
  }

  #onBatch(st: SenderState, body: Uint8Array, recvS: number, nowS: number, out: ReceiverEvent[]): void {
    const gen = peekBatchGen(body);
    const chain = st.chains[gen];
    if (chain === undefined) {
      st.unanchored.push({ body, recvS });
      if (st.unanchored.length > this.#lim.maxUnanchoredBodiesPerSender) {
        st.unanchored.shift();
        this.#notice(st, NoticeCode.BufferFull, nowS, out);
      }
      return;
    }
    const p = chain.params;
    const b = decodeBatchBody(p, body);
    const s = reconstructSecond(b.t6, recvS);
    if (b.keyOnly) {
      this.#offerKey(st, chain, Math.floor((s - p.disclosureDelayS) / p.intervalS) - 1, b.key, recvS, out, true);
      return;
    }
    const m = intervalOf(p, s) - 1;
    const safe = recvS + this.#lim.skewToleranceS < disclosureTimeOf(p, m) && this.#keyIndexAt(chain, recvS) < m;
    const verdict = this.#offerKey(st, chain, m - 1, b.key, recvS, out, true);
    if (!safe) return this.#notice(st, NoticeCode.BatchUnsafe, nowS, out);
    // A batch whose disclosed key is provably wrong did not come from the sender: none of its tags are kept.
    if (verdict === 'rejected') return;
    const base = (m - p.window + 1) * p.intervalS;
    const first = b.entries[0];
    const last = b.entries[b.entries.length - 1];
    if (verdict === 'ok' && first !== undefined && last !== undefined) {
      chain.spans.push({ from: base + first.offset, to: base + last.offset, atS: recvS });
    }
    for (const e of b.entries) {
      const second = base + e.offset;
      const dup = st.tags.some(
        (t) => t.gen === gen && t.interval === m && t.second === second && equalBytes(t.tag, e.tag),
      );
      if (!dup) st.tags.push({ uid: this.#nextTagUid++, gen, interval: m, second, tag: e.tag, recvS });
    }
    if (st.tags.length > this.#lim.maxTagsPerSender) {
      st.tags.splice(0, st.tags.length - this.#lim.maxTagsPerSender);
      this.#notice(st, NoticeCode.BufferFull, nowS, out);
    }
  }

  #keyIndexAt(chain: ChainState, t: number): number {
    let best = Number.NEGATIVE_INFINITY;
    for (const h of chain.history) if (h.atS <= t && h.index > best) best = h.index;
    return best;
  }

  /** Checks a disclosed K_index against the chain; advances the chain on a newer authentic key. */
  #offerKey(
    st: SenderState,
    chain: ChainState,
    index: number,
    key: Uint8Array,
    recvS: number,
    out: ReceiverEvent[],
    notify: boolean,
  ): KeyVerdict {
    const lim = this.#lim;
    let verdict: KeyVerdict;
    if (index <= chain.keyIndex) {
      verdict =
        chain.keyIndex - index > lim.maxChainSteps
          ? 'unchecked'
          : equalBytes(deriveKey(chain.id, chain.keyIndex, chain.key, index, lim.maxChainSteps), key)
            ? 'ok'
            : 'rejected';
    } else if (index - chain.keyIndex > lim.maxChainSteps) {
      verdict = 'unchecked';
      if (notify) this.#notice(st, NoticeCode.KeyTooFar, recvS, out);
    } else if (verifyDisclosedKey(chain.id, index, key, { index: chain.keyIndex, key: chain.key }, lim.maxChainSteps)) {
      verdict = 'ok';
      chain.keyIndex = index;
      chain.key = key;
      chain.history.push({ index, atS: recvS });
      if (recvS + lim.skewToleranceS < disclosureTimeOf(chain.params, index)) {
        this.#notice(st, NoticeCode.EarlyDisclosure, recvS, out);
      }
    } else {
      verdict = 'rejected';
    }
    if (verdict === 'rejected' && notify) this.#notice(st, NoticeCode.KeyRejected, recvS, out);
    return verdict;
  }

  /** Decides what can be decided at `nowS`, then drops what has expired. */
  #evaluate(st: SenderState, nowS: number, out: ReceiverEvent[]): void {
    const lim = this.#lim;
    const pending = st.reports.filter((r) => r.status === 'pending');
    const macKeys = new Map<string, Uint8Array>();
    const matchesOf = new Map<number, ReportRecord[]>();
    for (const chain of st.chains) {
      if (chain === undefined) continue;
      const p = chain.params;
      for (const t of st.tags) {
        if (t.gen !== chain.id.gen || t.interval > chain.keyIndex || chain.keyIndex - t.interval > lim.maxChainSteps) continue;
        for (const r of st.reports) {
          if (r.status === 'failed') continue;
          if (Math.abs(r.report.second - t.second) > lim.secondToleranceS) continue;
          const mr = intervalOf(p, r.report.second);
          if (t.interval < mr || t.interval >= mr + p.window) continue;
          if (r.recvS + lim.skewToleranceS >= disclosureTimeOf(p, t.interval)) continue;
          let ok = r.checked.get(t.uid);
          if (ok === undefined) {
            const mk = `${chain.id.gen}:${t.interval}`;
            let macKey = macKeys.get(mk);
            if (macKey === undefined) {
              macKey = macKeyOf(deriveKey(chain.id, chain.keyIndex, chain.key, t.interval, lim.maxChainSteps));
              macKeys.set(mk, macKey);
            }
            const ctx = { mmsi: st.mmsi, gen: chain.id.gen, interval: t.interval, tagBytes: p.tagBytes };
            ok = equalBytes(computeTag(macKey, ctx, { ...r.report, second: t.second }), t.tag);
            r.checked.set(t.uid, ok);
          }
          if (ok) matchesOf.set(t.uid, [...(matchesOf.get(t.uid) ?? []), r]);
        }
      }
    }
    for (const m of macKeys.values()) m.fill(0);
    const collided = new Set<ReportRecord>();
    for (const rs of matchesOf.values()) if (rs.length > 1) for (const r of rs) collided.add(r);
    for (const r of pending) {
      if (collided.has(r)) {
        this.#fail(st, r, FailReason.Collision, nowS, out);
        continue;
      }
      if ([...matchesOf.values()].some((rs) => rs.length === 1 && rs[0] === r)) {
        r.status = 'authenticated';
        out.push({ type: 'report', mmsi: st.mmsi, id: r.id, status: 'authenticated', atS: nowS });
        continue;
      }
      const closed = this.#closedReason(st, r, nowS);
      if (closed !== undefined) this.#fail(st, r, closed, nowS, out);
      else if (nowS - r.recvS > lim.pendingExpiryS) this.#fail(st, r, FailReason.Expired, nowS, out);
    }
    const horizon = nowS - lim.pendingExpiryS;
    st.reports = st.reports.filter((r) => r.recvS >= horizon);
    st.tags = st.tags.filter((t) => t.recvS >= horizon);
    st.unanchored = st.unanchored.filter((u) => u.recvS >= horizon);
    for (const chain of st.chains) {
      if (chain === undefined) continue;
      const last = chain.history[chain.history.length - 1];
      chain.history = chain.history.filter((h) => h.atS >= horizon || h === last);
      chain.spans = chain.spans.filter((sp) => sp.atS >= horizon);
    }
  }

  /**
   * A report fails once no further evidence can arrive: every batch that may carry its tag is past its safe window,
   * and every tag heard for its second has an authenticated key (so none of them can still match).
   */
  #closedReason(st: SenderState, r: ReportRecord, nowS: number): FailReason | undefined {
    const lim = this.#lim;
    const chains = st.chains.filter((c): c is ChainState => c !== undefined);
    if (chains.length === 0) return undefined;
    let anyTag = false;
    let named = false;
    for (const chain of chains) {
      const p = chain.params;
      const mr = intervalOf(p, r.report.second);
      const lastCovering = mr + p.window - 1;
      if (nowS + lim.skewToleranceS < disclosureTimeOf(p, lastCovering)) return undefined;
      for (const t of st.tags) {
        if (t.gen !== chain.id.gen || Math.abs(t.second - r.report.second) > lim.secondToleranceS) continue;
        if (t.interval < mr || t.interval > lastCovering) continue;
        if (t.interval > chain.keyIndex) return undefined;
        anyTag = true;
      }
      if (chain.spans.some((sp) => sp.from <= r.report.second && r.report.second <= sp.to)) named = true;
    }
    if (anyTag) return FailReason.TagMismatch;
    return named ? FailReason.NoTag : FailReason.Unverifiable;
  }
}

/** What a display shows for a report: never "authenticated" unless the receiver said so. */
export function displayStatus(status: ReportStatus, reason?: FailReason): string {
  if (status === 'authenticated') return 'AUTH';
  if (status === 'pending') return 'PEND';
  return reason === undefined ? 'FAIL' : `FAIL(${reason})`;
}
