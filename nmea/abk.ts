/**
 * IEC 61162-1 §8.3.2 ABK — AIS addressed and binary broadcast acknowledgement, output by a transponder:
 * `$--ABK,mmsi,channel,msgId,seqNo,ackType*hh`. It tells whether an ABM/BBM request went out and, for
 * addressed messages, whether the destination acknowledged it (message 7/13).
 */
import { NmeaFieldError, NmeaFramingError } from './errors.js';
import type { NmeaSentence } from './sentence.js';
import { optional, smallInt } from './_fields.js';

export const ABK_ACK_TYPES = {
  /** Message 6/12 received by the addressed station (its message 7/13 arrived). */
  0: 'received',
  /** Message 6/12 broadcast, but no acknowledgement arrived. */
  1: 'not acknowledged',
  /** The message could not be broadcast (e.g. more than 5 slots, or the slot budget was exhausted). */
  2: 'not broadcast',
  /** The requested broadcast of message 8/14/15/25/26 was made. */
  3: 'broadcast',
  /** A late message 7/13 acknowledgement for a valid transaction. */
  4: 'late acknowledgement',
} as const;
export type AbkAckType = keyof typeof ABK_ACK_TYPES;

export interface Abk {
  /** Addressed station; `undefined` for broadcasts. */
  readonly mmsi: number | undefined;
  /** Channel of reception of the acknowledgement (`A`/`B`), empty when none. */
  readonly channel: '' | 'A' | 'B';
  readonly messageId: number;
  /** The ABM/BBM sequential id the acknowledgement refers to. */
  readonly seqNo: number | undefined;
  readonly ackType: AbkAckType;
}

export function parseAbk(s: NmeaSentence): Abk {
  if (s.start !== '$' || s.formatter !== 'ABK') throw new NmeaFramingError('not an ABK sentence', { sentence: s.raw });
  const f = s.fields;
  if (f.length !== 5) throw new NmeaFramingError(`ABK with ${f.length} fields, expected 5`, { sentence: s.raw });
  const mmsi = optional(s, 'MMSI', f[0]!, 999_999_999);
  const channel = f[1]!;
  if (channel !== '' && channel !== 'A' && channel !== 'B') throw new NmeaFieldError('channel', JSON.stringify(channel), { sentence: s.raw });
  const messageId = smallInt(f[2]!);
  if (messageId < 1 || messageId > 27) throw new NmeaFieldError('message id', JSON.stringify(f[2]), { sentence: s.raw });
  const seqNo = optional(s, 'sequence number', f[3]!, 9);
  const ack = smallInt(f[4]!);
  if (!(ack in ABK_ACK_TYPES)) throw new NmeaFieldError('acknowledgement type', JSON.stringify(f[4]), { sentence: s.raw });
  return { mmsi, channel, messageId, seqNo, ackType: ack as AbkAckType };
}
