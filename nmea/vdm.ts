/**
 * IEC 61162-1 §8.3.91/§8.3.92 VDM/VDO — AIS VHF data-link message / own-vessel report:
 * `!--VDM,count,index,seqId,channel,payload,fillBits*hh`. Parsing yields one fragment; `assembler.ts` joins them.
 * Encoding splits a message into ≤ 82-character sentences with fill bits only on the last one.
 */
import { AisFillBitsError, AisFragmentError, NmeaFieldError, NmeaFramingError } from './errors.js';
import { encodeAis, type AisMessage } from './ais.js';
import { formatSentence, MAX_SENTENCE_LENGTH, type NmeaSentence } from './sentence.js';
import { armour, MAX_FILL_BITS, type AisBits } from './sixbit.js';
import { smallInt } from './_fields.js';

export const MAX_FRAGMENTS = 9;

export interface VdmFragment {
  readonly sentence: NmeaSentence;
  /** Assembly key: talker, formatter, channel, sequential id and count. */
  readonly key: string;
  readonly talker: string;
  readonly formatter: 'VDM' | 'VDO';
  readonly count: number;
  /** 1-based. */
  readonly index: number;
  /** Sequential message identifier 0–9, `undefined` when the field is empty. */
  readonly seqId: number | undefined;
  /** `A`, `B`, `1`, `2`, `C` or empty (VDO). */
  readonly channel: string;
  readonly payload: string;
  readonly fillBits: number;
}

export function isVdm(s: NmeaSentence): boolean {
  return s.start === '!' && (s.formatter === 'VDM' || s.formatter === 'VDO');
}

/** Checks a parsed `!--VDM`/`!--VDO` sentence field by field. */
export function parseVdm(s: NmeaSentence): VdmFragment {
  if (!isVdm(s)) throw new NmeaFramingError(`not a VDM/VDO sentence: ${s.start}${s.talker}${s.formatter}`, { sentence: s.raw });
  const f = s.fields;
  if (f.length !== 6) throw new NmeaFramingError(`VDM with ${f.length} fields, expected 6`, { sentence: s.raw });
  const count = smallInt(f[0]!);
  const index = smallInt(f[1]!);
  if (count < 1 || count > MAX_FRAGMENTS) {
    throw new AisFragmentError('AIS_FRAGMENT_COUNT', `fragment count ${JSON.stringify(f[0])}, expected 1..${MAX_FRAGMENTS}`, { sentence: s.raw });
  }
  if (index < 1 || index > count) {
    throw new AisFragmentError('AIS_FRAGMENT_COUNT', `fragment number ${JSON.stringify(f[1])} of ${count}`, { sentence: s.raw });
  }
  const seqField = f[2]!;
  let seqId: number | undefined;
  if (seqField !== '') {
    seqId = smallInt(seqField);
    if (seqId < 0 || seqId > 9) throw new NmeaFieldError('sequential id', `${JSON.stringify(seqField)}, expected 0..9`, { sentence: s.raw });
  }
  const channel = f[3]!;
  if (!/^[AB12C]?$/.test(channel)) throw new NmeaFieldError('channel', `${JSON.stringify(channel)}`, { sentence: s.raw });
  const fillBits = smallInt(f[5]!);
  if (fillBits < 0 || fillBits > MAX_FILL_BITS) throw new AisFillBitsError(`fill bits ${JSON.stringify(f[5])}`, { sentence: s.raw });
  if (fillBits !== 0 && index !== count) throw new AisFillBitsError(`fill bits ${fillBits} on fragment ${index} of ${count}`, { sentence: s.raw });
  const payload = f[4]!;
  if (payload === '' && fillBits !== 0) throw new AisFillBitsError('fill bits on an empty payload', { sentence: s.raw });
  const key = `${s.talker}${s.formatter}|${channel}|${seqField}|${count}`;
  return { sentence: s, key, talker: s.talker, formatter: s.formatter as 'VDM' | 'VDO', count, index, seqId, channel, payload, fillBits };
}

export interface VdmEncodeOptions {
  /** Two characters; `AI` (mobile station) by default. */
  readonly talker?: string;
  readonly formatter?: 'VDM' | 'VDO';
  /** `A` or `B`; empty is allowed for VDO. */
  readonly channel?: '' | 'A' | 'B' | '1' | '2';
  /** Sequential id 0–9, required when the message needs more than one sentence. */
  readonly seqId?: number;
}

/** Encodes a message (or its bits) as VDM/VDO sentences without `<CR><LF>`. */
export function encodeVdm(message: AisMessage | AisBits, options: VdmEncodeOptions = {}): string[] {
  const bits = 'bytes' in message && message.bytes instanceof Uint8Array ? (message as AisBits) : encodeAis(message as AisMessage);
  const { talker = 'AI', formatter = 'VDM', channel = 'A', seqId } = options;
  if (formatter !== 'VDM' && formatter !== 'VDO') throw new RangeError(`formatter: expected VDM or VDO, got ${String(formatter)}`);
  if (!/^[AB12]?$/.test(channel)) throw new RangeError(`channel: expected A, B, 1, 2 or empty, got ${String(channel)}`);
  const { payload, fillBits } = armour(bits.bytes, bits.bitLength);
  // Room for the payload: 80 characters minus `!ttVDM,n,i,s,c,` and `,f*hh`.
  const overhead = 1 + 2 + 3 + 1 + 2 + 2 + 2 + channel.length + 1 + 2 + 3;
  const single = MAX_SENTENCE_LENGTH - overhead + 1;
  if (payload.length <= single) return [formatSentence('!', talker, formatter, ['1', '1', '', channel, payload, String(fillBits)])];
  const room = MAX_SENTENCE_LENGTH - overhead;
  const count = Math.ceil(payload.length / room);
  if (count > MAX_FRAGMENTS) throw new RangeError(`message of ${bits.bitLength} bits needs ${count} sentences, at most ${MAX_FRAGMENTS}`);
  if (seqId === undefined || !Number.isInteger(seqId) || seqId < 0 || seqId > 9) {
    throw new RangeError(`seqId: a ${count}-sentence message needs a sequential id 0..9, got ${String(seqId)}`);
  }
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const last = k === count - 1;
    out.push(
      formatSentence('!', talker, formatter, [
        String(count),
        String(k + 1),
        String(seqId),
        channel,
        payload.slice(k * room, (k + 1) * room),
        last ? String(fillBits) : '0',
      ]),
    );
  }
  return out;
}

/** Hands out sequential message identifiers 0–9 in turn (IEC 61162-1: "incremented for each new multi-sentence message"). */
export class SequentialId {
  private value: number;
  constructor(start = 0) {
    if (!Number.isInteger(start) || start < 0 || start > 9) throw new RangeError(`start: expected 0..9, got ${start}`);
    this.value = start;
  }
  next(): number {
    const v = this.value;
    this.value = (v + 1) % 10;
    return v;
  }
}
