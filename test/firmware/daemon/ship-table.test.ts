/** The status page's ship table: what the display port was shown, per MMSI, bounded against a flood of MMSIs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShipTable } from '../../../firmware/daemon/index.js';
import { reportDigest } from '../../../firmware/rx/report-digest.js';
import { formatStatus } from '../../../firmware/status.js';
import { encodeAis, encodeVdm, type AisMessage } from '../../../nmea/index.js';

const NOW = 1_795_521_600_000;

function report(mmsi: number, lat = 57.7, lon = 11.9): AisMessage {
  return { type: 1, repeat: 0, mmsi, status: 0, turn: 0, speed: 100, accuracy: true, lon: Math.round(lon * 600_000), lat: Math.round(lat * 600_000), course: 0, heading: 0, second: 1, maneuver: 0, spare: 0, raim: false, radio: 0 };
}
const vdm = (m: AisMessage) => encodeVdm(encodeAis(m), { channel: 'A' });
const digest = (m: AisMessage) => reportDigest(encodeAis(m)).toUpperCase();

describe('ShipTable', () => {
  it('takes a message with no status as U, and its V status (by report digest) instead', () => {
    const t = new ShipTable();
    const m = report(265_547_250);
    for (const l of vdm(m)) t.push(l, NOW);
    expect(t.snapshot().ships[0]).toMatchObject({ mmsi: 265_547_250, result: 'U', counts: { U: 1 } });
    t.push(formatStatus({ result: 'V', mode: 2, source: 265_547_250, identity: 265_547_250, messageType: 1, second: 1, report: digest(m) }), NOW);
    const ship = t.snapshot().ships[0]!;
    expect(ship).toMatchObject({ result: 'V', mode: 2, counts: { U: 0, V: 1 } });
    expect(ship.lat).toBeCloseTo(57.7, 4);
    expect(ship.lon).toBeCloseTo(11.9, 4);
  });

  it("keeps an F of a refused body apart from the report shown before it, with its reason, and remembers it after a later V", () => {
    const t = new ShipTable();
    const m = report(244_666_666);
    for (const l of vdm(m)) t.push(l, NOW);
    t.push(formatStatus({ result: 'F', mode: 0, source: 244_666_666, reason: 'BAD_SIGNATURE' }), NOW + 1);
    expect(t.snapshot().ships[0]).toMatchObject({ result: 'F', reason: 'BAD_SIGNATURE', counts: { U: 1, F: 1 }, lastFailure: { reason: 'BAD_SIGNATURE', atMs: NOW + 1 } });
    for (const l of vdm(m)) t.push(l, NOW + 2);
    t.push(formatStatus({ result: 'V', mode: 2, source: 244_666_666, report: digest(m) }), NOW + 2);
    const ship = t.snapshot().ships[0]!;
    expect(ship.result).toBe('V');
    expect(ship.reason).toBeUndefined();
    expect(ship.lastFailure).toEqual({ reason: 'BAD_SIGNATURE', atMs: NOW + 1 });
  });

  it('stays within its limit under a flood of invented MMSIs, keeping the most recently heard', () => {
    const t = new ShipTable({ limit: 100 });
    const kept = 219_024_000;
    for (const l of vdm(report(kept))) t.push(l, NOW);
    for (let i = 0; i < 5_000; i++) {
      for (const l of vdm(report(300_000_000 + i))) t.push(l, NOW + i);
      if (i % 50 === 0) for (const l of vdm(report(kept))) t.push(l, NOW + i);
    }
    expect(t.size).toBe(100);
    const snap = t.snapshot();
    expect(snap.ships).toHaveLength(100);
    expect(snap.evicted).toBe(5_001 - 100);
    expect(snap.ships[0]!.mmsi).toBe(300_004_999);
    expect(snap.ships.some((s) => s.mmsi === kept)).toBe(true);
    expect(snap.ships.some((s) => s.mmsi === 300_000_000)).toBe(false);
  });

  it('keeps a name that is markup as plain data, and never throws on lines it cannot read', () => {
    const t = new ShipTable();
    const name = '<SCRIPT>X</SCRIPT>';
    const m5 = { type: 5, repeat: 0, mmsi: 265_123_456, ais_version: 0, imo: 0, callsign: 'SM1234', shipname: name, shiptype: 37, to_bow: 5, to_stern: 5, to_port: 2, to_starboard: 2, epfd: 1, month: 6, day: 1, hour: 12, minute: 0, draught: 20, destination: 'X', dte: 0, spare: 0 } as AisMessage;
    for (const l of encodeVdm(encodeAis(m5), { channel: 'A', seqId: 1 })) t.push(l, NOW);
    expect(t.snapshot().ships[0]!.name).toBe(name);
    for (const junk of ['', 'garbage', '!AIVDM,1,1,,A,zzzz,0*00', '$PMIBV,X,,,*00', '$PMIBV,V,2,abc,,,,,*7F', '!AIVDM,2,1,9,A,13u?etP,0*00']) {
      expect(() => t.push(junk, NOW)).not.toThrow();
    }
    expect(t.size).toBe(1);
    expect(t.snapshot().unreadable).toBeGreaterThan(0);
  });

  it('never throws on any line a transmitter could put on the display port, and stays bounded', () => {
    const t = new ShipTable({ limit: 8 });
    const armour = fc.stringMatching(/^[0-9:;<=>?@A-W`a-w]{0,90}$/);
    const vdmLike = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), armour, fc.integer({ min: 0, max: 6 })).map(([n, k, payload, fill]) => {
      const body = `AIVDM,${n},${k},,A,${payload},${fill}`;
      let x = 0;
      for (const ch of body) x ^= ch.charCodeAt(0);
      return `!${body}*${x.toString(16).toUpperCase().padStart(2, '0')}`;
    });
    const statusLike = fc.array(fc.string({ maxLength: 20 }), { maxLength: 9 }).map((f) => {
      const body = `PMIBV,${f.join(',')}`;
      let x = 0;
      for (const ch of body) x ^= ch.charCodeAt(0);
      return `$${body}*${x.toString(16).toUpperCase().padStart(2, '0')}`;
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(vdmLike, statusLike, fc.string({ maxLength: 100 })), { maxLength: 20 }), (lines) => {
        for (const l of lines) t.push(l, NOW);
        expect(t.size).toBeLessThanOrEqual(8);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new ShipTable({ limit: 0 })).toThrow(RangeError);
  });
});
