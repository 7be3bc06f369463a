/**
 * Test doubles. The BLMQ signature is faked by HMAC-SHA512 under a per-MMSI key (64 bytes, the compact size); the
 * real BLMQ sign/verify from crypto/ is plugged in by the modes layer through the same two functions.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import {
  AmortisedReceiver,
  AmortisedSender,
  type Emission,
  type ReceiverEvent,
  type ReceiverLimits,
  type Report,
  type SenderConfig,
  type TeslaParams,
} from '../../../firmware/amortised/index.js';

const te = new TextEncoder();
const keyOf = (mmsi: number): Uint8Array => sha256(te.encode(`fake-blmq-key/${mmsi}`));

export const fakeSign =
  (mmsi: number) =>
  (message: Uint8Array): Uint8Array =>
    hmac(sha512, keyOf(mmsi), message);

export const fakeVerify = (mmsi: number, _ep: 0 | 1, message: Uint8Array, sig: Uint8Array): boolean => {
  const want = hmac(sha512, keyOf(mmsi), message);
  return sig.length === want.length && want.every((b, i) => b === sig[i]);
};

/** Deterministic 32-byte seeds for the sender's chains. */
export function seeds(label: string): () => Uint8Array {
  let n = 0;
  return () => sha256(te.encode(`${label}/${n++}`));
}

/** A 168-bit position report (msg 1) whose content depends on `variant`. */
export function positionReport(second: number, channel: 'A' | 'B', variant = 0): Report {
  const bits = sha256(te.encode(`report/${second}/${variant}`)).slice(0, 21);
  bits[0] = (1 << 2) | ((bits[0] ?? 0) & 0x03);
  return { msgType: 1, second, channel, bits, bitLength: 168 };
}

export const PARAMS: TeslaParams = { intervalS: 30, disclosureDelayS: 30, tagBytes: 3, keyBytes: 8, window: 2 };
export const MMSI = 235_009_876;

export interface Link {
  readonly sender: AmortisedSender;
  readonly receiver: AmortisedReceiver;
  readonly events: ReceiverEvent[];
  readonly emissions: { at: number; e: Emission }[];
  /** Report ids by sender second. */
  readonly ids: Map<number, number>;
}

export function link(
  params: TeslaParams = PARAMS,
  limits: Partial<ReceiverLimits> = {},
  mmsi = MMSI,
  sender: Partial<SenderConfig> = {},
): Link {
  const tx = new AmortisedSender({ mmsi, params, sign: fakeSign(mmsi), randomSeed: seeds(`chain/${mmsi}`), ...sender });
  const receiver = new AmortisedReceiver({ verify: fakeVerify, limits });
  return { sender: tx, receiver, events: [], emissions: [], ids: new Map() };
}

export interface RunOptions {
  readonly from: number;
  readonly to: number;
  readonly reportEveryS: number;
  /** Drop the body emitted at this second (sender clock) with this `what`. */
  readonly dropBody?: (at: number, e: Emission) => boolean;
  readonly dropReport?: (second: number) => boolean;
  /** Receiver clock = true time + offset. */
  readonly receiverOffsetS?: number;
  /** Air and queueing delay of bodies. */
  readonly bodyDelayS?: number;
  readonly mmsi?: number;
}

/** Runs sender and receiver second by second; reports go out on alternate channels. */
export function run(l: Link, o: RunOptions): void {
  const mmsi = o.mmsi ?? MMSI;
  const off = o.receiverOffsetS ?? 0;
  const delay = o.bodyDelayS ?? 0.5;
  let ch: 'A' | 'B' = 'A';
  for (let t = o.from; t <= o.to; t++) {
    if ((t - o.from) % o.reportEveryS === 0) {
      const r = positionReport(t, ch);
      ch = ch === 'A' ? 'B' : 'A';
      l.sender.addReport(r);
      if (!(o.dropReport?.(t) ?? false)) {
        const ev = l.receiver.onReport(mmsi, r, t + 0.1 + off);
        const first = ev[0];
        if (first?.type === 'report') l.ids.set(t, first.id);
        l.events.push(...ev);
      }
    }
    for (const e of l.sender.poll(t)) {
      l.emissions.push({ at: t, e });
      if (o.dropBody?.(t, e) ?? false) continue;
      l.events.push(...l.receiver.onBody(mmsi, e.kind, e.body, t + delay + off));
    }
    l.events.push(...l.receiver.tick(t + 0.9 + off));
  }
}

export function finalStatus(l: Link, id: number): { status: string; reason?: string } {
  let last: { status: string; reason?: string } = { status: 'none' };
  for (const ev of l.events) {
    if (ev.type === 'report' && ev.id === id) last = ev.reason === undefined ? { status: ev.status } : { status: ev.status, reason: ev.reason };
  }
  return last;
}

export const notices = (l: Link, code: string): number =>
  l.events.filter((e) => e.type === 'notice' && e.code === code).length;
