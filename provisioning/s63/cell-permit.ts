/**
 * S-63 cell permit (§5.3.4; create §10.6.2, verify §11.5.4, decrypt keys §11.7.2): 64 ASCII characters =
 * cell name (8) + expiry YYYYMMDD (8) + ECK1 (16) + ECK2 (16) + encrypted checksum (16).
 * ECKn = Blowfish-ECB(HW_ID6, pad(CKn)), CKn 5 bytes. Corrections to the standard's text (reference §1.2): the
 * CRC-32 is over the 48 ASCII characters (not "36 bytes"), taken as 4 big-endian bytes, padded 04040404 and
 * encrypted with HW_ID6. A wrong HW_ID and a corrupted permit cannot be told apart: both are SSE 13.
 */
import { ascii, equalBytes, parseHex, toHex, u32be } from './_bytes.js';
import { decryptEcbRaw, encryptEcb, pad, unpad } from './blowfish.js';
import { crc32 } from './crc32.js';
import { S63Error } from './errors.js';
import { hwId6 } from './ids.js';

export interface CellPermit {
  /** S-57 cell name without extension, e.g. NO4D0613. */
  readonly cellName: string;
  /** Expiry date YYYYMMDD. */
  readonly expiry: string;
  /** Current cell key (5 bytes). */
  readonly ck1: Uint8Array;
  /** Next cell key (5 bytes; may equal ck1). */
  readonly ck2: Uint8Array;
}

const CELL_NAME = /^[A-Z0-9]{8}$/;
const PERMIT = /^[A-Z0-9]{8}\d{8}[0-9A-F]{48}$/;

/** True for a real calendar date written YYYYMMDD. */
export function isYyyymmdd(text: string): boolean {
  if (!/^\d{8}$/.test(text)) return false;
  const y = +text.slice(0, 4), m = +text.slice(4, 6), d = +text.slice(6, 8);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function checksumBlock(key: Uint8Array, body: string): Uint8Array {
  return encryptEcb(key, u32be(crc32(ascii(body))));
}

export function createCellPermit(p: CellPermit, hwId: string): string {
  if (!CELL_NAME.test(p.cellName)) throw new RangeError('cellName must be 8 upper-case alphanumeric characters');
  if (!isYyyymmdd(p.expiry)) throw new RangeError('expiry must be a date YYYYMMDD');
  if (p.ck1.length !== 5 || p.ck2.length !== 5) throw new RangeError('cell keys must be 5 bytes');
  const key = hwId6(hwId);
  const body = p.cellName + p.expiry + toHex(encryptEcb(key, p.ck1)) + toHex(encryptEcb(key, p.ck2));
  return body + toHex(checksumBlock(key, body));
}

/** Checks the format (SSE 12) and the checksum under this HW_ID (SSE 13), then decrypts both keys (§11.7.2). */
export function verifyCellPermit(permit: string, hwId: string): CellPermit {
  if (!PERMIT.test(permit) || !isYyyymmdd(permit.slice(8, 16))) {
    throw new S63Error('SSE 12', 'cell permit must be 8 name + 8 date + 48 hex characters');
  }
  const key = hwId6(hwId);
  const body = permit.slice(0, 48);
  // Compare the decrypted block with the padded CRC (rather than re-encrypting) so the padding is checked too.
  const decrypted = decryptEcbRaw(key, parseHex(permit.slice(48))!);
  if (!equalBytes(decrypted, pad(u32be(crc32(ascii(body)))))) {
    throw new S63Error('SSE 13', 'checksum does not match (corrupted, or for another HW_ID)');
  }
  const keys = [permit.slice(16, 32), permit.slice(32, 48)].map((hex) => unpad(decryptEcbRaw(key, parseHex(hex)!)));
  const [ck1, ck2] = keys;
  if (ck1?.length !== 5 || ck2?.length !== 5) throw new S63Error('SSE 13', 'cell key does not decrypt to 5 bytes');
  return { cellName: permit.slice(0, 8), expiry: permit.slice(8, 16), ck1: ck1.slice(), ck2: ck2.slice() };
}
