/**
 * The checks every signed SECOM upload passes, on whichever side receives it (the authority's service, the vessel
 * operator's server): docs/secom.md "Envelope". JSON schema first (Fastify, `UPLOAD_BODY_SCHEMA`), then envelope
 * certificate → root thumbprint → envelope signature → freshness → replay → data certificate (same entity) →
 * bounded payload → data signature. Each failure is a SecomError with its stable reason.
 */
import type * as x509 from '@peculiar/x509';
import { checkCertificate } from './certificate.js';
import { parseSecomTime, verifyUpload, type UploadObject } from './envelope.js';
import { SecomError } from './errors.js';
import type { ReplayMemory } from './limits.js';
import { openPayload } from './payload.js';
import { verifyHex } from './signature.js';

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** The Upload body (SECOMLib's UploadObject) as a Fastify JSON schema: unknown keys refused. */
export const UPLOAD_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['envelope', 'envelopeSignature'],
  properties: {
    envelopeSignature: { type: 'string', pattern: '^[0-9a-fA-F]{2,512}$' },
    envelope: {
      type: 'object',
      additionalProperties: false,
      required: ['data', 'containerType', 'dataProductType', 'exchangeMetadata', 'fromSubscription', 'ackRequest', 'transactionIdentifier', 'envelopeSignatureCertificate', 'envelopeRootCertificateThumbprint', 'envelopeSignatureTime'],
      properties: {
        data: { type: 'string', minLength: 1 },
        containerType: { type: 'integer', enum: [0, 1, 2] },
        dataProductType: { type: 'string', enum: ['OTHER'] },
        exchangeMetadata: {
          type: 'object',
          additionalProperties: false,
          required: ['dataProtection', 'protectionScheme', 'digitalSignatureReference', 'digitalSignatureValue', 'compressionFlag'],
          properties: {
            dataProtection: { type: 'boolean', const: false },
            protectionScheme: { type: 'string', const: 'SECOM' },
            digitalSignatureReference: { type: 'string', const: 'ecdsa-384-sha2' },
            digitalSignatureValue: {
              type: 'object',
              additionalProperties: false,
              required: ['publicRootCertificateThumbprint', 'publicCertificate', 'digitalSignature'],
              properties: {
                publicRootCertificateThumbprint: { type: 'string', pattern: '^[0-9a-f]{64}$' },
                publicCertificate: { type: 'string', maxLength: 8192 },
                digitalSignature: { type: 'string', pattern: '^[0-9a-fA-F]{2,512}$' },
              },
            },
            compressionFlag: { type: 'boolean' },
          },
        },
        fromSubscription: { type: 'boolean' },
        ackRequest: { type: 'integer', enum: [0, 1, 2, 3] },
        transactionIdentifier: { type: 'string', pattern: UUID_PATTERN },
        envelopeSignatureCertificate: { type: 'string', maxLength: 8192 },
        envelopeRootCertificateThumbprint: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        envelopeSignatureTime: { type: 'string', pattern: '^\\d{8}T\\d{6}Z$' },
      },
    },
  },
} as const;

export interface UploadCheck {
  /** Roots the envelope and data certificates must chain to. */
  readonly trustedRoots: readonly x509.X509Certificate[];
  /** Whose MRN may send this exchange. */
  readonly allowMrn: RegExp;
  readonly now: () => number;
  /** Envelope signature time must be within this of now. */
  readonly freshnessMs: number;
  readonly replay: ReplayMemory;
  readonly maxPayloadBytes: number;
}

export interface OpenedUpload {
  readonly peer: string;
  readonly bytes: Uint8Array;
}

/** Runs the checks; `onPeer` learns the sender's MRN as soon as its certificate passed (for the record of a refusal). */
export async function openUpload(upload: UploadObject, c: UploadCheck, onPeer: (mrn: string) => void = () => undefined): Promise<OpenedUpload> {
  const e = upload.envelope;
  const envelopeCert = await checkCertificate(e.envelopeSignatureCertificate, c.trustedRoots, c.now(), (m) => c.allowMrn.test(m));
  onPeer(envelopeCert.mrn);
  if (envelopeCert.rootThumbprint !== e.envelopeRootCertificateThumbprint) throw new SecomError('CERT_UNTRUSTED', 'envelopeRootCertificateThumbprint names another root');
  if (!verifyUpload(upload, envelopeCert.certificate)) throw new SecomError('ENVELOPE_SIGNATURE', 'the envelope signature does not verify');
  const signedAt = parseSecomTime(e.envelopeSignatureTime);
  if (signedAt === undefined || Math.abs(c.now() - signedAt) > c.freshnessMs) throw new SecomError('STALE', `envelopeSignatureTime ${e.envelopeSignatureTime} is outside ±${c.freshnessMs / 1000} s`);
  if (!c.replay.accept(e.transactionIdentifier, c.now())) throw new SecomError('REPLAY', `transaction ${e.transactionIdentifier} was already received`);
  const m = e.exchangeMetadata;
  // The payload signer may differ from the envelope signer (SECOM allows it) but must be the same entity here.
  const dataCert = await checkCertificate(m.digitalSignatureValue.publicCertificate, c.trustedRoots, c.now(), (mrn) => mrn.toLowerCase() === envelopeCert.mrn.toLowerCase());
  if (dataCert.rootThumbprint !== m.digitalSignatureValue.publicRootCertificateThumbprint) throw new SecomError('CERT_UNTRUSTED', 'publicRootCertificateThumbprint names another root');
  const bytes = openPayload(e.data, m.compressionFlag, c.maxPayloadBytes);
  if (!verifyHex(bytes, m.digitalSignatureValue.digitalSignature, dataCert.certificate)) throw new SecomError('DATA_SIGNATURE', 'the data signature does not verify');
  return { peer: envelopeCert.mrn, bytes };
}

/** A JSON payload through a zod schema; anything else is PAYLOAD_SCHEMA. */
export function parseJsonPayload<T>(bytes: Uint8Array, schema: { parse(v: unknown): T }, what: string): T {
  try {
    return schema.parse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)));
  } catch (cause) {
    throw new SecomError('PAYLOAD_SCHEMA', `the payload is not ${what}`, { cause });
  }
}
