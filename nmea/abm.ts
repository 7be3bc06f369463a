/**
 * IEC 61162-1 §8.3.1 ABM — AIS addressed binary and safety related message, input to a transponder:
 * `!--ABM,count,index,seqId,mmsi,channel,msgId,payload,fillBits*hh`. The payload is only the message's binary
 * data (for message 6: DAC ‖ FI ‖ application data; for 12: the text); the transponder builds the header from
 * its own MMSI, `seqId` (0–3, the M.1371 sequence number it echoes in ABK) and the destination. Follow-on
 * sentences may leave MMSI and channel empty; we repeat them, which every receiver accepts.
 */
import { NmeaFieldError, NmeaFramingError } from './errors.js';
import type { Assembled } from './assembler.js';
import { MAX_BINARY_DATA_BITS } from './binary.js';
import { formatSentence, MAX_SENTENCE_LENGTH, type NmeaSentence } from './sentence.js';
import { armour, type AisBits } from './sixbit.js';
import { chunks, counts, optional, smallInt } from './_fields.js';

/** `0` no preference, `1` channel A, `2` channel B, `3` both (IEC 61162-1 §8.3.1 field 5). */
export type AisChannelRequest = 0 | 1 | 2 | 3;
export const ABM_MESSAGE_IDS = [6, 12, 25, 26] as const;
export type AbmMessageId = (typeof ABM_MESSAGE_IDS)[number];

export interface AbmMessage {
  readonly destMmsi: number;
  readonly channel: AisChannelRequest;
  readonly messageId: AbmMessageId;
  /** 0–3: becomes the M.1371 sequence number of message 6/12 and comes back in ABK. */
  readonly seqId: number;
  /** The binary data (message 6: DAC ‖ FI ‖ application data). */
  readonly bits: AisBits;
}

export interface AbmFragment {
  readonly sentence: NmeaSentence;
  readonly key: string;
  readonly count: number;
  readonly index: number;
  readonly seqId: number;
  readonly destMmsi: number | undefined;
  readonly channel: AisChannelRequest | undefined;
  readonly messageId: AbmMessageId | undefined;
  readonly payload: string;
  readonly fillBits: number;
}

export function encodeAbm(m: AbmMessage, options: { talker?: string } = {}): string[] {
  const { talker = 'AI' } = options;
  if (!Number.isInteger(m.destMmsi) || m.destMmsi < 0 || m.destMmsi > 999_999_999) throw new RangeError(`destMmsi: expected 0..999999999, got ${m.destMmsi}`);
  if (![0, 1, 2, 3].includes(m.channel)) throw new RangeError(`channel: expected 0..3, got ${String(m.channel)}`);
  if (!ABM_MESSAGE_IDS.includes(m.messageId)) throw new RangeError(`messageId: expected 6, 12, 25 or 26, got ${String(m.messageId)}`);
  if (!Number.isInteger(m.seqId) || m.seqId < 0 || m.seqId > 3) throw new RangeError(`seqId: expected 0..3, got ${m.seqId}`);
  if (m.messageId === 6 && (m.bits.bitLength < 16 || m.bits.bitLength > MAX_BINARY_DATA_BITS[6])) {
    throw new RangeError(`bits: message 6 binary data is 16..${MAX_BINARY_DATA_BITS[6]} bits, got ${m.bits.bitLength}`);
  }
  const { payload, fillBits } = armour(m.bits.bytes, m.bits.bitLength);
  const mmsi = String(m.destMmsi).padStart(9, '0');
  // `!ttABM,n,i,s,mmsi,c,id,` + `,f*hh`
  const room = MAX_SENTENCE_LENGTH - (1 + 2 + 3 + 1 + 2 + 2 + 2 + mmsi.length + 1 + 2 + String(m.messageId).length + 1 + 2 + 3);
  const parts = chunks(payload, room);
  if (parts.length > 9) throw new RangeError(`bits: ${m.bits.bitLength} bits need ${parts.length} ABM sentences, at most 9`);
  return parts.map((p, k) =>
    formatSentence('!', talker, 'ABM', [
      String(parts.length),
      String(k + 1),
      String(m.seqId),
      mmsi,
      String(m.channel),
      String(m.messageId),
      p,
      k === parts.length - 1 ? String(fillBits) : '0',
    ]),
  );
}

export function parseAbm(s: NmeaSentence): AbmFragment {
  if (s.start !== '!' || s.formatter !== 'ABM') throw new NmeaFramingError('not an ABM sentence', { sentence: s.raw });
  const f = s.fields;
  if (f.length !== 8) throw new NmeaFramingError(`ABM with ${f.length} fields, expected 8`, { sentence: s.raw });
  const { count, index, fillBits } = counts(s, f[0]!, f[1]!, f[7]!);
  const seqId = smallInt(f[2]!);
  if (seqId < 0 || seqId > 3) throw new NmeaFieldError('sequential id', `${JSON.stringify(f[2])}, expected 0..3`, { sentence: s.raw });
  const destMmsi = optional(s, 'MMSI', f[3]!, 999_999_999);
  const channel = optional(s, 'channel', f[4]!, 3) as AisChannelRequest | undefined;
  const id = optional(s, 'message id', f[5]!, 99);
  if (id !== undefined && !(ABM_MESSAGE_IDS as readonly number[]).includes(id)) throw new NmeaFieldError('message id', `${id} not 6, 12, 25 or 26`, { sentence: s.raw });
  if (index === 1 && (destMmsi === undefined || id === undefined)) throw new NmeaFieldError('MMSI', 'first ABM sentence without MMSI or message id', { sentence: s.raw });
  return { sentence: s, key: `${s.talker}ABM|${seqId}|${count}`, count, index, seqId, destMmsi, channel, messageId: id as AbmMessageId | undefined, payload: f[6]!, fillBits };
}

/** The message carried by an assembled ABM group (header fields from its first sentence). */
export function toAbmMessage(a: Assembled<AbmFragment>): AbmMessage {
  const first = a.fragments[0]!;
  return { destMmsi: first.destMmsi!, channel: first.channel ?? 0, messageId: first.messageId!, seqId: first.seqId, bits: a.bits };
}
