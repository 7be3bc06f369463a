/**
 * SECOM payloads (reference notes §2.5): the data signature over the payload bytes, optional ZIP compression, base64.
 * Departure from SECOMLib's writer order (sign → encrypt → compress): we sign, then compress — compressing ciphertext
 * gains nothing, and S-63/S-100 also compress first. Payload encryption (`dataProtection`) is not used by these
 * exchanges: permits and group keys are already wrapped to the device or member key, and reports carry no secret.
 * Opening is bounded: the base64 text, the ZIP container and the inflated bytes each have a ceiling, and a ZIP entry
 * that inflates past it (a zip bomb) is stopped while inflating, not after.
 */
import type { KeyObject } from 'node:crypto';
import type * as x509 from '@peculiar/x509';
import { Unzip, UnzipInflate, zipSync } from 'fflate';
import type { ExchangeMetadata } from './envelope.js';
import { SecomError } from './errors.js';
import { certificateToBase64, thumbprint } from './pki.js';
import { SIGNATURE_REFERENCE, signHex } from './signature.js';

/** SECOMLib's largest inline payload (larger ones go by Upload Link). */
export const MAX_PAYLOAD_BYTES = 350_000;
/** The one entry's name inside the ZIP. */
export const PAYLOAD_ENTRY = 'payload';

export interface SealedPayload {
  readonly data: string;
  readonly exchangeMetadata: ExchangeMetadata;
}

export function sealPayload(bytes: Uint8Array, signer: { certificate: x509.X509Certificate; privateKey: KeyObject; root: x509.X509Certificate }, compress = true): SealedPayload {
  const digitalSignature = signHex(bytes, signer.privateKey);
  const body = compress ? zipSync({ [PAYLOAD_ENTRY]: bytes }, { level: 6 }) : bytes;
  return {
    data: Buffer.from(body).toString('base64'),
    exchangeMetadata: {
      dataProtection: false,
      protectionScheme: 'SECOM',
      digitalSignatureReference: SIGNATURE_REFERENCE,
      digitalSignatureValue: { publicRootCertificateThumbprint: thumbprint(signer.root), publicCertificate: certificateToBase64(signer.certificate), digitalSignature },
      compressionFlag: compress,
    },
  };
}

/** Inflates the single entry of a ZIP, refusing more than `limit` output bytes as they are produced. */
export function unzipBounded(zip: Uint8Array, limit: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let entries = 0;
  let done = false;
  const unzip = new Unzip((file) => {
    entries += 1;
    if (entries > 1) throw new SecomError('DECOMPRESSION', 'more than one ZIP entry');
    file.ondata = (err, chunk, final) => {
      if (err) throw new SecomError('DECOMPRESSION', `ZIP entry: ${err.message}`);
      total += chunk.length;
      if (total > limit) throw new SecomError('DECOMPRESSION', `inflates past ${limit} bytes`);
      chunks.push(chunk);
      if (final) done = true;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    // Fed in slices so that an inflating entry is checked as it grows, not after the whole buffer.
    for (let off = 0; off < zip.length; off += 16_384) unzip.push(zip.subarray(off, Math.min(zip.length, off + 16_384)), off + 16_384 >= zip.length);
  } catch (error) {
    if (error instanceof SecomError) throw error;
    throw new SecomError('DECOMPRESSION', `not a ZIP: ${(error as Error).message}`, { cause: error });
  }
  if (!done || entries !== 1) throw new SecomError('DECOMPRESSION', 'no complete ZIP entry');
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The payload bytes of `data` (base64, compressed or not), within MAX_PAYLOAD_BYTES. */
export function openPayload(data: string, compressed: boolean, limit = MAX_PAYLOAD_BYTES): Uint8Array {
  if (data.length > Math.ceil((limit * 4) / 3) + 4) throw new SecomError('PAYLOAD_TOO_LARGE', `payload larger than ${limit} bytes`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw new SecomError('PAYLOAD_SCHEMA', 'data is not base64');
  const raw = new Uint8Array(Buffer.from(data, 'base64'));
  return compressed ? unzipBounded(raw, limit) : raw;
}
