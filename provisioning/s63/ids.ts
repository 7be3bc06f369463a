/**
 * S-63 identifiers as key material (§5.2, corrected per reference/s63-secom-mrn.md §1.2): HW_ID and M_KEY are
 * 5-character upper-case hex strings and the Blowfish keys are their ASCII bytes; HW_ID6 (the cell-permit key,
 * §10.6.2) is those 5 bytes followed by the first one again.
 */
import { ascii } from './_bytes.js';

const FIVE_HEX = /^[0-9A-F]{5}$/;

export function isFiveHex(text: string): boolean {
  return FIVE_HEX.test(text);
}

/** Asserts a 5-character upper-case hex id (HW_ID or M_KEY) and returns it. */
export function assertFiveHex(text: string, name: string): string {
  if (!isFiveHex(text)) throw new RangeError(`${name} must be 5 upper-case hex characters`);
  return text;
}

/** The Blowfish key of a HW_ID or M_KEY: its 5 ASCII bytes. */
export function keyBytes(id: string, name: string): Uint8Array {
  return ascii(assertFiveHex(id, name));
}

/** HW_ID6 (§10.6.2): the 5 ASCII bytes of HW_ID plus its first byte again. */
export function hwId6(hwId: string): Uint8Array {
  const k = keyBytes(hwId, 'hwId');
  return new Uint8Array([...k, k[0]!]);
}
