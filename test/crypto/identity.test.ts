import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { identityBytes, mmsiIdentity, MrnError } from '../../crypto/index.js';

describe('canonical identity bytes', () => {
  it('encodes tag ‖ kind ‖ length ‖ 9-digit MMSI ‖ epoch', () => {
    const id = mmsiIdentity(2190001, 0x01020304);
    expect(bytesToHex(id)).toBe(
      bytesToHex(utf8ToBytes('MIBC-AIS/ID/1\x00')) + '01' + '0009' + bytesToHex(utf8ToBytes('002190001')) + '01020304',
    );
  });

  it('separates MMSI from pseudo-MMSI, epochs and MRN identities', () => {
    const all = [
      identityBytes({ kind: 'mmsi', mmsi: 237000001, epoch: 7 }),
      identityBytes({ kind: 'pseudo-mmsi', mmsi: 237000001, epoch: 7 }),
      identityBytes({ kind: 'mmsi', mmsi: 237000001, epoch: 8 }),
      identityBytes({ kind: 'mmsi', mmsi: 237000002, epoch: 7 }),
      identityBytes({ kind: 'mrn', mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000001', epoch: 7 }),
    ].map(bytesToHex);
    expect(new Set(all).size).toBe(all.length);
  });

  it('hashes equivalent MRNs to the same identity (canonical form)', () => {
    const a = identityBytes({ kind: 'mrn', mrn: 'URN:MRN:MCP:VESSEL:GR:imo:9074729', epoch: 1 });
    const b = identityBytes({ kind: 'mrn', mrn: 'urn:mrn:mcp:vessel:gr:imo:9074729', epoch: 1 });
    expect(bytesToHex(a)).toBe(bytesToHex(b));
  });

  it('refuses r/q/f components in identity MRNs (RFC 8141 ignores them, so they must not change the key)', () => {
    expect(() => identityBytes({ kind: 'mrn', mrn: 'urn:mrn:iala:aton:gb:x#2026', epoch: 1 })).toThrow(MrnError);
    expect(() => identityBytes({ kind: 'mrn', mrn: 'urn:mrn:iala:aton:gb:a b', epoch: 1 })).toThrow(MrnError);
  });

  it('rejects out-of-range numbers as misuse', () => {
    expect(() => mmsiIdentity(1_000_000_000, 1)).toThrow(RangeError);
    expect(() => mmsiIdentity(-1, 1)).toThrow(RangeError);
    expect(() => mmsiIdentity(1.5, 1)).toThrow(TypeError);
    expect(() => mmsiIdentity(237000001, 2 ** 32)).toThrow(RangeError);
    expect(() => identityBytes({ kind: 'imo', mmsi: 1, epoch: 1 } as never)).toThrow(TypeError);
  });
});
