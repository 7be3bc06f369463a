import { beforeAll, describe, expect, it } from 'vitest';
import { AppliancePipeline } from '../../firmware/appliance-pipeline.js';
import { encodeAis, encodeVdm, formatSentence } from '../../nmea/index.js';
import { epochAt, NOW_MS, seededRandom, testPkg, type TestPkg } from './_pkg.js';

const OWN = 244_123_456;
const report = { type: 1, repeat: 0, mmsi: OWN, status: 0, turn: -128, speed: 50, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 };

// ECDIS → transponder traffic that must pass in every mode (IEC 61162-1 VSD, AIQ, ABM, BBM).
const ECDIS_LINES = [
  formatSentence('$', 'EC', 'VSD', ['80', '12.5', '1', 'NEW YORK', '123000', '24', '11', '', '', '0', '1']),
  formatSentence('$', 'EC', 'AIQ', ['VDO']),
  '!ECABM,1,1,0,211000001,0,6,0400,0*2C',
  '!ECBBM,1,1,0,0,8,0400,0*7D',
];

let pkg: TestPkg;
beforeAll(() => {
  pkg = testPkg('pipeline');
});

function pipeline(mode: 1 | 2) {
  const e = epochAt(NOW_MS, pkg.params);
  return new AppliancePipeline({ tx: { mode, emit: 'bbm' }, rx: {} }, { params: pkg.params, identity: pkg.identity(OWN, [e]) }, seededRandom('p'));
}

describe('the appliance pipeline', () => {
  it('mode 1 forwards everything unaltered in both directions', () => {
    const p = pipeline(1);
    const vdo = encodeVdm(encodeAis(report), { formatter: 'VDO', channel: '' });
    const toRadio = [...ECDIS_LINES, ...vdo].flatMap((l) => p.fromShip(l, NOW_MS));
    expect(toRadio.map((o) => o.line)).toEqual([...ECDIS_LINES, ...vdo]);
    expect(toRadio.every((o) => o.side === 'radio')).toBe(true);
    const heard = encodeVdm(encodeAis({ ...report, mmsi: 211_000_001 }), { channel: 'B' });
    const toShip = heard.flatMap((l) => p.fromRadio(l, NOW_MS)).map((o) => o.line);
    expect(toShip.slice(0, heard.length)).toEqual(heard);
  });

  it('mode 2 replaces own-ship reports by BBM sentences and still passes ECDIS traffic; switching to mode 1 needs no restart', () => {
    const p = pipeline(2);
    const vdo = encodeVdm(encodeAis(report), { formatter: 'VDO', channel: '' });
    const out = [...ECDIS_LINES, ...vdo].flatMap((l) => p.fromShip(l, NOW_MS));
    expect(out.slice(0, ECDIS_LINES.length).map((o) => o.line)).toEqual(ECDIS_LINES);
    const secured = out.slice(ECDIS_LINES.length);
    expect(secured.length).toBeGreaterThan(1);
    expect(secured.every((o) => o.line.startsWith('!AIBBM') && o.priority === 'safety')).toBe(true);
    p.setMode(1);
    expect(vdo.flatMap((l) => p.fromShip(l, NOW_MS)).map((o) => o.line)).toEqual(vdo);
    expect(p.counters()['tx.secured']).toBe(1);
  });

  it('hands on the UTC announced by base stations (message 4), and nothing when a part is "not available"', () => {
    const p = pipeline(1);
    const base = { type: 4, repeat: 0, mmsi: 2_655_000, year: 2026, month: 11, day: 24, hour: 12, minute: 0, second: 7, accuracy: true, lon: 2_400_000, lat: 31_800_000, epfd: 7, spare: 0, raim: false, radio: 0 };
    for (const l of encodeVdm(encodeAis(base), { channel: 'A' })) p.fromRadio(l, NOW_MS);
    for (const l of encodeVdm(encodeAis({ ...base, hour: 24 }), { channel: 'A' })) p.fromRadio(l, NOW_MS);
    expect(p.takeUtcReports()).toEqual([{ utcMs: Date.UTC(2026, 10, 24, 12, 0, 7), mmsi: 2_655_000 }]);
    expect(p.takeUtcReports()).toEqual([]);
  });
});

describe('the appliance pipeline: what the daemon may send in clear', () => {
  it('allows plain in mode 1 always, in mode 2 only with the on-failure fallback, in modes 3, 4 and 5 never', () => {
    const e = epochAt(NOW_MS, pkg.params);
    const keys = { params: pkg.params, identity: pkg.identity(OWN, [e]) };
    const allowed = (plainFallback: 'on-failure' | 'never') => {
      // VDM: mode 3 is refused where the transponder (BBM) would send under the real MMSI (docs/modes.md §1).
      const p = new AppliancePipeline({ tx: { mode: 1, emit: 'vdm' }, rx: {}, plainFallback }, keys);
      return ([1, 2, 3, 4, 5] as const).map((mode) => {
        p.tx.setMode(mode);
        return p.plainAllowed();
      });
    };
    expect(allowed('on-failure')).toEqual([true, true, false, false, false]);
    expect(allowed('never')).toEqual([true, false, false, false, false]);
    expect(new AppliancePipeline({ tx: {}, rx: {} }, keys).plainFallback).toBe('on-failure');
  });

  it('starts with time untrusted and keeps what the daemon tells it', () => {
    const p = new AppliancePipeline({ tx: {}, rx: {} }, { params: pkg.params });
    expect(p.timeTrusted).toBe(false);
    p.setTimeTrusted(true);
    expect(p.timeTrusted).toBe(true);
  });
});
