/**
 * The files an appliance's daemon reads at start, made in-process for tests: params and identity key files of a
 * throw-away PKG, a device key, the authority root and a key permit (with chosen records and sequence) for it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractDecryptionKey, extractSigningKey } from '../../crypto/index.js';
import { epochOf } from '../../firmware/epoch.js';
import { identityOf } from '../../firmware/keyring.js';
import { DAY, deviceKeyFromSecret, type DeviceKey } from '../../firmware/permit/index.js';
import { issueIssuerCertificate, issuePermit, type PermitKey } from '../../provisioning/index.js';
import { paramsFile, seededRandom, testPkg, type TestPkg } from '../firmware/_pkg.js';

export interface ApplianceFiles {
  readonly dir: string;
  readonly pkg: TestPkg;
  readonly params: string;
  readonly key: string;
  readonly deviceKey: string;
  readonly device: DeviceKey;
  readonly authority: string;
  /** Writes a permit for `device` (this appliance's by default) and returns its path. */
  permit(name: string, options?: { sequence?: number; device?: DeviceKey; expiredGroup?: boolean }): string;
  /** The signing/decryption records of the vessel for the current epoch. */
  readonly records: readonly PermitKey[];
}

export function applianceFiles(dir: string, seed: string, mmsi: number, nowS: number): ApplianceFiles {
  mkdirSync(dir, { recursive: true });
  const pkg = testPkg(`${seed} pkg`);
  const rnd = seededRandom(`${seed} files`);
  const epoch = epochOf(nowS, pkg.params.epochSeconds);
  const id = identityOf('mmsi', mmsi, epoch);
  const signingKey = extractSigningKey(pkg.params.pp, pkg.masterSecret, id);
  const decryptionKey = extractDecryptionKey(pkg.params.pp, pkg.masterSecret, id);
  const write = (name: string, value: unknown, mode = 0o600): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value), { mode });
    return path;
  };
  const params = write('params.json', paramsFile(pkg));
  const key = write('own.json', {
    format: 'mibc-ais-identity-keys', version: 1, identity: { kind: 'mmsi', mmsi },
    keys: [{ epoch, signingKey: bytesToHex(signingKey), decryptionKey: bytesToHex(decryptionKey) }],
  });
  const deviceSecret = rnd(32);
  const device = deviceKeyFromSecret(deviceSecret);
  const deviceKey = write('device-secret.json', { format: 'mibc-ais-device-secret', version: 1, secretKey: bytesToHex(deviceSecret) });
  const root = ed25519.keygen(rnd(32));
  const issuerKey = ed25519.keygen(rnd(32));
  const authority = write('authority.json', { rootPublicKey: bytesToHex(root.publicKey) });
  const certificate = issueIssuerCertificate(
    { issuerId: 'TEST-PKG', publicKey: issuerKey.publicKey, notBefore: nowS - 365 * DAY, notAfter: nowS + 365 * DAY },
    root.secretKey,
  );
  const start = epoch * pkg.params.epochSeconds;
  const end = start + pkg.params.epochSeconds;
  const records: PermitKey[] = [
    { kind: 'signing', identity: `mmsi:${mmsi}`, epoch, notBefore: start, notAfter: end, current: signingKey },
    { kind: 'decryption', identity: `mmsi:${mmsi}`, epoch, notBefore: start, notAfter: end, current: decryptionKey },
  ];
  return {
    dir, pkg, params, key, deviceKey, device, authority, records,
    permit(name, options = {}) {
      const keys: PermitKey[] = [...records];
      // A 6-hour group key that ran out an hour ago.
      if (options.expiredGroup === true) keys.push({ kind: 'group', identity: 'group:7', epoch: 0, notBefore: nowS - 7 * 3600, notAfter: nowS - 3600, current: rnd(16) });
      const file = issuePermit(
        { issuer: { certificate, secretKey: issuerKey.secretKey }, devicePublicKey: (options.device ?? device).publicKey, issuedAt: nowS - 60, sequence: options.sequence ?? 5, keys },
        rnd,
      );
      const path = join(dir, name);
      writeFileSync(path, file, { mode: 0o600 });
      return path;
    },
  };
}
