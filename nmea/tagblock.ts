/**
 * IEC 61162-450 §7.3 (NMEA 0183 v4 "TAG block"): `\k:v,k:v*hh\` in front of a sentence. The checksum covers the
 * characters between the leading `\` and the `*`. Parameters are passed through as text; the ones with a defined
 * meaning (`c` UNIX time, `g` sentence grouping, `s` source) are also offered parsed.
 */
import { formatChecksum, parseChecksumAt, xorChecksum } from './checksum.js';
import { NmeaTagBlockError } from './errors.js';

export interface TagGroup {
  /** Sentence number within the group, 1-based. */
  readonly index: number;
  readonly count: number;
  readonly id: number;
}

export interface TagBlock {
  /** `\…\` exactly as received, so it can be forwarded unchanged. */
  readonly raw: string;
  /** Parameters in order of appearance, as text. */
  readonly params: ReadonlyArray<readonly [key: string, value: string]>;
  readonly source: string | undefined;
  /** `c:` — UNIX time; some sources send milliseconds, which we do not guess at. */
  readonly time: number | undefined;
  readonly group: TagGroup | undefined;
}

/** Longest TAG block we accept; IEC 61162-450 keeps the whole datagram line within a few hundred bytes. */
export const MAX_TAG_BLOCK_LENGTH = 256;

/**
 * Parses the TAG block at the start of `line` (which must begin with `\`). Returns the block and the offset of the
 * first character after its closing `\`.
 */
export function parseTagBlock(line: string): { tagBlock: TagBlock; end: number } {
  const close = line.indexOf('\\', 1);
  if (close < 0 || close > MAX_TAG_BLOCK_LENGTH) throw new NmeaTagBlockError('unterminated TAG block', { sentence: line });
  const star = line.lastIndexOf('*', close);
  if (star < 1 || close - star !== 3) throw new NmeaTagBlockError('TAG block without *hh checksum', { sentence: line });
  const stated = parseChecksumAt(line, star + 1);
  const computed = xorChecksum(line, 1, star);
  if (stated < 0) throw new NmeaTagBlockError('TAG block checksum is not hex', { sentence: line });
  if (stated !== computed) {
    throw new NmeaTagBlockError(`TAG block checksum ${formatChecksum(stated)}, computed ${formatChecksum(computed)}`, {
      sentence: line,
    });
  }
  const params: Array<readonly [string, string]> = [];
  let source: string | undefined;
  let time: number | undefined;
  let group: TagGroup | undefined;
  if (star > 1) {
    for (const item of line.slice(1, star).split(',')) {
      const colon = item.indexOf(':');
      if (colon < 1) throw new NmeaTagBlockError(`TAG block parameter ${JSON.stringify(item)} is not key:value`, { sentence: line });
      const key = item.slice(0, colon);
      const value = item.slice(colon + 1);
      params.push([key, value]);
      if (key === 's') source = value;
      else if (key === 'c' && /^\d{1,16}$/.test(value)) time = Number(value);
      else if (key === 'g') group = parseGroup(value);
    }
  }
  return { tagBlock: { raw: line.slice(0, close + 1), params, source, time, group }, end: close + 1 };
}

function parseGroup(value: string): TagGroup | undefined {
  const m = /^(\d{1,4})-(\d{1,4})-(\d{1,9})$/.exec(value);
  if (m === null) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return index >= 1 && index <= count ? { index, count, id: Number(m[3]) } : undefined;
}

/** Builds `\k:v,…*hh\`. Keys are one or more letters; values may not contain the delimiters `,*\!$`. */
export function formatTagBlock(params: ReadonlyArray<readonly [string, string]>): string {
  if (params.length === 0) throw new RangeError('tag block: expected at least one parameter');
  const body = params
    .map(([k, v]) => {
      if (!/^[A-Za-z]{1,2}$/.test(k)) throw new RangeError(`tag block: bad key ${JSON.stringify(k)}`);
      if (!/^[\x20-\x7e]*$/.test(v) || /[,*\\!$]/.test(v)) throw new RangeError(`tag block: bad value for ${k}`);
      return `${k}:${v}`;
    })
    .join(',');
  if (body.length + 5 > MAX_TAG_BLOCK_LENGTH) throw new RangeError('tag block: too long');
  return `\\${body}*${formatChecksum(xorChecksum(body))}\\`;
}
