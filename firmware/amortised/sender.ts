/**
 * Sender state machine: fed with the ship's own reports (with the UTC second they went out) and polled with the UTC
 * clock, it says which kind 5 / kind 6 bodies to hand to the envelope now. Pure: no IO, no clock of its own.
 *
 * Schedule for interval m = [m·P, (m+1)·P):
 * - batch (kind 6) at (m+1)·P: tags under K_m for own reports of the last W intervals, plus K_{m−1};
 * - bare key (kind 6, keyOnly) at (m+1)·P + d when d < P, and for the last interval of every chain;
 * - anchor (kind 5) at the chain's start and every `anchorPeriodS`, committing an already public key.
 */
import { aint } from './_bytes.js';
import { anchorSignedMessage, encodeAnchorBody, type AnchorFields } from './anchor.js';
import { batchBodyLength, encodeBatchBody, type BatchEntry } from './batch.js';
import { KeyChain, MAX_CHAIN_LENGTH } from './chain.js';
import { checkParams, disclosureTimeOf, intervalOf, type TeslaParams } from './params.js';
import { maxSingleMessageBody, messageSlotsForBody } from './slots.js';
import { checkReport, computeTag, macKeyOf, type Report } from './tag.js';
import { DEFAULT_EPOCH_SECONDS, epochParityOf, t6Of } from './time.js';

export const AMORTISED_KIND = { anchor: 5, batch: 6 } as const;

export interface SenderConfig {
  readonly mmsi: number;
  readonly params: TeslaParams;
  /** BLMQ signing by the modes layer (compact 64 B or full 80 B signature over `message`). */
  readonly sign: (message: Uint8Array) => Uint8Array;
  /** 32 random bytes per chain, from the injected RNG. */
  readonly randomSeed: () => Uint8Array;
  /** Intervals per chain (default: a day's worth, capped at MAX_CHAIN_LENGTH). */
  readonly chainIntervals?: number;
  /** Anchor repetition for receivers that join late (default 600 s: a 5-slot anchor is 0.5 slot/min). */
  readonly anchorPeriodS?: number;
  /**
   * A batch is built only while at least this many seconds remain before its key's disclosure time, so that it
   * reaches receivers (RATDMA access within ≈ 4 s, receiver skew tolerance) while still safe. Default 7 s.
   */
  readonly batchMarginS?: number;
  /**
   * Re-tags of earlier intervals (W > 1) may make a batch ⌊share × s⌋ slots longer than the s slots the interval's own
   * tags need; the oldest re-tags are dropped first. 0.25: a 2-slot batch (10 s reporting) gets no extra slot and only
   * fills its spare room, a 5-slot batch (2 s reporting) gets one (measured: bench/amortised.ts). Default 0.25.
   */
  readonly retagExtraShare?: number;
  readonly epochSeconds?: number;
}

export interface Emission {
  readonly kind: 5 | 6;
  readonly what: 'anchor' | 'batch' | 'key';
  readonly body: Uint8Array;
  /** The interval whose tags (batch) or key (key) the body carries; the commitment index for an anchor. */
  readonly interval: number;
}

/** Own reports kept for re-tagging: W·P ≤ 256 s of reports at ≤ 2 per second, with room to spare. */
export const MAX_OWN_REPORTS = 1024;
export const DEFAULT_ANCHOR_PERIOD_S = 600;
export const DEFAULT_BATCH_MARGIN_S = 7;
export const DEFAULT_RETAG_EXTRA_SHARE = 0.25;

export class AmortisedSender {
  readonly #cfg: Required<Omit<SenderConfig, 'chainIntervals'>> & { chainIntervals: number };
  readonly #p: TeslaParams;
  #chains: KeyChain[] = [];
  #reports: Report[] = [];
  #nextBatch = -1;
  #nextKey = -1;
  #lastAnchorS = Number.NEGATIVE_INFINITY;
  #anchoredChainStart = -1;

