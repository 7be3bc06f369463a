/**
 * IEC 61162-1 §8.3.9 BBM — AIS broadcast binary message, input to a transponder:
 * `!--BBM,count,index,seqId,channel,msgId,payload,fillBits*hh`. The payload is the binary data only (message 8:
 * DAC ‖ FI ‖ application data); `seqId` is 0–9. The transponder broadcasts within 4 s and answers with ABK
 * type 3, or type 2 when the message would exceed 5 slots (reference notes §1.4).
 */
import { NmeaFieldError, NmeaFramingError } from './errors.js';
import type { AisChannelRequest } from './abm.js';
import type { Assembled } from './assembler.js';
import { MAX_BINARY_DATA_BITS } from './binary.js';
import { formatSentence, MAX_SENTENCE_LENGTH, type NmeaSentence } from './sentence.js';
import { armour, type AisBits } from './sixbit.js';
import { chunks, counts, optional, smallInt } from './_fields.js';

export const BBM_MESSAGE_IDS = [8, 14, 25, 26] as const;
export type BbmMessageId = (typeof BBM_MESSAGE_IDS)[number];

export interface BbmMessage {
  readonly channel: AisChannelRequest;
  readonly messageId: BbmMessageId;
  /** 0–9, one per message in turn. */
  readonly seqId: number;
  /** The binary data (message 8: DAC ‖ FI ‖ application data). */
  readonly bits: AisBits;
}

export interface BbmFragment {
  readonly sentence: NmeaSentence;
  readonly key: string;
  readonly count: number;
  readonly index: number;
  readonly seqId: number;
  readonly channel: AisChannelRequest | undefined;
  readonly messageId: BbmMessageId | undefined;
  readonly payload: string;
  readonly fillBits: number;
}

export function encodeBbm(m: BbmMessage, options: { talker?: string } = {}): string[] {
  const { talker = 'AI' } = options;
  if (![0, 1, 2, 3].includes(m.channel)) throw new RangeError(`channel: expected 0..3, got ${String(m.channel)}`);
  if (!BBM_MESSAGE_IDS.includes(m.messageId)) throw new RangeError(`messageId: expected 8, 14, 25 or 26, got ${String(m.messageId)}`);
  if (!Number.isInteger(m.seqId) || m.seqId < 0 || m.seqId > 9) throw new RangeError(`seqId: expected 0..9, got ${m.seqId}`);
  if (m.messageId === 8 && (m.bits.bitLength < 16 || m.bits.bitLength > MAX_BINARY_DATA_BITS[8])) {
    throw new RangeError(`bits: message 8 binary data is 16..${MAX_BINARY_DATA_BITS[8]} bits, got ${m.bits.bitLength}`);
  }
  const { payload, fillBits } = armour(m.bits.bytes, m.bits.bitLength);
  // `!ttBBM,n,i,s,c,id,` + `,f*hh`: 58 payload characters for message 8, as IEC 61162-1 states.
  const room = MAX_SENTENCE_LENGTH - (1 + 2 + 3 + 1 + 2 + 2 + 2 + 2 + String(m.messageId).length + 1 + 2 + 3);
  const parts = chunks(payload, room);
  if (parts.length > 9) throw new RangeError(`bits: ${m.bits.bitLength} bits need ${parts.length} BBM sentences, at most 9`);
  return parts.map((p, k) =>
    formatSentence('!', talker, 'BBM', [
      String(parts.length),
      String(k + 1),
      String(m.seqId),
      String(m.channel),
      String(m.messageId),
      p,
      k === parts.length - 1 ? String(fillBits) : '0',
    ]),
  );
}

export function parseBbm(s: NmeaSentence): BbmFragment {
  if (s.start !== '!' || s.formatter !== 'BBM') throw new NmeaFramingError('not a BBM sentence', { sentence: s.raw });
  const f = s.fields;
  if (f.length !== 7) throw new NmeaFramingError(`BBM with ${f.length} fields, expected 7`, { sentence: s.raw });
  const { count, index, fillBits } = counts(s, f[0]!, f[1]!, f[6]!);
  const seqId = smallInt(f[2]!);
  if (seqId < 0 || seqId > 9) throw new NmeaFieldError('sequential id', `${JSON.stringify(f[2])}, expected 0..9`, { sentence: s.raw });
  const channel = optional(s, 'channel', f[3]!, 3) as AisChannelRequest | undefined;
  const id = optional(s, 'message id', f[4]!, 99);
  if (id !== undefined && !(BBM_MESSAGE_IDS as readonly number[]).includes(id)) throw new NmeaFieldError('message id', `${id} not 8, 14, 25 or 26`, { sentence: s.raw });
  if (index === 1 && id === undefined) throw new NmeaFieldError('message id', 'first BBM sentence without message id', { sentence: s.raw });
  return { sentence: s, key: `${s.talker}BBM|${seqId}|${count}`, count, index, seqId, channel, messageId: id as BbmMessageId | undefined, payload: f[5]!, fillBits };
}

/** The message carried by an assembled BBM group (header fields from its first sentence). */
export function toBbmMessage(a: Assembled<BbmFragment>): BbmMessage {
  const first = a.fragments[0]!;
  return { channel: first.channel ?? 0, messageId: first.messageId!, seqId: first.seqId, bits: a.bits };
}
