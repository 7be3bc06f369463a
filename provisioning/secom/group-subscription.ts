/**
 * Group keys by subscription: a vessel subscribes to a group and receives the group's current key hand-out — the
 * mode-4 messages `pkg group-key` made, each sealed (SK-KEM) to one member's identity and signed by the issuer, so
 * SECOM needs no payload encryption for them. Only members the authority named get it: the register's latest
 * `group-key` entry of that group must list the MMSI bound to the subscriber's MRN, and the MRN must not be revoked.
 * All members get all the group's hand-out lines: each opens only its own, and the same lines go out on the air.
 */
import { z } from 'zod';
import { mrnBindingKey, type Pkg } from '../pkg/index.js';
import { SecomError } from './errors.js';

export const GROUP_SUBSCRIPTION_FORMAT = 'mibc-ais-group-subscription';

export const groupSubscriptionSchema = z.strictObject({
  format: z.literal(GROUP_SUBSCRIPTION_FORMAT),
  version: z.literal(1),
  groupId: z.number().int().min(0).max(0xffff),
});
export type GroupSubscription = z.output<typeof groupSubscriptionSchema>;

/** The current hand-out of a group as `pkg group-key` wrote it. */
export interface GroupHandOut {
  readonly groupId: number;
  readonly keyId: number;
  readonly lines: readonly string[];
}

/** Throws SecomError REVOKED / NOT_MEMBER unless `mrn` is a named member of the group's latest key. */
export function checkGroupMember(pkg: Pkg, mrn: string, groupId: number): { mmsi: number; keyId: number } {
  const register = pkg.register;
  // Compared in binding form: a case variant of a revoked or bound MRN is the same vessel.
  const key = mrnBindingKey(mrn);
  if (register.revokedMrns.has(key)) throw new SecomError('REVOKED', `${mrn} is revoked`);
  const mmsi = register.mrnBindings.get(key);
  const latest = register.entries.filter((e) => e.type === 'group-key' && (e.data.groupId ?? 0) === groupId).at(-1);
  if (mmsi === undefined || latest === undefined || latest.type !== 'group-key' || !latest.data.to.includes(mmsi)) {
    throw new SecomError('NOT_MEMBER', `${mrn} is not a member the authority named for group ${groupId}`);
  }
  return { mmsi, keyId: latest.data.keyId };
}
