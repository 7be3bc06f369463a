/**
 * IEC 61162-1 §7.2.3 sentence checksum: XOR of every character between the start delimiter (`!`, `$`, or the
 * TAG block's `\`) and the `*`, exclusive, written as two upper-case hex digits.
 */

/** XOR of the character codes of `text[start..end)`. */
export function xorChecksum(text: string, start = 0, end: number = text.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum ^= text.charCodeAt(i);
  return sum & 0xff;
}

/** Two upper-case hex digits, as the sentence carries them. */
export function formatChecksum(sum: number): string {
  if (!Number.isInteger(sum) || sum < 0 || sum > 0xff) throw new RangeError(`checksum: expected 0..255, got ${sum}`);
  return HEX[sum >> 4]! + HEX[sum & 15]!;
}

const HEX = '0123456789ABCDEF';

/** Value of two hex digits at `text[at]`, `text[at+1]` (either case), or -1 if they are not hex. */
export function parseChecksumAt(text: string, at: number): number {
  const hi = hexValue(text.charCodeAt(at));
  const lo = hexValue(text.charCodeAt(at + 1));
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}
