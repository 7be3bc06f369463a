/** Small helpers for sentence fields shared by the encapsulation formatters (VDM, ABM, BBM, ABK). */
import { AisFillBitsError, AisFragmentError, NmeaFieldError } from './errors.js';
import type { NmeaSentence } from './sentence.js';
import { MAX_FILL_BITS } from './sixbit.js';

/** A short non-negative decimal field (at most 9 digits); -1 if it is anything else. */
export function smallInt(text: string): number {
  if (text.length === 0 || text.length > 9) return -1;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Splits armoured `payload` into chunks of at most `room` characters (at least one chunk). */
export function chunks(payload: string, room: number): string[] {
  if (payload.length === 0) return [''];
  const out: string[] = [];
  for (let k = 0; k < payload.length; k += room) out.push(payload.slice(k, k + room));
  return out;
}

/** Count, index and fill-bit checks shared by ABM and BBM. */
export function counts(s: NmeaSentence, countField: string, indexField: string, fillField: string): { count: number; index: number; fillBits: number } {
  const count = smallInt(countField);
  const index = smallInt(indexField);
  if (count < 1 || count > 9) throw new AisFragmentError('AIS_FRAGMENT_COUNT', `sentence count ${JSON.stringify(countField)}`, { sentence: s.raw });
  if (index < 1 || index > count) throw new AisFragmentError('AIS_FRAGMENT_COUNT', `sentence number ${JSON.stringify(indexField)} of ${count}`, { sentence: s.raw });
  const fillBits = smallInt(fillField);
  if (fillBits < 0 || fillBits > MAX_FILL_BITS) throw new AisFillBitsError(`fill bits ${JSON.stringify(fillField)}`, { sentence: s.raw });
  if (fillBits !== 0 && index !== count) throw new AisFillBitsError(`fill bits ${fillBits} on sentence ${index} of ${count}`, { sentence: s.raw });
  return { count, index, fillBits };
}

/** An optional numeric field: `undefined` when empty, `NmeaFieldError` when not a number ≤ `max`. */
export function optional(s: NmeaSentence, name: string, text: string, max: number): number | undefined {
  if (text === '') return undefined;
  const v = smallInt(text);
  if (v < 0 || v > max) throw new NmeaFieldError(name, JSON.stringify(text), { sentence: s.raw });
  return v;
}
