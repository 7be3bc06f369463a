/**
 * S-63 authentication files (§6.4 element format; §6.3 ENC signature file; client checks §11.6.2–11.6.3).
 * An element is a header line `// <text>` and one data string of upper-case hex in groups of 4 separated by one
 * space and terminated by `.`. The ENC signature file holds 8 elements: R, S (Data Server signature over the
 * encrypted cell file), then the SA-signed DS certificate: R, S (SA signature), p, q, g, y.
 * The SA signs the DS public key *as text*; per reference §1.6 (verified against a real IHO-signed certificate)
 * the hash input is the four public-key elements with each data string on one line and CRLF line ends,
 * including the final one.
 */
import { ascii, parseHex, toHex } from './_bytes.js';
import { bytesToBigint, dsaVerifySha1, type DsaPublicKey, type DsaSignature } from './dsa.js';
import { S63Error, type SseCode } from './errors.js';

const HEADERS = {
  r: '// Signature part R:',
  s: '// Signature part S:',
  p: '// BIG p',
  q: '// BIG q',
  g: '// BIG g',
  y: '// BIG y',
} as const;
type Element = keyof typeof HEADERS;

/** Hex digits per element (§6.4.1: R, S, q 10 blocks; p, g, y 32 blocks; leading zeros kept). */
const WIDTH: Record<Element, number> = { r: 40, s: 40, q: 40, p: 128, g: 128, y: 128 };

export interface SignatureFile {
  /** The Data Server's signature over the encrypted cell file. */
  readonly encSignature: DsaSignature;
  /** The SA's signature over the DS public key text. */
  readonly certificateSignature: DsaSignature;
  /** The Data Server's public key from the certificate. */
  readonly dataServerKey: DsaPublicKey;
}

function formatData(value: bigint, width: number): string {
  const hex = toHex(hexBytes(value, width / 2));
  return hex.match(/.{4}/g)!.join(' ') + '.';
}

function hexBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError('value too wide for its S-63 element');
  return out;
}

/** The exact text the SA signs for a DS certificate (reference §1.6): p, q, g, y, CRLF after every line. */
export function publicKeyText(key: DsaPublicKey): Uint8Array {
  const lines = (['p', 'q', 'g', 'y'] as const).flatMap((e) => [HEADERS[e], formatData(key[e], WIDTH[e])]);
  return ascii(lines.map((l) => l + '\r\n').join(''));
}

function parseData(line: string | undefined, element: Element): bigint | undefined {
  if (line === undefined) return undefined;
  const m = /^((?:[0-9A-F]{4} )*[0-9A-F]{4})\.$/.exec(line.trim());
  if (!m) return undefined;
  const hex = m[1]!.replaceAll(' ', '');
  if (hex.length !== WIDTH[element]) return undefined;
  return bytesToBigint(parseHex(hex)!);
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '');
}

function readElements(ls: string[], start: number, order: readonly Element[], code: SseCode): bigint[] {
  return order.map((e, i) => {
    const header = ls[start + 2 * i];
    const value = parseData(ls[start + 2 * i + 1], e);
    if (header?.trim() !== HEADERS[e] || value === undefined) {
      throw new S63Error(code, `element ${i + 1} (${HEADERS[e]}) missing or malformed`);
    }
    return value;
  });
}

/**
 * Parses an ENC signature file. A malformed first R/S pair is SSE 24 (§11.6.3: skip that cell); a malformed or
 * missing certificate part is SSE 04. A file with only a signature is invalid (§6.3).
 */
export function parseSignatureFile(text: string): SignatureFile {
  const ls = lines(text);
  const [r, s] = readElements(ls, 0, ['r', 's'], 'SSE 24');
  const [cr, cs, p, q, g, y] = readElements(ls, 4, ['r', 's', 'p', 'q', 'g', 'y'], 'SSE 04');
  if (ls.length !== 16) throw new S63Error('SSE 04', `expected 16 lines, found ${ls.length}`);
  return {
    encSignature: { r: r!, s: s! },
    certificateSignature: { r: cr!, s: cs! },
    dataServerKey: { p: p!, q: q!, g: g!, y: y! },
  };
}

/** Parses a printable public-key file (p, q, g, y), e.g. "Scheme Administrator Public Key.txt" (§6.2). */
export function parsePublicKeyText(text: string): DsaPublicKey {
  const [p, q, g, y] = readElements(lines(text), 0, ['p', 'q', 'g', 'y'], 'SSE 08');
  return { p: p!, q: q!, g: g!, y: y! };
}

export interface SignatureCheck {
  /** SSE 26 when the DS certificate verifies only against another installed key (warn once, continue). */
  readonly warnings: readonly SseCode[];
  readonly dataServerKey: DsaPublicKey;
}

/**
 * The client procedure of §11.6.2–11.6.3 for one cell: parse (SSE 24/04), verify the DS certificate with the
 * SA key over the public-key text (SSE 06, or SSE 26 if another installed key signed it), then verify the DS
 * signature over all bytes of the encrypted cell file (SSE 09) — before anything is decrypted.
 */
export function checkSignatureFile(
  text: string,
  encryptedCell: Uint8Array,
  saKey: DsaPublicKey,
  otherKeys: readonly DsaPublicKey[] = [],
): SignatureCheck {
  const file = parseSignatureFile(text);
  const certText = publicKeyText(file.dataServerKey);
  const warnings: SseCode[] = [];
  if (!dsaVerifySha1(saKey, certText, file.certificateSignature)) {
    if (!otherKeys.some((k) => dsaVerifySha1(k, certText, file.certificateSignature))) {
      throw new S63Error('SSE 06', 'DS certificate does not verify with the SA public key');
    }
    warnings.push('SSE 26');
  }
  if (!dsaVerifySha1(file.dataServerKey, encryptedCell, file.encSignature)) {
    throw new S63Error('SSE 09', 'ENC signature does not verify with the Data Server key');
  }
  return { warnings, dataServerKey: file.dataServerKey };
}

/**
 * Signature-file name (§6.3.2): the navigational-purpose digit 1–6 (3rd character) becomes I–N.
 * GB100001.000 → GBI00001.000.
 */
export function signatureFileName(cellFileName: string): string {
  const m = /^([A-Z0-9]{2})([1-6])([A-Z0-9]{5}\.\d{3})$/.exec(cellFileName);
  if (!m) throw new RangeError('cell file name must look like CCPNNNNN.EEE with purpose digit 1..6');
  return m[1]! + String.fromCharCode(0x48 + Number(m[2])) + m[3]!;
}