  constructor(cfg: SenderConfig) {
    this.#p = checkParams(cfg.params);
    aint(cfg.mmsi, 'mmsi', 0, 0x3fffffff);
    const dayIntervals = Math.ceil(86_400 / this.#p.intervalS);
    this.#cfg = {
      anchorPeriodS: DEFAULT_ANCHOR_PERIOD_S,
      batchMarginS: DEFAULT_BATCH_MARGIN_S,
      retagExtraShare: DEFAULT_RETAG_EXTRA_SHARE,
      epochSeconds: DEFAULT_EPOCH_SECONDS,
      ...cfg,
      chainIntervals: aint(cfg.chainIntervals ?? Math.min(dayIntervals, MAX_CHAIN_LENGTH), 'chainIntervals', 3, MAX_CHAIN_LENGTH),
    };
    if (this.#p.disclosureDelayS <= this.#cfg.batchMarginS) {
      // Every batch would be built too late to be safe at the receivers: nothing would ever authenticate.
      throw new RangeError(`disclosureDelayS ${this.#p.disclosureDelayS} must exceed batchMarginS ${this.#cfg.batchMarginS}`);
    }
    const share = this.#cfg.retagExtraShare;
    if (!(share >= 0 && share <= 4)) throw new RangeError(`retagExtraShare: expected 0..4, got ${share}`);
  }

  get params(): TeslaParams {
    return this.#p;
  }

