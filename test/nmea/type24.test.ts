import { describe, expect, it } from 'vitest';
import { SequentialId, Type24Merger, TYPE24_PENDING, type AisMessage } from '../../nmea/index.js';

const partA = (mmsi: number, shipname: string): AisMessage => ({ type: 24, repeat: 0, mmsi, partno: 0, shipname });
const partB = (mmsi: number): AisMessage => ({ type: 24, repeat: 0, mmsi, partno: 1, shiptype: 37, vendorid: 'ABC', model: 0, serial: 0, callsign: 'X', to_bow: 1, to_stern: 1, to_port: 1, to_starboard: 1 });

describe('message 24 pairing (gpsd MAX_TYPE24_INTERLEAVE)', () => {
  it('reports part B merged with the part A of the same ship on the same channel, once', () => {
    const t = new Type24Merger();
    expect(t.push(partA(1, 'ONE'), 'A')).toBeUndefined();
    expect(t.push(partB(1), 'B')).toBeUndefined();
    expect(t.push(partB(1), 'A')).toMatchObject({ mmsi: 1, shipname: 'ONE', shiptype: 37 });
    expect(t.push(partB(1), 'A')).toBeUndefined();
  });

  it(`keeps only the last ${TYPE24_PENDING} unmatched part A's per channel`, () => {
    const t = new Type24Merger();
    for (let k = 0; k <= TYPE24_PENDING; k++) t.push(partA(100 + k, `S${k}`), 'A');
    expect(t.push(partB(100), 'A')).toBeUndefined();
    expect(t.push(partB(101), 'A')).toMatchObject({ shipname: 'S1' });
  });

  it('passes other message types through', () => {
    const m: AisMessage = { type: 10, repeat: 0, mmsi: 5, dest_mmsi: 6 };
    expect(new Type24Merger().push(m)).toBe(m);
  });
});

describe('sequential message identifier', () => {
  it('cycles 0–9', () => {
    const ids = new SequentialId(8);
    expect([1, 2, 3, 4].map(() => ids.next())).toEqual([8, 9, 0, 1]);
    expect(() => new SequentialId(10)).toThrow(RangeError);
  });
});
