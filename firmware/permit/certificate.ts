/**
 * Issuer certificate: the authority root's signature (Ed25519, RFC 8032) over an issuing node's public key and
 * validity — the counterpart of S-63's SA-signed Data Server certificate (§6.3, reference §1.10), which also
 * travels inside every signed file. Instead of S-63's "hash of formatted text" (reference §1.11) the root signs
 * the exact bytes below, whose magic also separates them from permit files.
 *
 *   magic "MICRT" 01 | issuerId (u8 len, ASCII) | publicKey 32 | notBefore u48 | notAfter u48 | signature 64
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { PermitError } from './alarms.js';
import { Reader, TruncatedError, Writer } from './_bytes.js';

const MAGIC = new Uint8Array([0x4d, 0x49, 0x43, 0x52, 0x54, 0x01]);
const ISSUER_ID = /^[A-Z0-9][A-Z0-9-]{0,30}[A-Z0-9]$/;

export interface IssuerCertificateFields {
  /** 2..32 characters of A–Z, 0–9 and '-' (S-63's Data Server ID, widened). */
  readonly issuerId: string;
  /** Ed25519 public key of the issuer (32 bytes). */
  readonly publicKey: Uint8Array;
  /** UTC seconds. */
  readonly notBefore: number;
  /** UTC seconds, exclusive. */
  readonly notAfter: number;
}

export interface IssuerCertificate extends IssuerCertificateFields {
  /** The root's Ed25519 signature over the bytes before it. */
  readonly signature: Uint8Array;
  /** The signed bytes (magic to notAfter). */
  readonly tbs: Uint8Array;
}

/** The bytes the authority root signs. */
export function issuerCertificateTbs(c: IssuerCertificateFields): Uint8Array {
  if (!ISSUER_ID.test(c.issuerId)) throw new RangeError('issuerId must be 2..32 of A-Z 0-9 -');
  if (c.publicKey.length !== 32) throw new RangeError('issuer publicKey must be 32 bytes');
  if (!(c.notBefore < c.notAfter)) throw new RangeError('notBefore must be before notAfter');
  return new Writer()
    .bytes(MAGIC)
    .short(new TextEncoder().encode(c.issuerId))
    .bytes(c.publicKey)
    .u48(c.notBefore)
    .u48(c.notAfter)
    .finish();
}

export function encodeIssuerCertificate(c: IssuerCertificateFields, signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) throw new RangeError('signature must be 64 bytes');
  return new Writer().bytes(issuerCertificateTbs(c)).bytes(signature).finish();
}

export function decodeIssuerCertificate(bytes: Uint8Array): IssuerCertificate {
  try {
    const r = new Reader(bytes);
    const magic = r.bytes(MAGIC.length);
    if (!magic.every((b, i) => b === MAGIC[i])) throw new PermitError('PERMIT_FORMAT', 'issuer certificate magic');
    const issuerId = String.fromCharCode(...r.bytes(r.u8()));
    const publicKey = r.bytes(32).slice();
    const notBefore = r.u48();
    const notAfter = r.u48();
    const tbs = bytes.slice(0, r.offset);
    const signature = r.bytes(64).slice();
    if (r.remaining !== 0) throw new PermitError('PERMIT_FORMAT', 'trailing bytes after issuer certificate');
    if (!ISSUER_ID.test(issuerId) || !(notBefore < notAfter)) {
      throw new PermitError('PERMIT_FORMAT', 'issuer certificate fields out of range');
    }
    return { issuerId, publicKey, notBefore, notAfter, signature, tbs };
  } catch (err) {
    if (err instanceof TruncatedError) throw new PermitError('PERMIT_FORMAT', 'issuer certificate truncated', { cause: err });
    throw err;
  }
}

/** True when the root signed this certificate; false for any well-formed but invalid signature or key. */
export function verifyIssuerCertificate(c: IssuerCertificate, rootPublicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(c.signature, c.tbs, rootPublicKey);
  } catch {
    // noble throws on encodings that are not curve points; for a certificate that is simply "not signed by root".
    return false;
  }
}
