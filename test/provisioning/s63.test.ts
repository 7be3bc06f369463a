import { createSign, generateKeyPairSync } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  S63Error,
  checkPermitFile,
  checkSignatureFile,
  crc32,
  createCellPermit,
  createUserPermit,
  decodeUserPermit,
  dsaVerifySha1,
  parsePermitFile,
  parsePublicKeyText,
  parseSignatureFile,
  publicKeyText,
  signatureFileName,
  verifyCellPermit,
  type DsaPublicKey,
} from '../../provisioning/s63/index.js';
import { bytesToBigint, modInv, modPow } from '../../provisioning/s63/dsa.js';
import { sha1 } from '@noble/hashes/legacy.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const te = new TextEncoder();

function sseOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof S63Error) return e.code;
    throw e;
  }
  return undefined;
}

describe('CRC-32 (ISO/IEC 13239 = zlib)', () => {
  it('matches zlib on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => crc32(b) === zlibCrc32(b)));
  });
});

describe('userpermit (V1, V8, V9)', () => {
  const keys: Record<string, string> = { '01': '98765', '10': '10121' };
  it('V1: creates 73871727080876A07E450C043031 and decodes back to HW_ID 12348', () => {
    expect(createUserPermit('12348', '98765', '01')).toBe('73871727080876A07E450C043031');
    expect(decodeUserPermit('73871727080876A07E450C043031', (m) => keys[m])).toEqual({ hwId: '12348', mId: '01' });
  });
  it('V1: the CRC is over the 16 ASCII characters, not the raw bytes (seed text corrected)', () => {
    expect(crc32(te.encode('73871727080876A0')).toString(16).toUpperCase()).toBe('7E450C04');
    expect(crc32(hex('73871727080876A0')).toString(16).toUpperCase()).toBe('36A589E');
  });
  it('V8: IHO test data M_ID 10 / M_KEY 10121 / HW_ID 12345', () => {
    expect(createUserPermit('12345', '10121', '10')).toBe('66B5CBFDF7E4139D5B6086C23130');
  });
  it('V9: A79AB under 123AB is 8A1C…, not the seed 5.2.2 value 73871727080876A0', () => {
    expect(createUserPermit('A79AB', '123AB', '01')).toBe('8A1C85261984DB7538D3FF053031');
  });
  it('rejects a bad checksum with SSE 17 and a wrong M_KEY with SSE 18', () => {
    expect(sseOf(() => decodeUserPermit('73871727080876A07E450C053031', (m) => keys[m]))).toBe('SSE 17');
    expect(sseOf(() => decodeUserPermit('73871727080876A07E450C043032', (m) => keys[m]))).toBe('SSE 17');
    expect(sseOf(() => decodeUserPermit('73871727080876A07E450C043031', () => '12345'))).toBe('SSE 18');
  });
  it('round-trips every HW_ID and M_KEY', () => {
    const five = fc.stringMatching(/^[0-9A-F]{5}$/);
    fc.assert(
      fc.property(five, five, (hw, mk) => {
        expect(decodeUserPermit(createUserPermit(hw, mk, 'AB'), () => mk).hwId).toBe(hw);
      }),
      { numRuns: 50 },
    );
  });
});

const V2 = 'NO4D061320000830BEB9BFE3C7C6CE68B16411FD09F96982795C77B204F54D48';

describe('cell permit (V2, V8, V9)', () => {
  it('V2: creates and verifies the seed cell permit', () => {
    const p = { cellName: 'NO4D0613', expiry: '20000830', ck1: hex('C1CB518E9C'), ck2: hex('421571CC66') };
    expect(createCellPermit(p, '12348')).toBe(V2);
    expect(verifyCellPermit(V2, '12348')).toEqual(p);
  });
  it('V8: public permits decrypt to the verified cell keys', () => {
    const a = verifyCellPermit('NO4D051220040826F7B3814E59C84805D150D571B9BE53A637BD0B34F1F8F091', '12345');
    expect([Buffer.from(a.ck1).toString('hex'), Buffer.from(a.ck2).toString('hex')]).toEqual(['9c467d359d', '27737811b4']);
    const b = verifyCellPermit('NO5F1615200408262324DAD11E4C2BDC6CCC1D301FC162755946447034895300', '12345');
    expect(Buffer.from(b.ck1).toString('hex')).toBe('a370962ac0');
    const c = verifyCellPermit('GB1000042018123164B51D24FB77ADB364B51D24FB77ADB390432733F4F4D403', '12345');
    expect(c.ck1).toEqual(c.ck2);
    expect(Buffer.from(c.ck1).toString('hex')).toBe('592cecd934');
  });
  it('V9: wrong checksum, changed expiry and wrong HW_ID are all SSE 13', () => {
    expect(sseOf(() => verifyCellPermit('NO4D051220040826F7B3814E59C84805D150D571B9BE53A642E5B05951975E9C', '12345'))).toBe('SSE 13');
    expect(sseOf(() => verifyCellPermit(V2.replace('20000830', '20000831'), '12348'))).toBe('SSE 13');
    expect(sseOf(() => verifyCellPermit(V2, '12345'))).toBe('SSE 13');
  });
  it('rejects malformed permits with SSE 12', () => {
    expect(sseOf(() => verifyCellPermit(V2.slice(1), '12348'))).toBe('SSE 12');
    expect(sseOf(() => verifyCellPermit(V2.toLowerCase(), '12348'))).toBe('SSE 12');
    expect(sseOf(() => verifyCellPermit(V2.replace('20000830', '20001330'), '12348'))).toBe('SSE 12');
  });
  it('any changed hex character of ECK1/ECK2/checksum is refused (SSE 13)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 63 }), fc.integer({ min: 1, max: 15 }), (i, d) => {
        const c = ((parseInt(V2[i]!, 16) + d) % 16).toString(16).toUpperCase();
        expect(sseOf(() => verifyCellPermit(V2.slice(0, i) + c + V2.slice(i + 1), '12348'))).toBe('SSE 13');
      }),
    );
  });
});

