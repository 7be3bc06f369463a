import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AisLineDecoder, encodeAis, toGpsdJson } from '../../nmea/index.js';
import { CORPUS } from '../corpus.js';

describe.skipIf(CORPUS === undefined)('libais corpora (USCG trailing fields, TAG blocks, odd lengths)', () => {
  const decodeFile = (name: string): AisLineDecoder => {
    const d = new AisLineDecoder();
    readFileSync(resolve(CORPUS!, name), 'latin1')
      .split('\n')
      .forEach((l, k) => d.push(l, k));
    return d;
  };

  it('decodes every sentence of typeexamples.nmea, USCG fields after the checksum included', () => {
    const d = decodeFile('libais/typeexamples.nmea');
    expect(d.counters.errors).toEqual({});
    expect(d.counters.messages).toBeGreaterThanOrEqual(24);
  });

  it('assembles the TAG-blocked two-part type 5 of tagblock.nmea', () => {
    const d = new AisLineDecoder();
    const messages = readFileSync(resolve(CORPUS!, 'libais/tagblock.nmea'), 'latin1')
      .split('\n')
      .flatMap((l, k) => d.push(l, k).messages);
    expect(d.counters.errors).toEqual({});
    expect(messages.map((m) => m.message.type)).toContain(5);
    expect(messages.every((m) => m.assembled.fragments[0]!.sentence.tagBlock !== undefined)).toBe(true);
  });

  it('reports the over-long lines of test.aivdm and decodes what it can without untyped errors', () => {
    const d = decodeFile('libais/test.aivdm');
    expect(d.counters.overLength).toBeGreaterThan(0);
    expect(d.counters.messages).toBeGreaterThan(200);
  });
});

describe('gpsd view of short application messages', () => {
  it('shows an empty text for a DAC 1 FI 30 message that ends before its text (gpsd endchars)', () => {
    const m = { type: 6, repeat: 0, mmsi: 1, seqno: 0, dest_mmsi: 2, retransmit: false, dac: 1, fid: 30, data: new Uint8Array([0xf0]), dataBits: 4 };
    expect(toGpsdJson(m, { scaled: false, bits: encodeAis(m) })).toMatchObject({ linkage: 960, text: '' });
  });
});
