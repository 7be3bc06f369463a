/**
 * Checks a peer's SECOM certificate (base64 DER, as envelopes and data signatures carry it): issued by one of the
 * authority's trusted roots, valid now (leaf and root), and naming an MCP MRN (reference notes §3) that the
 * exchange allows. Throws SecomError CERT_*.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { SecomError } from './errors.js';
import { mrnOf, thumbprint } from './pki.js';

/** MCP MRN (reference notes §3.1), case-insensitive, as the MCP validators match it. */
export const MCP_MRN = /^urn:mrn:mcp:(device|org|user|vessel|service|mms|mir|msr):[a-z0-9][a-z0-9-]{0,20}[a-z0-9]:[-._a-z0-9~!$&'()*+,;=:@%]+(\/[-._a-z0-9~!$&'()*+,;=:@%]*)*$/i;

/** Largest certificate accepted (a P-384 leaf is ≈ 600 bytes). */
const MAX_CERTIFICATE_BASE64 = 8192;

export interface CheckedCertificate {
  readonly certificate: x509.X509Certificate;
  readonly mrn: string;
  /** SHA-256 thumbprint of the root that issued it. */
  readonly rootThumbprint: string;
}

export async function checkCertificate(
  base64: string,
  roots: readonly x509.X509Certificate[],
  nowMs: number,
  allowMrn: (mrn: string) => boolean,
): Promise<CheckedCertificate> {
  let certificate: x509.X509Certificate;
  try {
    if (base64.length > MAX_CERTIFICATE_BASE64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw new Error('not base64 of a certificate');
    certificate = new x509.X509Certificate(Buffer.from(base64, 'base64'));
  } catch (cause) {
    throw new SecomError('CERT_MALFORMED', 'the certificate does not parse', { cause });
  }
  const now = new Date(nowMs);
  let issuer: x509.X509Certificate | undefined;
  for (const root of roots) {
    if (root.subject !== certificate.issuer) continue;
    if (await certificate.verify({ publicKey: root.publicKey, signatureOnly: true }).catch(() => false)) {
      issuer = root;
      break;
    }
  }
  if (issuer === undefined) throw new SecomError('CERT_UNTRUSTED', `${certificate.subject} is not issued by a trusted root`);
  for (const c of [certificate, issuer]) {
    if (now < c.notBefore || now > c.notAfter) throw new SecomError('CERT_EXPIRED', `${c.subject} is valid ${c.notBefore.toISOString()}..${c.notAfter.toISOString()}`);
  }
  const mrn = mrnOf(certificate);
  if (mrn === undefined || !MCP_MRN.test(mrn)) throw new SecomError('CERT_WRONG_MRN', `${certificate.subject} names no MCP MRN`);
  if (!allowMrn(mrn)) throw new SecomError('CERT_WRONG_MRN', `${mrn} may not make this exchange`);
  return { certificate, mrn, rootThumbprint: thumbprint(issuer) };
}