const V8_FILE = [
  ':DATE 20030909 09:02',
  ':VERSION 1',
  ':ENC',
  'NO4D051220040826F7B3814E59C84805D150D571B9BE53A637BD0B34F1F8F091,0,3,0,',
  'NO5F1615200408262324DAD11E4C2BDC6CCC1D301FC162755946447034895300,0,4,0,',
  ':ECS',
  '',
].join('\r\n');

describe('PERMIT.TXT (V8) and the §11.5 install checks', () => {
  it('parses the V8 sample', () => {
    const f = parsePermitFile(V8_FILE);
    expect(f.date).toBe('20030909 09:02');
    expect(f.version).toBe(1);
    expect(f.records.map((r) => [r.section, r.serviceLevel, r.edition, r.dataServerId])).toEqual([
      ['ENC', 0, 3, '0'],
      ['ENC', 0, 4, '0'],
    ]);
    expect(parsePermitFile(':DATE 20080809 11:11\n:VERSION 2\n:ENC\n' + 'GB1000042018123164B51D24FB77ADB364B51D24FB77ADB390432733F4F4D403,0,1,GB,Comment, with comma\n').records[0]?.comment).toBe('Comment, with comma');
  });
  it('missing → SSE 11, bad format → SSE 12, other system → SSE 19', () => {
    expect(sseOf(() => checkPermitFile(undefined, '12345', '20040101'))).toBe('SSE 11');
    expect(sseOf(() => checkPermitFile('', '12345', '20040101'))).toBe('SSE 11');
    expect(sseOf(() => checkPermitFile(V8_FILE.replace(':VERSION 1', ':VERSION 0'), '12345', '20040101'))).toBe('SSE 12');
    expect(sseOf(() => checkPermitFile(V8_FILE.replace(',0,3,0,', ',X,3,0,'), '12345', '20040101'))).toBe('SSE 12');
    expect(sseOf(() => checkPermitFile(V8_FILE, '12348', '20040101'))).toBe('SSE 19');
  });
  it('one corrupted record is refused with SSE 13, the others install', () => {
    const bad = V8_FILE.replace('37BD0B34F1F8F091', '42E5B05951975E9C');
    const r = checkPermitFile(bad, '12345', '20040101');
    expect(r.rejected.map((x) => x.code)).toEqual(['SSE 13']);
    expect(r.installed.map((x) => x.cellName)).toEqual(['NO5F1615']);
  });
  it('expiry 20040826: 31 days left silent, 30 and 29 → SSE 20, expiry day valid, day after → SSE 15', () => {
    const status = (today: string) => checkPermitFile(V8_FILE, '12345', today).installed[0]?.status;
    expect(status('20040726')).toBe('valid');
    expect(status('20040727')).toBe('SSE 20');
    expect(status('20040728')).toBe('SSE 20');
    expect(status('20040826')).toBe('SSE 20');
    expect(status('20040827')).toBe('SSE 15');
  });
});

