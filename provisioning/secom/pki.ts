/**
 * X.509 certificates for SECOM envelopes and data signatures (IEC 63173-2 via SECOMLib, reference notes §2.5):
 * ECDSA P-384 with SHA-384, the entity's MCP MRN in the subject's UID attribute as MCP-PKI puts it (§3.3).
 * Built with @peculiar/x509 on Node's WebCrypto (no hand-written ASN.1). The authority's shore PKI is separate from
 * the permit chain (Ed25519 root → issuer, firmware/permit): SECOM authenticates the peers of an exchange, the permit
 * chain authenticates the keys.
 */
import 'reflect-metadata';
import { createHash, KeyObject, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const SECOM_SIGN_ALG = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const;
/** The OID of the UID attribute (RFC 4519), where MCP-PKI puts the entity's MRN. */
export const UID_OID = '0.9.2342.19200300.100.1.1';

export interface SecomIdentity {
  readonly mrn: string;
  readonly certificate: x509.X509Certificate;
  /** For Node's crypto.sign (DER-encoded ECDSA signatures, as SECOMLib's JCA produces). */
  readonly privateKey: KeyObject;
  /** The same key for WebCrypto (issuing certificates). */
  readonly signingKey: CryptoKey;
}

export interface CertificateRequest {
  readonly mrn: string;
  readonly commonName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const subjectOf = (r: CertificateRequest): string => `CN=${r.commonName.replace(/[,+="\\<>;]/g, '_')}, ${UID_OID}=${r.mrn}`;

async function keys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

function serial(): string {
  return createHash('sha256').update(webcrypto.getRandomValues(new Uint8Array(16))).digest('hex').slice(0, 32).replace(/^[89a-f]/, '1');
}

/** A self-signed root (CA) certificate. */
export async function createRoot(r: CertificateRequest): Promise<SecomIdentity> {
  const pair = await keys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: subjectOf(r),
    notBefore: r.notBefore,
    notAfter: r.notAfter,
    keys: pair,
    signingAlgorithm: SECOM_SIGN_ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  return { mrn: r.mrn, certificate, privateKey: KeyObject.from(pair.privateKey), signingKey: pair.privateKey };
}

/** An end-entity certificate for signing envelopes and data, issued by `issuer`. */
export async function issueLeaf(r: CertificateRequest, issuer: Issuer): Promise<SecomIdentity> {
  const { pair, certificate } = await issueUnder(r, issuer, [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
  ]);
  return { mrn: r.mrn, certificate, privateKey: KeyObject.from(pair.privateKey), signingKey: pair.privateKey };
}

type Issuer = { certificate: x509.X509Certificate; signingKey: CryptoKey };

/** A fresh P-384 key pair and its certificate for `r`, signed by `issuer` with the given extensions. */
async function issueUnder(r: CertificateRequest, issuer: Issuer, extensions: x509.Extension[]): Promise<{ pair: CryptoKeyPair; certificate: x509.X509Certificate }> {
  const pair = await keys();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: subjectOf(r),
    issuer: issuer.certificate.subject,
    notBefore: r.notBefore,
    notAfter: r.notAfter,
    publicKey: pair.publicKey,
    signingKey: issuer.signingKey,
    signingAlgorithm: SECOM_SIGN_ALG,
    extensions,
  });
  return { pair, certificate };
}

/** SECOM's `…RootCertificateThumbprint`: SHA-256 of the DER, lower-case hex. */
export function thumbprint(certificate: x509.X509Certificate): string {
  return createHash('sha256').update(new Uint8Array(certificate.rawData)).digest('hex');
}

/** SECOM carries certificates as base64 DER ("minified PEM"). */
export function certificateToBase64(certificate: x509.X509Certificate): string {
  return Buffer.from(certificate.rawData).toString('base64');
}

/** The MRN in the subject's UID attribute, if exactly one. */
export function mrnOf(certificate: x509.X509Certificate): string | undefined {
  const values = certificate.subjectName.getField(UID_OID);
  return values.length === 1 ? values[0] : undefined;
}

/** A TLS server certificate for the service (SAN: the given IP addresses and DNS names), and its key as PEM. */
export async function issueTlsServer(
  r: CertificateRequest & { ips?: readonly string[]; dnsNames?: readonly string[] },
  issuer: Issuer,
): Promise<{ cert: string; key: string }> {
  const names = [...(r.ips ?? []).map((value) => ({ type: 'ip' as const, value })), ...(r.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value }))];
  const { pair, certificate } = await issueUnder(r, issuer, [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(names),
  ]);
  return { cert: certificate.toString('pem'), key: KeyObject.from(pair.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString() };
}
