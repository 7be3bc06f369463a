/**
 * The SECOM v1 Upload envelope (`POST /v1/object`, reference notes §2.3/§2.5, after SECOMLib): its JSON shape, the
 * "."-joined text its envelope signature covers, and building/checking that signature.
 * Departure: SECOMLib writes `digitalSignatureReference` into the signed text as a Java enum name
 * (`sha2_384_with_ecdsa`); we sign the JSON value (`ecdsa-384-sha2`) that travels, so the text is derived from the
 * message alone. Null fields are empty strings and booleans `true`/`false`, as in SECOMLib.
 */
import type { KeyObject } from 'node:crypto';
import type * as x509 from '@peculiar/x509';
import { certificateToBase64, thumbprint } from './pki.js';
import { signHex, verifyHex } from './signature.js';

export const CONTAINER_TYPE = { S100_DataSet: 0, S100_ExchangeSet: 1, NONE: 2 } as const;
export const ACK_REQUEST = { NO_ACK: 0, DELIVERED: 1, OPENED: 2, DELIVERED_AND_OPENED: 3 } as const;

export interface ExchangeMetadata {
  dataProtection: boolean;
  protectionScheme: string;
  digitalSignatureReference: string;
  digitalSignatureValue: { publicRootCertificateThumbprint: string; publicCertificate: string; digitalSignature: string };
  compressionFlag: boolean;
}

export interface UploadEnvelope {
  data: string;
  containerType: number;
  dataProductType: string;
  exchangeMetadata: ExchangeMetadata;
  fromSubscription: boolean;
  ackRequest: number;
  transactionIdentifier: string;
  envelopeSignatureCertificate: string;
  envelopeRootCertificateThumbprint: string;
  /** `yyyyMMdd'T'HHmmss'Z'` (SECOM v1 time format). */
  envelopeSignatureTime: string;
}

export interface UploadObject {
  envelope: UploadEnvelope;
  envelopeSignature: string;
}

/** SECOM v1 time: yyyyMMdd'T'HHmmss'Z'. */
export function secomTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function parseSecomTime(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (m === null) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The text the envelope signature covers, in SECOMLib's field order. */
export function uploadSignedText(e: UploadEnvelope): string {
  const m = e.exchangeMetadata;
  const when = parseSecomTime(e.envelopeSignatureTime);
  return [
    e.data, e.containerType, e.dataProductType, m.dataProtection, m.protectionScheme, m.digitalSignatureReference,
    m.digitalSignatureValue.publicRootCertificateThumbprint, m.digitalSignatureValue.publicCertificate, m.digitalSignatureValue.digitalSignature,
    m.compressionFlag, e.fromSubscription, e.ackRequest, e.transactionIdentifier, e.envelopeSignatureCertificate,
    e.envelopeRootCertificateThumbprint, when === undefined ? '' : Math.floor(when / 1000),
  ].map(String).join('.');
}

export interface EnvelopeSigner {
  readonly certificate: x509.X509Certificate;
  readonly privateKey: KeyObject;
  readonly root: x509.X509Certificate;
}

/** Fills the envelope's certificate fields and signs it. */
export function signUpload(
  fields: Omit<UploadEnvelope, 'envelopeSignatureCertificate' | 'envelopeRootCertificateThumbprint' | 'envelopeSignatureTime'>,
  signer: EnvelopeSigner,
  nowMs: number,
): UploadObject {
  const envelope: UploadEnvelope = {
    ...fields,
    envelopeSignatureCertificate: certificateToBase64(signer.certificate),
    envelopeRootCertificateThumbprint: thumbprint(signer.root),
    envelopeSignatureTime: secomTime(nowMs),
  };
  return { envelope, envelopeSignature: signHex(new TextEncoder().encode(uploadSignedText(envelope)), signer.privateKey) };
}

export function verifyUpload(upload: UploadObject, certificate: x509.X509Certificate): boolean {
  return verifyHex(new TextEncoder().encode(uploadSignedText(upload.envelope)), upload.envelopeSignature, certificate);
}