// V5: the IHO SA public key; V7: a real ENC signature file whose DS certificate the SA signed.
const V5 = [
  '// BIG p',
  'FCA6 82CE 8E12 CABA 26EF CCF7 110E 526D B078 B05E DECB CD1E B4A2 08F3 AE16 17AE 01F3 5B91 A47E 6DF6 3413 C5E1 2ED0 899B CD13 2ACD 50D9 9151 BDC4 3EE7 3759 2E17.',
  '// BIG q',
  '962E DDCC 369C BA8E BB26 0EE6 B6A1 26D9 346E 38C5.',
  '// BIG g',
  '6784 71B2 7A9C F44E E91A 49C5 147D B1A9 AAF2 44F0 5A43 4D64 8693 1D2D 1427 1B9E 3503 0B71 FD73 DA17 9069 B32E 2935 630E 1C20 6235 4D0D A20A 6C41 6E50 BE79 4CA4.',
  '// BIG y',
  '963F 14E3 2BA5 3729 28F2 4F15 B073 0C49 D31B 28E5 C764 1002 564D B959 95B1 5CF8 800E D54E 3548 67B8 2BB9 597B 1582 69E0 79F0 C4F4 926B 1776 1CC8 9EB7 7C9B 7EF8.',
].join('\r\n');
const V7 = [
  '// Signature part R:',
  '6660 E559 7ADC ED81 260F A487 236D CA1B 2201 BE87.',
  '// Signature part S:',
  '61CA 33C9 1839 49A4 7823 0977 9422 DF62 B384 0136.',
  '// Signature part R:',
  '7AAF 45AF D759 7558 0D3F B52E AEDC 7C9F 7E77 BF4F.',
  '// Signature part S:',
  '18A9 D232 DF9D B01B 51D5 91D8 F71A A967 3D7A 9863.',
  ...V5.split('\r\n').slice(0, 6),
  '// BIG y',
  '4645 6F86 5627 2ECE 4121 5354 D4EA AD75 1C62 71AA E80D 92DF EBB2 3212 3AAF 07AE E04E D252 58FF 3BCE 15E1 CDAA C7FC 7623 E9A6 5058 678C 8BB7 0419 265A 08D5 4786.',
  '',
].join('\r\n');

/** The INTEGERs of a DER SubjectPublicKeyInfo for DSA, in order: p, q, g (parameters), y (the key). */
function dsaKeyFromSpki(der: Uint8Array): DsaPublicKey {
  const ints: bigint[] = [];
  const walk = (b: Uint8Array): void => {
    let i = 0;
    while (i < b.length) {
      const tag = b[i++]!;
      let len = b[i++]!;
      if (len & 0x80) {
        const n = len & 0x7f;
        len = 0;
        for (let k = 0; k < n; k++) len = len * 256 + b[i++]!;
      }
      const body = b.subarray(i, i + len);
      if (tag === 0x02) ints.push(bytesToBigint(body));
      else if (tag === 0x30) walk(body);
      else if (tag === 0x03) walk(body.subarray(1));
      i += len;
    }
  };
  walk(der);
  const [p, q, g, y] = ints;
  return { p: p!, q: q!, g: g!, y: y! };
}

/** Test-only DSA signer (FIPS 186-2 §5) so the ENC-signature step can be checked end to end. */
function dsaSign(key: DsaPublicKey, x: bigint, msg: Uint8Array, k: bigint) {
  const r = modPow(key.g, k, key.p) % key.q;
  const s = (modInv(k, key.q) * (bytesToBigint(sha1(msg)) + x * r)) % key.q;
  return { r, s };
}

function withSignature(file: string, sig: { r: bigint; s: bigint }): string {
  const fmt = (v: bigint) => v.toString(16).toUpperCase().padStart(40, '0').match(/.{4}/g)!.join(' ') + '.';
  const ls = file.split('\r\n');
  ls[1] = fmt(sig.r);
  ls[3] = fmt(sig.s);
  return ls.join('\r\n');
}