  /** Records an own report as transmitted; it is tagged in the next W batches. */
  addReport(report: Report): void {
    this.#reports.push(checkReport(report));
    if (this.#reports.length > MAX_OWN_REPORTS) this.#reports.shift();
  }

  /** Bodies due at UTC second `nowS`; call at least once per second. */
  poll(nowS: number): Emission[] {
    const p = this.#p;
    const s = Math.floor(nowS);
    const mNow = intervalOf(p, s);
    const out: Emission[] = [];
    this.#ensureChains(mNow);
    const current = this.#chainFor(mNow);
    if (current === undefined) return out;

    const next = this.#chains.find((c) => c.start === current.end);
    // The next chain's commitment K_{start−1} is never used for tags, so it may go out one interval early.
    if (next !== undefined && mNow >= next.start - 1 && this.#anchoredChainStart !== next.start) {
      out.push(this.#anchor(s, next, next.start - 1));
      this.#anchoredChainStart = next.start;
    } else if (this.#anchoredChainStart < current.start || s - this.#lastAnchorS >= this.#cfg.anchorPeriodS) {
      out.push(this.#anchor(s, current, Math.max(current.start - 1, mNow - 2)));
      this.#anchoredChainStart = Math.max(this.#anchoredChainStart, current.start);
      this.#lastAnchorS = s;
    }

    const m = mNow - 1;
    if (m >= this.#nextBatch) {
      const chain = this.#chainFor(m);
      if (chain !== undefined && s + this.#cfg.batchMarginS <= disclosureTimeOf(p, m)) out.push(...this.#batch(s, chain, m));
      this.#nextBatch = m + 1;
    }

    const i = Math.floor((s - p.disclosureDelayS) / p.intervalS) - 1;
    if (i >= this.#nextKey) {
      const chain = this.#chainFor(i);
      if (chain !== undefined && (p.disclosureDelayS < p.intervalS || i === chain.end - 1)) {
        out.push({
          kind: AMORTISED_KIND.batch,
          what: 'key',
          interval: i,
          body: encodeBatchBody(p, { keyOnly: true, t6: t6Of(s), gen: chain.id.gen, key: chain.key(i) }),
        });
      }
      this.#nextKey = i + 1;
    }
    this.#retire(mNow);
    return out;
  }

  #chainFor(m: number): KeyChain | undefined {
    return this.#chains.find((c) => c.covers(m));
  }

  /** Starts the first chain at the current interval and the next one two intervals before the current one ends. */
  #ensureChains(mNow: number): void {
    const last = this.#chains[this.#chains.length - 1];
    if (last === undefined) {
      this.#chains.push(this.#newChain(0, mNow));
      this.#nextBatch = mNow;
      this.#nextKey = mNow;
    } else if (mNow >= last.end - 2) {
      this.#chains.push(this.#newChain(last.id.gen === 0 ? 1 : 0, last.end));
    }
  }

  #newChain(gen: 0 | 1, start: number): KeyChain {
    const seed = this.#cfg.randomSeed();
    const chain = KeyChain.generate({ mmsi: this.#cfg.mmsi, gen, keyBytes: this.#p.keyBytes }, seed, start, this.#cfg.chainIntervals);
    seed.fill(0);
    return chain;
  }

  /** Drops chains whose last key has been disclosed, and reports too old to be re-tagged. */
  #retire(mNow: number): void {
    const p = this.#p;
    this.#chains = this.#chains.filter((c) => {
      const keep = c.end + 1 >= mNow;
      if (!keep) c.wipe();
      return keep;
    });
    const oldest = (mNow - p.window - 1) * p.intervalS;
    while ((this.#reports[0]?.second ?? oldest) < oldest) this.#reports.shift();
  }

  #anchor(s: number, chain: KeyChain, c: number): Emission {
    const fields: AnchorFields = {
      t6: t6Of(s),
      epochParity: epochParityOf(s, this.#cfg.epochSeconds),
      gen: chain.id.gen,
      params: this.#p,
      back: intervalOf(this.#p, s) - c,
      salt: chain.id.salt,
      key: chain.key(c),
    };
    const signature = this.#cfg.sign(anchorSignedMessage(this.#cfg.mmsi, s, fields));
    return { kind: AMORTISED_KIND.anchor, what: 'anchor', interval: c, body: encodeAnchorBody({ ...fields, signature }) };
  }

  /**
   * The batch for interval m, as one or more bodies that each fit one unfragmented message of ≤ 3 slots: a lost
   * message then loses only its own entries, and re-tags in the next batch cover them (a fragmented body would be
   * lost whole when any fragment is).
   */
  #batch(s: number, chain: KeyChain, m: number): Emission[] {
    const p = this.#p;
    const base = (m - p.window + 1) * p.intervalS;
    const end = (m + 1) * p.intervalS;
    const mine = this.#reports.filter((r) => r.second >= base && r.second < end).sort((a, b) => a.second - b.second);
    const primaryFrom = m * p.intervalS;
    const primary = mine.filter((r) => r.second >= primaryFrom).length;
    const perBody = Math.floor((maxSingleMessageBody(3) - batchBodyLength(p, 0)) / (1 + p.tagBytes));
    const split = (n: number): number[] => {
      const k = Math.max(1, Math.ceil(n / perBody));
      return Array.from({ length: k }, (_, i) => Math.floor((n + i) / k));
    };
    const slots = (n: number): number =>
      split(n).reduce((sum, size) => sum + (messageSlotsForBody(batchBodyLength(p, size))[0] ?? 0), 0);
    const budget = slots(primary) + Math.floor(slots(primary) * this.#cfg.retagExtraShare);
    // Oldest re-tags go first when the batch would exceed its slot budget; the interval's own reports always stay.
    let entriesFrom = 0;
    while (entriesFrom < mine.length - primary && slots(mine.length - entriesFrom) > budget) entriesFrom++;
    const macKey = macKeyOf(chain.key(m));
    const ctx = { mmsi: this.#cfg.mmsi, gen: chain.id.gen, interval: m, tagBytes: p.tagBytes };
    const entries: BatchEntry[] = mine.slice(entriesFrom).map((r) => ({ offset: r.second - base, tag: computeTag(macKey, ctx, r) }));
    macKey.fill(0);
    const out: Emission[] = [];
    let at = 0;
    for (const size of split(entries.length)) {
      const part = entries.slice(at, at + size);
      at += size;
      const body = encodeBatchBody(p, { keyOnly: false, t6: t6Of(s), gen: chain.id.gen, key: chain.key(m - 1), entries: part });
      out.push({ kind: AMORTISED_KIND.batch, what: 'batch', interval: m, body });
    }
    return out;
  }

}
