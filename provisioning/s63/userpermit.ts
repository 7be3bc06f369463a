/**
 * S-63 userpermit (§4.2.2, §11.4 create, §10.6.1 decrypt): 28 ASCII characters = 16 hex of
 * Blowfish-ECB(M_KEY, pad(HW_ID)) + 8 hex CRC-32 + 4 hex of the 2 ASCII M_ID characters.
 * Correction to the standard's text (reference §1.2): the CRC is over the 16 upper-case hex *characters*, not
 * over the 8 raw bytes (§10.6.2(j) says otherwise; raw bytes give 036A589E instead of the published 7E450C04).
 */
import { ascii, fromAscii, parseHex, toHex } from './_bytes.js';
import { decryptEcbRaw, encryptEcb, unpad } from './blowfish.js';
import { crc32 } from './crc32.js';
import { S63Error } from './errors.js';
import { isFiveHex, keyBytes } from './ids.js';

export interface UserPermitFields {
  /** 5 upper-case hex characters. */
  readonly hwId: string;
  /** 2 ASCII characters (alphanumeric since ed. 1.1.1). */
  readonly mId: string;
}

const M_ID = /^[0-9A-Za-z]{2}$/;

function crcHex(text: string): string {
  return crc32(ascii(text)).toString(16).toUpperCase().padStart(8, '0');
}

export function createUserPermit(hwId: string, mKey: string, mId: string): string {
  if (!M_ID.test(mId)) throw new RangeError('mId must be 2 alphanumeric characters');
  const encrypted = toHex(encryptEcb(keyBytes(mKey, 'mKey'), keyBytes(hwId, 'hwId')));
  return encrypted + crcHex(encrypted) + toHex(ascii(mId));
}

/**
 * Data Server side (§10.6.1): checks the CRC (SSE 17), looks up M_KEY by M_ID, decrypts and checks the HW_ID
 * format (SSE 18). `mKeyOf` returns undefined for an unknown manufacturer, which S-63 also reports as SSE 17
 * (the permit cannot be validated).
 */
export function decodeUserPermit(permit: string, mKeyOf: (mId: string) => string | undefined): UserPermitFields {
  if (!/^[0-9A-F]{28}$/.test(permit)) throw new S63Error('SSE 17', 'userpermit must be 28 upper-case hex characters');
  const encrypted = permit.slice(0, 16);
  if (crcHex(encrypted) !== permit.slice(16, 24)) throw new S63Error('SSE 17', 'checksum mismatch');
  const mId = fromAscii(parseHex(permit.slice(24))!);
  const mKey = mKeyOf(mId);
  if (mKey === undefined) throw new S63Error('SSE 17', `unknown M_ID ${JSON.stringify(mId)}`);
  const plain = unpad(decryptEcbRaw(keyBytes(mKey, 'mKey'), parseHex(encrypted)!));
  const hwId = plain === undefined ? undefined : fromAscii(plain);
  if (hwId === undefined || !isFiveHex(hwId)) throw new S63Error('SSE 18', 'decrypted HW_ID is not 5 hex characters');
  return { hwId, mId };
}