describe('signature files (V5, V7) and DSA-512/SHA-1', () => {
  const sa = parsePublicKeyText(V5);
  const cert = parseSignatureFile(V7);

  it('V5: the X.509 view of the SA y is the DER INTEGER of the same y (02 41 00 …, not a sign flag)', () => {
    const der = hex('024100963F14E32BA5372928F24F15B0730C49D31B28E5C76410025' + '64DB95995B15CF8800ED54E354867B82BB9597B158269E079F0C4F4926B17761CC89EB77C9B7EF8');
    expect([der[0], der[1], der[2]]).toEqual([0x02, 0x41, 0x00]);
    expect(bytesToBigint(der.subarray(3))).toBe(sa.y);
    expect(sa.q.toString(16).length).toBe(40);
    expect(sa.p.toString(16).length).toBe(128);
  });
  it('V7: the SA key (V5) verifies the real IHO-signed DS certificate over the CRLF public-key text', () => {
    expect(dsaVerifySha1(sa, publicKeyText(cert.dataServerKey), cert.certificateSignature)).toBe(true);
  });
  it('V7: LF line ends or a missing final CRLF do not verify (the exact text matters)', () => {
    const text = new TextDecoder().decode(publicKeyText(cert.dataServerKey));
    expect(dsaVerifySha1(sa, te.encode(text.replaceAll('\r\n', '\n')), cert.certificateSignature)).toBe(false);
    expect(dsaVerifySha1(sa, te.encode(text.slice(0, -2)), cert.certificateSignature)).toBe(false);
  });
  it('V7: a flipped bit in the certificate signature or key → SSE 06', () => {
    const badS = V7.replace('18A9 D232', '18A9 D233');
    expect(sseOf(() => checkSignatureFile(badS, new Uint8Array(), sa))).toBe('SSE 06');
    const badY = V7.replace('4645 6F86', '4645 6F87');
    expect(sseOf(() => checkSignatureFile(badY, new Uint8Array(), sa))).toBe('SSE 06');
  });
  it('ENC signature over the encrypted cell verifies; a changed byte → SSE 09; another installed SA → SSE 26 warning', () => {
    // A Data Server key of our own (the V4 example PQG; x reduced mod q, see reference §1.9 V4), certified by a
    // test SA whose signature we also make here.
    const pqg = { p: BigInt('0xD0A02D76D21058DA4D91BBC730AC91865CB4036CCDA46B49465016BB69312F12DF14A0CCF38EB77CAD84E6A12F2AA0D0441A734B1D2BE9445D10BA87609B75E3'), q: BigInt('0x8E0082E3C046DFE6C422F44CC111DBF6ADEE9467'), g: BigInt('0xB08D786D0ED34E397C6B3ACF8843C3BFBAB1A44D0846BB2AC3EED432B270E710E083B239AF0EA5B8693BF2FCA03B6A73E28984FF86231394996F62630845AA94') };
    const x = BigInt('0xEBAF294814857E7C2F48C7B293342F09DA1AEB04') % pqg.q;
    const ds = { ...pqg, y: modPow(pqg.g, x, pqg.p) };
    expect(ds.y).toBe(BigInt('0x444BBA1717580DAF71AB52A56CCA8EAB4C51E9700E37B17BBB46C0B94A36F73F02447FBDAE5B7CA938705AB9E9EE471CE7B010046DF1350542B30332AE6769C6'));
    const saX = 0x1234567n;
    const testSa = { ...pqg, y: modPow(pqg.g, saX, pqg.p) };
    const certSig = dsaSign(testSa, saX, publicKeyText(ds), 0xabcdefn);
    const fmt = (v: bigint, w: number) => v.toString(16).toUpperCase().padStart(w, '0').match(/.{4}/g)!.join(' ') + '.';
    const cell = te.encode('PK\u0003\u0004 encrypted cell bytes');
    const encSig = dsaSign(ds, x, cell, 0x7777n);
    const file = [
      '// Signature part R:', fmt(encSig.r, 40), '// Signature part S:', fmt(encSig.s, 40),
      '// Signature part R:', fmt(certSig.r, 40), '// Signature part S:', fmt(certSig.s, 40),
      '// BIG p', fmt(ds.p, 128), '// BIG q', fmt(ds.q, 40), '// BIG g', fmt(ds.g, 128), '// BIG y', fmt(ds.y, 128), '',
    ].join('\r\n');
    expect(checkSignatureFile(file, cell, testSa).warnings).toEqual([]);
    const tampered = cell.slice();
    tampered[3] = tampered[3]! ^ 1;
    expect(sseOf(() => checkSignatureFile(file, tampered, testSa))).toBe('SSE 09');
    expect(checkSignatureFile(file, cell, sa, [testSa]).warnings).toEqual(['SSE 26']);
    expect(sseOf(() => checkSignatureFile(withSignature(file, { r: 0n, s: 1n }), cell, testSa))).toBe('SSE 09');
  });
  it('malformed first R/S → SSE 24; certificate part missing → SSE 04', () => {
    expect(sseOf(() => parseSignatureFile(V7.replace('6660 E559', '6660 E55')))).toBe('SSE 24');
    expect(sseOf(() => parseSignatureFile(V7.split('\r\n').slice(0, 4).join('\r\n')))).toBe('SSE 04');
    expect(sseOf(() => parseSignatureFile(V7.replace('// BIG g', '// BIG x')))).toBe('SSE 04');
  });
  it('agrees with OpenSSL DSA/SHA-1 (independent implementation)', () => {
    const { publicKey, privateKey } = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
    const key = dsaKeyFromSpki(publicKey.export({ format: 'der', type: 'spki' }));
    const msg = te.encode('mibc-ais');
    const sig = createSign('sha1').update(msg).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' });
    const r = bytesToBigint(sig.subarray(0, 20)), s = bytesToBigint(sig.subarray(20));
    expect(dsaVerifySha1(key, msg, { r, s })).toBe(true);
    expect(dsaVerifySha1(key, te.encode('mibc-aiS'), { r, s })).toBe(false);
  });
  it('V3: signature file names', () => {
    expect(signatureFileName('GB100001.000')).toBe('GBI00001.000');
    expect(signatureFileName('GB61032A.002')).toBe('GBN1032A.002');
  });
});
