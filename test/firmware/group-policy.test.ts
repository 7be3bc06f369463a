/** The group policy's decision on a hand-out, in its own terms (firmware/group-policy.ts, docs/group-keys.md §3). */
import { describe, expect, it } from 'vitest';
import type { GroupKeyGrant } from '../../firmware/bodies.js';
import { checkGrant, EMPTY_GROUP_POLICY, GroupPolicyFileSchema, mergePolicies, type GroupPolicy } from '../../firmware/group-policy.js';
import { KeyFileError, parseKeyFile } from '../../firmware/keyfile.js';

const S = 1_800_000_000;
const ISSUER = 244_100_001;
const ME = 211_000_001;
const term = { notBefore: S - 100, notAfter: S + 100 };
const policy: GroupPolicy = { groups: [{ groupId: 1, member: true, ...term, issuers: [{ mmsi: ISSUER, ...term }] }] };
const grant: GroupKeyGrant = { groupId: 1, issuer: ISSUER, recipient: ME, keyId: 1, notBefore: S - 10, notAfter: S + 50, key: new Uint8Array(16) };
const handOut = { signer: ISSUER, destination: ME, ownMmsi: ME, second: S };

describe('checkGrant', () => {
  it('accepts an authorised hand-out and refuses each broken binding or limit with its own reason', () => {
    expect(checkGrant(policy, grant, handOut)).toBeUndefined();
    expect(checkGrant(EMPTY_GROUP_POLICY, grant, handOut)).toBe('NOT_A_MEMBER');
    expect(checkGrant(policy, { ...grant, issuer: ME }, handOut)).toBe('WRONG_ISSUER');
    expect(checkGrant(policy, { ...grant, recipient: ISSUER }, handOut)).toBe('WRONG_RECIPIENT');
    expect(checkGrant(policy, grant, { ...handOut, ownMmsi: ISSUER })).toBe('WRONG_RECIPIENT');
    expect(checkGrant(policy, { ...grant, groupId: 2 }, handOut)).toBe('NOT_A_MEMBER');
    expect(checkGrant(policy, grant, { ...handOut, second: S + 100 })).toBe('NOT_A_MEMBER');
    expect(checkGrant(policy, { ...grant, issuer: 244_100_009 }, { ...handOut, signer: 244_100_009 })).toBe('UNTRUSTED_KEY_ISSUER');
    const ended = { groups: [{ ...policy.groups[0]!, issuers: [{ mmsi: ISSUER, notBefore: S - 100, notAfter: S }] }] };
    expect(checkGrant(ended, grant, handOut)).toBe('UNTRUSTED_KEY_ISSUER');
    expect(checkGrant(policy, { ...grant, notAfter: S + 101 }, handOut)).toBe('GRANT_OUTSIDE_VALIDITY');
    expect(checkGrant(policy, { ...grant, notBefore: S - 101 }, handOut)).toBe('GRANT_OUTSIDE_VALIDITY');
    expect(checkGrant(policy, { ...grant, notBefore: S - 50, notAfter: S }, handOut)).toBe('GRANT_OUTSIDE_VALIDITY');
  });
});

describe('the policy file', () => {
  const file = (groups: unknown[]) => JSON.stringify({ format: 'mibc-ais-group-policy', version: 1, groups });
  const code = (text: string) => {
    try {
      parseKeyFile(GroupPolicyFileSchema, text, 'policy');
      return 'OK';
    } catch (e) {
      if (e instanceof KeyFileError) return e.message;
      throw e;
    }
  };

  it('parses a policy and refuses duplicates, reversed validity and non-MMSIs, naming the problem', () => {
    expect(code(file(policy.groups as unknown[]))).toBe('OK');
    expect(code(file([...policy.groups, ...policy.groups]))).toMatch(/listed twice/);
    expect(code(file([{ ...policy.groups[0], notAfter: S - 100 }]))).toMatch(/validity must end after it begins/);
    expect(code(file([{ ...policy.groups[0], issuers: [{ mmsi: 1_000_000_000, ...term }] }]))).toMatch(/issuers/);
    expect(code(file([{ ...policy.groups[0], groupId: 65_536 }]))).toMatch(/groupId/);
  });

  it('merges per group: a later entry replaces the same group and keeps the others', () => {
    const other = { ...policy.groups[0]!, groupId: 2 };
    const replaced = { ...policy.groups[0]!, member: false };
    expect(mergePolicies({ groups: [policy.groups[0]!, other] }, { groups: [replaced] }).groups).toEqual([other, replaced]);
  });
});
