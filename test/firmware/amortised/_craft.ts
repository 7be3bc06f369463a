/**
 * Hand-built bodies for attack tests: a chain we hold ourselves, anchors signed with the fake BLMQ, batches and
 * bare keys with chosen contents and send times.
 */
import {
  AmortisedReceiver,
  KeyChain,
  anchorSignedMessage,
  computeTag,
  encodeAnchorBody,
  encodeBatchBody,
  epochParityOf,
  intervalOf,
  macKeyOf,
  t6Of,
  type ReceiverEvent,
  type ReceiverLimits,
  type Report,
  type TeslaParams,
} from '../../../firmware/amortised/index.js';
import { MMSI, fakeSign, fakeVerify, seeds } from './_harness.js';

export const T = 1_800_000_000; // an interval boundary for P = 30 (and 10, 15, 20)

export class Crafter {
  readonly chain: KeyChain;
  constructor(
    readonly params: TeslaParams,
    readonly mmsi: number = MMSI,
    readonly gen: 0 | 1 = 0,
    start: number = intervalOf(params, T),
  ) {
    this.chain = KeyChain.generate({ mmsi, gen, keyBytes: params.keyBytes }, seeds(`craft/${mmsi}/${gen}`)(), start, 200);
  }

  anchor(s: number, c: number, sign = fakeSign(this.mmsi)): Uint8Array {
    const fields = {
      t6: t6Of(s),
      epochParity: epochParityOf(s),
      gen: this.gen,
      params: this.params,
      back: intervalOf(this.params, s) - c,
      salt: this.chain.id.salt,
      key: this.chain.key(c),
    };
    return encodeAnchorBody({ ...fields, signature: sign(anchorSignedMessage(this.mmsi, s, fields)) });
  }

  tag(m: number, r: Report, key: Uint8Array = this.chain.key(m)): Uint8Array {
    return computeTag(macKeyOf(key), { mmsi: this.mmsi, gen: this.gen, interval: m, tagBytes: this.params.tagBytes }, r);
  }

  /** Batch for interval m sent at second s, tagging `reports` under `tagKey` (default the real K_m). */
  batch(s: number, reports: Report[], opts: { tagKey?: Uint8Array; disclosed?: Uint8Array } = {}): Uint8Array {
    const p = this.params;
    const m = intervalOf(p, s) - 1;
    const base = (m - p.window + 1) * p.intervalS;
    const entries = [...reports]
      .sort((a, b) => a.second - b.second)
      .map((r) => ({ offset: r.second - base, tag: this.tag(m, r, opts.tagKey) }));
    return encodeBatchBody(p, { keyOnly: false, t6: t6Of(s), gen: this.gen, key: opts.disclosed ?? this.chain.key(m - 1), entries });
  }

  /** Bare disclosure sent at s of K_i, i = ⌊(s − d)/P⌋ − 1 (or any key the caller forges). */
  bareKey(s: number, key?: Uint8Array): Uint8Array {
    const p = this.params;
    const i = Math.floor((s - p.disclosureDelayS) / p.intervalS) - 1;
    return encodeBatchBody(p, { keyOnly: true, t6: t6Of(s), gen: this.gen, key: key ?? this.chain.key(i) });
  }
}

export function receiver(limits: Partial<ReceiverLimits> = {}): { rx: AmortisedReceiver; log: ReceiverEvent[] } {
  return { rx: new AmortisedReceiver({ verify: fakeVerify, limits }), log: [] };
}

/** Last status of report `id` in the log. */
export function statusIn(log: readonly ReceiverEvent[], id: number): string {
  let s = 'none';
  for (const e of log) if (e.type === 'report' && e.id === id) s = e.reason === undefined ? e.status : `${e.status}:${e.reason}`;
  return s;
}

export function idOf(events: readonly ReceiverEvent[]): number {
  const e = events[0];
  if (e?.type !== 'report') throw new Error('no report event');
  return e.id;
}

export const noticed = (log: readonly ReceiverEvent[], code: string): boolean =>
  log.some((e) => e.type === 'notice' && e.code === code);
