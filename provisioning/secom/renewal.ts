/**
 * Key renewal at sea: the PKG's decision on a vessel's request for the permit of an epoch (current or next), made
 * from the register alone (the source of truth). Granted only when the requesting certificate's MRN is bound to the
 * MMSI, is not revoked, and the device named was issued a permit for that MMSI before (a renewal never moves keys
 * to another appliance: that is a new provisioning, by card). The permit carries the epoch and the one after it
 * (S-63's ECK1/ECK2), so the appliance holds the next key before the boundary.
 * Version 2 of the request names the vessel operator's SECOM server (`callbackEndpoint`, SECOM v2's field): the
 * permit is uploaded there after the decision, as SECOM's Access → Access Notification → Upload pattern has it.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { deviceIdOf } from '../../firmware/permit/index.js';
import { mrnBindingKey, type Pkg } from '../pkg/index.js';
import { SecomError } from './errors.js';

export const RENEWAL_REQUEST_FORMAT = 'mibc-ais-renewal-request';

export const renewalRequestSchema = z.strictObject({
  format: z.literal(RENEWAL_REQUEST_FORMAT),
  version: z.literal(2),
  mmsi: z.number().int().min(100_000_000).max(999_999_999),
  /** The appliance's device public key (X25519, hex), which the permit's keys are wrapped to. */
  devicePublicKey: z.string().regex(/^[0-9a-f]{64}$/),
  /** The epoch wanted: the current or the next one. */
  epoch: z.number().int().nonnegative(),
  /** The vessel operator's SECOM server (https, no credentials in the URL): the permit is uploaded to its /v1/object. */
  callbackEndpoint: z
    .string()
    .max(2048)
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'https:' && u.username === '' && u.password === '' && u.search === '' && u.hash === '';
      } catch {
        return false;
      }
    }, 'an https URL without credentials, query or fragment'),
});
export type RenewalRequest = z.output<typeof renewalRequestSchema>;

export async function decideRenewal(pkg: Pkg, mrn: string, request: RenewalRequest): Promise<Uint8Array> {
  const register = pkg.register;
  // Compared in binding form: a case variant of a revoked or bound MRN is the same vessel.
  const key = mrnBindingKey(mrn);
  if (register.revokedMrns.has(key)) throw new SecomError('REVOKED', `${mrn} is revoked`);
  if (register.mrnBindings.get(key) !== request.mmsi) throw new SecomError('NOT_BOUND', `${mrn} is not bound to MMSI ${request.mmsi}`);
  const device = hexToBytes(request.devicePublicKey);
  const deviceId = bytesToHex(deviceIdOf(device));
  const identity = `mmsi:${request.mmsi}`;
  const known = register.entries.some((e) => e.type === 'permit' && e.data.deviceId === deviceId && e.data.identities.includes(identity));
  if (!known) throw new SecomError('UNKNOWN_DEVICE', `device ${deviceId.slice(0, 16)}… was never issued a permit for ${identity}`);
  const current = pkg.currentEpoch();
  if (request.epoch !== current && request.epoch !== current + 1) throw new SecomError('EPOCH_OUT_OF_RANGE', `epoch ${request.epoch} is neither the current (${current}) nor the next`);
  const keys = await pkg.extract({ kind: 'mmsi', mmsi: request.mmsi, mrn }, request.epoch, 2);
  return pkg.permit(device, [keys]);
}
