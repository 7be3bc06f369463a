import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  canonicalMrn, isCanonicalMrn, isMcpMrn, isMrn, isValidImo, isValidMmsi, MrnError, parseMcpMrn, parseMrn, vesselMrn,
} from '../../crypto/index.js';

// s63-secom-mrn.md §3.2: [input, valid MRN, valid MCP MRN] as the ABNF of MCP IDsec 2 decides. Where the public
// regexes disagree with the ABNF (msr missing in IdentityRegistry, mms missing in MRNValidation, the "/" bug,
// OSNID capped at 22) we follow the ABNF; those rows say so.
const ipid23 = 'a'.repeat(23);
const osnid32 = 'b'.repeat(32);
const TABLE: Array<[string, boolean, boolean, string]> = [
  ['urn:mrn:mcp:user:dma:alice', true, true, 'seed: valid MCP MRN'],
  ['urn:mrn:iala:aton:gb:sco:6789-1', true, false, 'seed: valid MRN, not MCP'],
  ['urn:mrn:mcp:device:mirX:aton:gb:sco:6789-1', true, true, 'seed: upper-case X in IPID'],
  ['urn:mrn:kor:vessel:imo:8814276', true, false, 'seed: KOR MRN'],
  ['urn:mrn:mcp:mms:kor:smart001', true, true, 'seed; MRNValidation lacks mms'],
  ['urn:mrn:mcp:msr:kor:registry1', true, true, 'seed type list; IdentityRegistry lacks msr'],
  ['URN:MRN:MCP:VESSEL:DMA:mmsi:219000123', true, true, 'ABNF literals are case-insensitive'],
  ['urn:mrn:mcp:vessel:gr:mmsi:237000001', true, true, 'proposed form'],
  ['urn:mrn:mcp:vessel:gr:imo/9074729', true, true, '"/" allowed in IPSS (MRNValidation bug)'],
  ['urn:mrn:mcp:ship:dma:x', true, false, 'bad MCP type'],
  ['urn:mrn:mcp:vessel:-dma:x', true, false, 'IPID must start with alnum'],
  ['urn:mrn:mcp:vessel:d:x', true, false, 'IPID ≥ 2 characters'],
  ['urn:mrn:mcp:vessel:dma:', true, false, 'empty IPSS'],
  ['urn:mrn:mcp:vessel:dma:/x', true, false, 'IPSS starts with "/"'],
  ['urn:mrn:mcp:vessel:dma:x#frag', true, false, 'MCP MRN has no f-component'],
  ['urn:mrn:mcp:vessel:dma:x?=q', true, false, 'MCP MRN has no q-component'],
  ['urn:mrn:mcp:vessel:dma:a%zz', false, false, 'bad pct-encoding'],
  ['urn:mrn:mcp:vessel:dma:a b', false, false, 'space'],
  [`urn:mrn:mcp:vessel:${ipid23}:x`, true, false, 'IPID ≤ 22'],
  [`urn:mrn:iala:${osnid32}:x`, true, false, 'OSNID ≤ 34 per ABNF (IdentityRegistry regex says ≤ 22)'],
];

