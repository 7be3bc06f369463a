/**
 * SECOM signatures (reference notes §2.5): ECDSA P-384 with SHA-384 (`digitalSignatureReference`
 * "ecdsa-384-sha2"), DER-encoded as Java's SHA384withECDSA produces it, carried as lower-case hex.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type * as x509 from '@peculiar/x509';

export const SIGNATURE_REFERENCE = 'ecdsa-384-sha2';

export function signHex(data: Uint8Array, privateKey: KeyObject): string {
  return sign('sha384', data, privateKey).toString('hex');
}

export function verifyHex(data: Uint8Array, signature: string, certificate: x509.X509Certificate): boolean {
  if (!/^[0-9a-fA-F]{2,512}$/.test(signature)) return false;
  try {
    const key = createPublicKey({ key: Buffer.from(certificate.publicKey.rawData), format: 'der', type: 'spki' });
    return verify('sha384', data, key, Buffer.from(signature, 'hex'));
  } catch {
    return false;
  }
}
