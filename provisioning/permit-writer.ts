/**
 * The authority side of key permits (DESIGN.md §3): issuing node certificates signed by the root, and permit
 * files for one appliance — the S-63 Data Server's "userpermit in, cell permits out" step (§10.6) with keys
 * wrapped to the appliance's X25519 device key, its group policy (who may hand out keys of which group), and the
 * file signed by the issuer (format: firmware/permit).
 * Randomness is injected; the default is the platform CSPRNG.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import {
  decodeIssuerCertificate,
  deriveKek,
  deviceIdOf,
  encodeIssuerCertificate,
  encodePermitBody,
  encodePermitFile,
  issuerCertificateTbs,
  recordAad,
  wrapKey,
  KEY_KINDS,
  type IssuerCertificateFields,
  type PermitRecord,
  type PermitRecordFields,
} from '../firmware/permit/index.js';
import type { GroupPolicyEntry } from '../firmware/group-policy.js';

export interface PermitKey extends PermitRecordFields {
  /** Key of `epoch` (opaque bytes of KEY_KINDS[kind].length). */
  readonly current: Uint8Array;
  /** Key of `epoch + 1`, if already extracted (S-63's CK2). */
  readonly next?: Uint8Array | undefined;
}

export interface Issuer {
  /** Encoded issuer certificate (issueIssuerCertificate). */
  readonly certificate: Uint8Array;
  /** Ed25519 secret key matching the certificate. */
  readonly secretKey: Uint8Array;
}

export interface PermitRequest {
  readonly issuer: Issuer;
  /** The appliance's X25519 public key, from the device register. */
  readonly devicePublicKey: Uint8Array;
  /** UTC seconds. */
  readonly issuedAt: number;
  /** Strictly increasing per issuer and device; the appliance refuses lower ones (rollback). */
  readonly sequence: number;
  readonly keys: readonly PermitKey[];
  /** The appliance's group policy (firmware/group-policy.ts): without it the appliance installs no hand-out. */
  readonly groups?: readonly GroupPolicyEntry[];
}

/** The root signs an issuing node's key (S-63's SA → Data Server certificate, §6.3). */
export function issueIssuerCertificate(fields: IssuerCertificateFields, rootSecretKey: Uint8Array): Uint8Array {
  return encodeIssuerCertificate(fields, ed25519.sign(issuerCertificateTbs(fields), rootSecretKey));
}

function checkKey(k: PermitKey, which: 'current' | 'next', key: Uint8Array): void {
  const length = KEY_KINDS[k.kind].length;
  if (key.length !== length) throw new RangeError(`${k.kind} ${which} key for ${k.identity} must be ${length} bytes`);
}

/** Builds, wraps and signs a permit file for one appliance. */
export function issuePermit(req: PermitRequest, random: (n: number) => Uint8Array = randomBytes): Uint8Array {
  const cert = decodeIssuerCertificate(req.issuer.certificate);
  if (!equal(ed25519.getPublicKey(req.issuer.secretKey), cert.publicKey)) {
    throw new RangeError('issuer secretKey does not match its certificate');
  }
  const ephemeralSecret = random(32);
  const ephemeralKey = x25519.getPublicKey(ephemeralSecret);
  const shared = x25519.getSharedSecret(ephemeralSecret, req.devicePublicKey);
  const kek = deriveKek(shared, ephemeralKey, req.devicePublicKey);
  ephemeralSecret.fill(0);
  shared.fill(0);
  try {
    const records: PermitRecord[] = req.keys.map((k, i) => {
      checkKey(k, 'current', k.current);
      if (k.next !== undefined) checkKey(k, 'next', k.next);
      const fields: PermitRecordFields = {
        kind: k.kind,
        identity: k.identity,
        epoch: k.epoch,
        notBefore: k.notBefore,
        notAfter: k.notAfter,
      };
      const aad = recordAad(fields);
      return {
        ...fields,
        current: wrapKey(kek, i, 0, aad, k.current),
        next: k.next === undefined ? undefined : wrapKey(kek, i, 1, aad, k.next),
      };
    });
    const body = encodePermitBody(
      { issuedAt: req.issuedAt, sequence: req.sequence, deviceId: deviceIdOf(req.devicePublicKey), ephemeralKey },
      req.issuer.certificate,
      records,
      req.groups ?? [],
    );
    return encodePermitFile(body, ed25519.sign(body, req.issuer.secretKey));
  } finally {
    kek.fill(0);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