describe('MRN parser follows the ABNF of MCP IDsec 2 §1', () => {
  for (const [input, mrn, mcp, note] of TABLE) {
    it(`${input.length > 60 ? input.slice(0, 57) + '…' : input} → MRN ${mrn}, MCP ${mcp} (${note})`, () => {
      expect(isMrn(input)).toBe(mrn);
      expect(isMcpMrn(input)).toBe(mcp);
    });
  }

  it('rejects characters outside pchar, bad prefixes, short and long OIDs with MRN_SYNTAX and an offset', () => {
    for (const bad of [
      'urn:mrn:mcp:vessel:dma:a"b', 'urn:mrn:mcp:vessel:dma:a[b]', 'urn:mrn:mcp:vessel:dma:ä', 'urn:mrn:mcp:vessel:dma:a\\b',
      'urn:mrn:mcp:vessel:dma:a{b}', 'urn:mrn:mcp:vessel:dma:a?b', 'urn:nrm:mcp:vessel:dma:x', 'urn:mrn:m:vessel:dma:x',
      `urn:mrn:${'o'.repeat(23)}:type:x`, `urn:mrn:iala:${'b'.repeat(35)}:x`, 'urn:mrn:mcp-:vessel:x', 'urn:mrn:mcp:vessel',
      'urn:mrn:mcp:vessel:dma:a%4', 'urn:mrn:mcp:vessel:dma:x#a#b', '', 'urn:mrn:mcp:vessel:dma:' + 'x'.repeat(300),
    ]) {
      expect(isMrn(bad), bad).toBe(false);
      try {
        parseMrn(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(MrnError);
        expect((e as MrnError).code).toBe('MRN_SYNTAX');
        expect((e as MrnError).offset).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('parses r-, q- and f-components of generic MRNs (RFC 8141 §2)', () => {
    const m = parseMrn('urn:mrn:iala:aton:gb:x?+res/a?b?=q:1#frag/?');
    expect(m).toEqual({ oid: 'iala', osnid: 'aton', osns: 'gb:x', rComponent: 'res/a?b', qComponent: 'q:1', fComponent: 'frag/?' });
  });

  it('splits an MCP MRN into type, IPID and IPSS; non-MCP MRNs get MRN_NOT_MCP', () => {
    expect(parseMcpMrn('urn:mrn:mcp:vessel:gr:imo:9074729')).toEqual({ type: 'vessel', ipid: 'gr', ipss: 'imo:9074729' });
    expect(parseMcpMrn('URN:MRN:MCP:VESSEL:DMA:mmsi:219000123').type).toBe('vessel');
    expect(() => parseMcpMrn('urn:mrn:iala:aton:gb:sco:6789-1')).toThrow(expect.objectContaining({ code: 'MRN_NOT_MCP' }));
    expect(() => parseMcpMrn('urn:mrn:mcp:vessel:dma:a b')).toThrow(expect.objectContaining({ code: 'MRN_SYNTAX' }));
  });

  it('seed KOR examples are MRNs and map to MCP MRNs (Appendix A)', () => {
    expect(isMrn('urn:mrn:kor:vessel:imo:8814276')).toBe(true);
    expect(isMrn('urn:mrn:kor:service:instance:web:kor:svc1')).toBe(true);
    expect(isMcpMrn('urn:mrn:mcp:service:kor:instance:web:smart:svc1')).toBe(true);
  });
});

describe('canonicalisation (RFC 8141 §3.1 + project policy)', () => {
  it('lower-cases urn/mrn, OID, OSNID and the MCP IPID; upper-cases pct hex; keeps NSS case; drops r/q/f', () => {
    expect(canonicalMrn('URN:MRN:MCP:VESSEL:DMA:mmsi:219000123')).toBe('urn:mrn:mcp:vessel:dma:mmsi:219000123');
    expect(canonicalMrn('urn:mrn:mcp:device:mirX:aton:gb:sco:6789-1')).toBe('urn:mrn:mcp:device:mirx:aton:gb:sco:6789-1');
    expect(canonicalMrn('urn:mrn:IALA:aton:GB:a%2fb%c3%A9')).toBe('urn:mrn:iala:aton:GB:a%2Fb%C3%A9');
    expect(canonicalMrn('urn:mrn:iala:aton:gb:x?+r?=q#f')).toBe('urn:mrn:iala:aton:gb:x');
    expect(isCanonicalMrn('urn:mrn:mcp:vessel:dma:mmsi:219000123')).toBe(true);
    expect(isCanonicalMrn('urn:mrn:mcp:vessel:DMA:mmsi:219000123')).toBe(false);
  });

  it('never decodes percent-encodings (so %41 and A stay different names)', () => {
    expect(canonicalMrn('urn:mrn:mcp:user:dma:%41')).not.toBe(canonicalMrn('urn:mrn:mcp:user:dma:A'));
  });

  it('is idempotent and preserves validity (property)', () => {
    const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
    const idTok = fc
      .tuple(alnum, fc.array(fc.oneof(alnum, fc.constant('-')), { maxLength: 10 }), alnum)
      .map(([a, mid, b]) => a + mid.join('') + b);
    const pch = fc.oneof(alnum, fc.constantFrom(...'-._~!$&\'()*+,;=:@'), fc.constantFrom('%2f', '%C3', '%a9'));
    const nss = fc.tuple(pch, fc.array(fc.oneof(pch, fc.constant('/')), { maxLength: 20 })).map(([a, r]) => a + r.join(''));
    fc.assert(
      fc.property(idTok, idTok, nss, (oid, osnid, osns) => {
        const s = `urn:mrn:${oid}:${osnid}:${osns}`;
        expect(isMrn(s)).toBe(true);
        const c = canonicalMrn(s);
        expect(isMrn(c)).toBe(true);
        expect(canonicalMrn(c)).toBe(c);
        expect(canonicalMrn(s.toUpperCase().replace(/^URN:MRN:/, 'urn:MRN:'))).toBe(
          canonicalMrn(`urn:mrn:${oid}:${osnid}:${osns.toUpperCase()}`),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('vessel numbers', () => {
  it('MMSI is exactly nine digits', () => {
    expect(isValidMmsi('219000123')).toBe(true);
    expect(isValidMmsi('002190001')).toBe(true);
    for (const bad of ['21900012', '2190001234', '21900012a', ' 219000123', '']) expect(isValidMmsi(bad)).toBe(false);
  });

  it('IMO number has a valid check digit (9074729 and 9743368 pass; the seed’s 8814276 and S-63’s 4653321 fail)', () => {
    expect(isValidImo('9074729')).toBe(true);
    expect(isValidImo('9743368')).toBe(true);
    expect(isValidImo('8814276')).toBe(false);
    expect(isValidImo('4653321')).toBe(false);
    expect(isValidImo('907472')).toBe(false);
    expect(isValidImo('IMO9074729')).toBe(false);
  });
});

describe('vessel MRN binding form (vesselMrn)', () => {
  it('maps case variants of one vessel MRN to one form', () => {
    const forms = [
      'urn:mrn:mcp:vessel:gr:imo:9074729',
      'urn:mrn:mcp:vessel:gr:IMO:9074729',
      'URN:MRN:MCP:VESSEL:GR:Imo:9074729',
    ].map((s) => vesselMrn(s).canonical);
    expect(new Set(forms)).toEqual(new Set(['urn:mrn:mcp:vessel:gr:imo:9074729']));
    expect(vesselMrn('urn:mrn:mcp:vessel:IMO:9074729').canonical).toBe(vesselMrn('urn:mrn:mcp:vessel:imo:9074729').canonical);
    // pct-encoding hex stays upper-case and is never decoded
    expect(vesselMrn('urn:mrn:mcp:vessel:dma:Ship%2fA').canonical).toBe('urn:mrn:mcp:vessel:dma:ship%2Fa');
  });

  it('checks the IMO check digit and the MMSI length of the profiles', () => {
    expect(vesselMrn('urn:mrn:mcp:vessel:gr:imo:9074729')).toMatchObject({ imo: '9074729' });
    expect(vesselMrn('urn:mrn:mcp:vessel:gr:imo/9074729')).toMatchObject({ imo: '9074729' });
    expect(vesselMrn('urn:mrn:mcp:vessel:imo:9074729')).toMatchObject({ imo: '9074729' });
    expect(vesselMrn('urn:mrn:mcp:vessel:gr:mmsi:237000001')).toMatchObject({ mmsi: '237000001' });
    for (const bad of [
      'urn:mrn:mcp:vessel:gr:imo:9074728',
      'urn:mrn:mcp:vessel:imo:9074728',
      'urn:mrn:mcp:vessel:gr:imo:IMO9074729',
      'urn:mrn:mcp:vessel:gr:imo',
      'urn:mrn:mcp:vessel:gr:mmsi:12345',
    ]) {
      expect(() => vesselMrn(bad), bad).toThrow(expect.objectContaining({ code: 'MRN_PROFILE' }));
    }
    expect(() => vesselMrn('urn:mrn:mcp:user:gr:alice')).toThrow(expect.objectContaining({ code: 'MRN_NOT_MCP' }));
  });
});
