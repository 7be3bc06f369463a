/** The installed key set on disk: keys, group policy and sequences round-trip; anything else is refused whole. */
import { describe, expect, it } from 'vitest';
import { decodeKeySet, encodeKeySet, type KeySet } from '../../firmware/permit/index.js';

const set: KeySet = {
  keys: [
    { kind: 'signing', identity: 'mmsi:237000001', epoch: 42, notBefore: 10, notAfter: 20, issuerId: 'GR-PKG-1', current: new Uint8Array(48).fill(1), next: new Uint8Array(48).fill(2) },
    { kind: 'group', identity: 'group:7', epoch: 0, notBefore: 10, notAfter: 20, issuerId: 'GR-PKG-1', current: new Uint8Array(16).fill(3), next: undefined },
  ],
  groups: [{ groupId: 7, member: true, notBefore: 10, notAfter: 20, issuers: [{ mmsi: 237_000_009, notBefore: 10, notAfter: 20 }] }],
  sequences: { 'GR-PKG-1': 5 },
};

describe('installed key set codec', () => {
  it('round-trips keys, the group policy and the sequences', () => {
    expect(decodeKeySet(encodeKeySet(set))).toEqual(set);
  });

  it('refuses a file that is not whole: bad JSON, a short key, a bad policy entry, an unknown field', () => {
    const text = new TextDecoder().decode(encodeKeySet(set));
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(() => decodeKeySet(bytes(text.slice(0, -1)))).toThrow(/not JSON/);
    expect(() => decodeKeySet(bytes(text.replace('"current":"0303', '"current":"03')))).toThrow(/16 bytes|group group:7/);
    expect(() => decodeKeySet(bytes(text.replace('"groupId":7', '"groupId":-1')))).toThrow(/groups/);
    expect(() => decodeKeySet(bytes(text.replace('"sequences"', '"extra":1,"sequences"')))).toThrow(/extra|Unrecognized/i);
  });
});
