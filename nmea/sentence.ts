/**
 * IEC 61162-1 §7 sentence framing: `[\TAG block\]` + `!`/`$` + address (talker + formatter) + `,`-separated
 * fields + `*hh`. At most 82 characters including `!`/`$` and `<CR><LF>` (§7.1.3), i.e. 80 from the delimiter
 * through the checksum. Receivers in the field exceed that (corpus lines of 84–150 characters), so parsing only
 * reports it (`overLength`) while formatting enforces it. U.S. Coast Guard receivers append `,`-fields after the
 * checksum (gpsd AIVDM.adoc, "U.S. Coast Guard Extended AIVDM"); they are kept as `trailer`.
 */
import { formatChecksum, parseChecksumAt, xorChecksum } from './checksum.js';
import { NmeaChecksumError, NmeaFramingError } from './errors.js';
import { parseTagBlock, type TagBlock } from './tagblock.js';

/** Characters from the start delimiter through the checksum digits (82 minus `<CR><LF>`). */
export const MAX_SENTENCE_LENGTH = 80;
/** Longest line we look at at all, so a garbage stream cannot make us scan unbounded text. */
export const MAX_LINE_LENGTH = 1024;

export interface NmeaSentence {
  /** From the start delimiter through the checksum digits, as received. */
  readonly raw: string;
  readonly start: '!' | '$';
  /** Two-letter talker (`AI`, `AB`, `BS`…) or `P` for proprietary sentences. */
  readonly talker: string;
  readonly formatter: string;
  readonly fields: readonly string[];
  readonly checksum: number;
  readonly tagBlock: TagBlock | undefined;
  /** Text after `*hh` — USCG extension fields including their leading comma — passed through uninterpreted. */
  readonly trailer: string | undefined;
  /** The sentence is longer than IEC 61162-1 allows; accepted because real receivers do it. */
  readonly overLength: boolean;
}

/** Parses one line (trailing CR/LF and whitespace ignored) and verifies its checksum(s). */
export function parseSentence(line: string): NmeaSentence {
  if (typeof line !== 'string') throw new TypeError(`line: expected string, got ${typeof line}`);
  let end = line.length;
  while (end > 0 && isSpace(line.charCodeAt(end - 1))) end--;
  if (end > MAX_LINE_LENGTH) throw new NmeaFramingError(`line longer than ${MAX_LINE_LENGTH} characters`);
  let text = end === line.length ? line : line.slice(0, end);
  let tagBlock: TagBlock | undefined;
  if (text.charCodeAt(0) === BACKSLASH) {
    const parsed = parseTagBlock(text);
    tagBlock = parsed.tagBlock;
    text = text.slice(parsed.end);
  }
  const first = text.charCodeAt(0);
  if (first !== BANG && first !== DOLLAR) throw new NmeaFramingError('no ! or $ start delimiter', { sentence: text });
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new NmeaFramingError(`non-printable character at ${i}`, { sentence: text });
  }
  const star = text.indexOf('*');
  if (star < 0 || star + 3 > text.length) throw new NmeaFramingError('no *hh checksum', { sentence: text });
  const stated = parseChecksumAt(text, star + 1);
  if (stated < 0) throw new NmeaFramingError('checksum is not two hex digits', { sentence: text });
  const computed = xorChecksum(text, 1, star);
  if (stated !== computed) throw new NmeaChecksumError(computed, stated, { sentence: text });
  // Whatever follows the checksum (USCG `,`-fields, or junk such as an escaped `\x0d\x0a` in gpsd's corpus)
  // is not covered by the checksum: keep it aside, never interpret it.
  const trailer = star + 3 < text.length ? text.slice(star + 3) : undefined;
  const body = text.slice(1, star);
  const fields = body.split(',');
  const address = fields.shift()!;
  if (!/^(P[A-Z0-9]{1,8}|[A-Z0-9]{2}[A-Z]{3})$/.test(address)) {
    throw new NmeaFramingError(`bad address field ${JSON.stringify(address)}`, { sentence: text });
  }
  const proprietary = address.charCodeAt(0) === 80 && address.length !== 5;
  const raw = trailer === undefined ? text : text.slice(0, star + 3);
  return {
    raw,
    start: first === BANG ? '!' : '$',
    talker: proprietary ? 'P' : address.slice(0, 2),
    formatter: proprietary ? address.slice(1) : address.slice(2),
    fields,
    checksum: stated,
    tagBlock,
    trailer,
    overLength: raw.length > MAX_SENTENCE_LENGTH,
  };
}

/**
 * Builds a sentence (without `<CR><LF>`). Throws `RangeError` if it would exceed the 82-character limit or a
 * field contains a reserved character (IEC 61162-1 §7.1.2: `!$*,\^~` and CR/LF).
 */
export function formatSentence(start: '!' | '$', talker: string, formatter: string, fields: readonly string[]): string {
  if (start !== '!' && start !== '$') throw new RangeError(`start: expected ! or $, got ${String(start)}`);
  if (!/^[A-Z0-9]{2}$/.test(talker)) throw new RangeError(`talker: expected two upper-case letters/digits, got ${JSON.stringify(talker)}`);
  if (!/^[A-Z]{3}$/.test(formatter)) throw new RangeError(`formatter: expected three letters, got ${JSON.stringify(formatter)}`);
  for (const f of fields) {
    if (!/^[\x20-\x7e]*$/.test(f) || /[!$*,\\^~]/.test(f)) throw new RangeError(`field ${JSON.stringify(f)}: reserved character`);
  }
  const body = `${talker}${formatter},${fields.join(',')}`;
  const sentence = `${start}${body}*${formatChecksum(xorChecksum(body))}`;
  if (sentence.length > MAX_SENTENCE_LENGTH) {
    throw new RangeError(`sentence of ${sentence.length + 2} characters exceeds the 82-character limit`);
  }
  return sentence;
}

const BACKSLASH = 0x5c;
const BANG = 0x21;
const DOLLAR = 0x24;

function isSpace(c: number): boolean {
  return c === 0x0d || c === 0x0a || c === 0x20 || c === 0x09;
}
