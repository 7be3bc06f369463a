/**
 * Who may hand out mode-5 group keys for which group, and which groups this appliance belongs to: the group policy
 * that the authority signs into the appliance's key permit (docs/group-keys.md §2; permit format firmware/permit/).
 * Default deny: without a valid entry for a group, no hand-out for it is installed and no received key of it is used.
 * Pure: the time is passed in, as UTC seconds.
 */
import { z } from 'zod';
import { MAX_GROUP_ID, MAX_MMSI, type GroupKeyGrant } from './bodies.js';

/** An MMSI allowed to hand out keys of one group, from notBefore (inclusive) to notAfter (exclusive). */
export interface GroupIssuer {
  readonly mmsi: number;
  readonly notBefore: number;
  readonly notAfter: number;
}

export interface GroupPolicyEntry {
  readonly groupId: number;
  /** True: this appliance sends with the group's keys. False: it only reads the group's traffic. */
  readonly member: boolean;
  /** Validity of the whole entry: membership, reading and every issuer's authority end with it. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly issuers: readonly GroupIssuer[];
}

export interface GroupPolicy {
  readonly groups: readonly GroupPolicyEntry[];
}

export const EMPTY_GROUP_POLICY: GroupPolicy = Object.freeze({ groups: Object.freeze([]) });
/** Bounds of one policy: a permit record and the appliance's tables are sized by these. */
export const MAX_POLICY_GROUPS = 32;
export const MAX_GROUP_ISSUERS = 16;

/** Why a hand-out was refused: the `reason` of its `$PMIBV,F`, counted per code. */
export type GrantRefusal =
  /** The grant names another issuer than the station that signed the mode-4 message. */
  | 'WRONG_ISSUER'
  /** The grant, or the mode-4 message, is for another vessel. */
  | 'WRONG_RECIPIENT'
  /** This appliance has no valid policy entry for the grant's group. */
  | 'NOT_A_MEMBER'
  /** The signer is not (or no longer) allowed to hand out keys of that group. */
  | 'UNTRUSTED_KEY_ISSUER'
  /** The key's validity has ended, or reaches outside the group entry's validity. */
  | 'GRANT_OUTSIDE_VALIDITY'
  /** A key of the group with this or a newer id, or newer validity, is already held: a replayed or stale hand-out. */
  | 'KEY_SUPERSEDED';

/** The mode-4 message a grant arrived in, after its signature verified. */
export interface HandOut {
  /** The station whose signature verified. */
  readonly signer: number;
  /** The message's destination MMSI. */
  readonly destination: number;
  /** This appliance's MMSI. */
  readonly ownMmsi: number;
  /** The message's signed UTC second (inside the freshness window of the receiver's clock). */
  readonly second: number;
}

const within = (v: { notBefore: number; notAfter: number }, second: number) => v.notBefore <= second && second < v.notAfter;

/** The policy entry of a group that is valid at `second`. */
export function activeEntry(policy: GroupPolicy, groupId: number, second: number): GroupPolicyEntry | undefined {
  const e = policy.groups.find((g) => g.groupId === groupId);
  return e !== undefined && within(e, second) ? e : undefined;
}

/** True when `mmsi` may hand out keys of the group at `second`. */
export function isAuthorisedIssuer(policy: GroupPolicy, groupId: number, mmsi: number, second: number): boolean {
  const e = activeEntry(policy, groupId, second);
  return e !== undefined && e.issuers.some((i) => i.mmsi === mmsi && within(i, second));
}

/** True when this appliance sends with keys of the group at `second`. */
export function isMember(policy: GroupPolicy, groupId: number, second: number): boolean {
  return activeEntry(policy, groupId, second)?.member === true;
}

/**
 * The policy's decision on a verified hand-out: undefined when it may be installed. Binding first (issuer and
 * recipient must be those of the signed mode-4 message), then membership, issuer authority and validity.
 * Replays of older keys are the key ring's check (it knows what is held).
 */
export function checkGrant(policy: GroupPolicy, g: GroupKeyGrant, h: HandOut): GrantRefusal | undefined {
  if (g.issuer !== h.signer) return 'WRONG_ISSUER';
  if (g.recipient !== h.destination || h.destination !== h.ownMmsi) return 'WRONG_RECIPIENT';
  const entry = activeEntry(policy, g.groupId, h.second);
  if (entry === undefined) return 'NOT_A_MEMBER';
  if (!isAuthorisedIssuer(policy, g.groupId, h.signer, h.second)) return 'UNTRUSTED_KEY_ISSUER';
  if (g.notAfter <= h.second || g.notBefore < entry.notBefore || g.notAfter > entry.notAfter) return 'GRANT_OUTSIDE_VALIDITY';
  return undefined;
}

/** What is wrong with a policy (issuer-side misuse or a corrupt file), or undefined. */
export function policyProblem(p: GroupPolicy): string | undefined {
  if (p.groups.length > MAX_POLICY_GROUPS) return `more than ${MAX_POLICY_GROUPS} groups`;
  const seen = new Set<number>();
  for (const g of p.groups) {
    if (!Number.isInteger(g.groupId) || g.groupId < 0 || g.groupId > MAX_GROUP_ID) return `group id ${g.groupId} is not 0..${MAX_GROUP_ID}`;
    if (seen.has(g.groupId)) return `group ${g.groupId} listed twice`;
    seen.add(g.groupId);
    if (!(g.notBefore < g.notAfter)) return `group ${g.groupId}: validity must end after it begins`;
    if (g.issuers.length > MAX_GROUP_ISSUERS) return `group ${g.groupId}: more than ${MAX_GROUP_ISSUERS} issuers`;
    for (const i of g.issuers) {
      if (!Number.isInteger(i.mmsi) || i.mmsi < 0 || i.mmsi > MAX_MMSI) return `group ${g.groupId}: issuer ${i.mmsi} is not an MMSI`;
      if (!(i.notBefore < i.notAfter)) return `group ${g.groupId}: issuer ${i.mmsi}'s validity must end after it begins`;
    }
  }
  return undefined;
}

const second = z.number().int().min(0).max(2 ** 48 - 1);
const mmsi = z.number().int().min(0).max(MAX_MMSI);

/**
 * The policy as a file (`rx`/`tx --group-policy`, `pkg group-key --out-policy`, `pkg permit --group-policy`).
 * On an appliance the policy comes signed inside its permit; the file is for benches and the filters.
 */
export const GroupPolicyFileSchema = z
  .object({
    format: z.literal('mibc-ais-group-policy'),
    version: z.literal(1),
    groups: z
      .array(
        z.object({
          groupId: z.number().int().min(0).max(MAX_GROUP_ID),
          member: z.boolean(),
          notBefore: second,
          notAfter: second,
          issuers: z.array(z.object({ mmsi, notBefore: second, notAfter: second })).max(MAX_GROUP_ISSUERS),
        }),
      )
      .max(MAX_POLICY_GROUPS),
  })
  .superRefine((p, ctx) => {
    const problem = policyProblem(p);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

export type GroupPolicyFile = z.infer<typeof GroupPolicyFileSchema>;

export function groupPolicyFile(p: GroupPolicy): GroupPolicyFile {
  return {
    format: 'mibc-ais-group-policy',
    version: 1,
    groups: p.groups.map((g) => ({ ...g, issuers: g.issuers.map((i) => ({ ...i })) })),
  };
}

/**
 * Entries of `update` replace those of the same group in `base` (a later permit updates the groups it names and
 * leaves the others, as permits merge their keys).
 */
export function mergePolicies(base: GroupPolicy, update: GroupPolicy): GroupPolicy {
  const named = new Set(update.groups.map((g) => g.groupId));
  return { groups: [...base.groups.filter((g) => !named.has(g.groupId)), ...update.groups] };
}
