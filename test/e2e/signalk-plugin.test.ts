/**
 * The Signal K plugin (integrations/signalk/) in process, behind Signal K's own NMEA 0183 parser: its report digest
 * against the appliance's, its `$PMIBV` field checks, and the rules a real server cannot be driven into cheaply —
 * a V whose report was not the last one shown, a malformed status, no trusted connection configured.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reportDigest } from '../../firmware/rx/report-digest.js';
import { formatStatus, type Status } from '../../firmware/status.js';
import { encodeAis, encodeVdm, type AisMessage } from '../../nmea/index.js';
import { signalKInstalled } from './signalk-server.js';

const require = createRequire(import.meta.url);

interface Tracked {
  digest: string;
  mmsi: string;
  type: number;
}
const { ReportTracker } = require('../../integrations/signalk/report-tracker.js') as { ReportTracker: new () => { push(line: string): boolean; last?: Tracked } };
const { parseStatusFields } = require('../../integrations/signalk/status-sentence.js') as {
  parseStatusFields(parts: readonly string[]): { ok: true; status: Record<string, unknown> } | { ok: false; field: string };
};

const ALICE = 244_123_456;
const report = (mmsi: number, lon = 14_166_000): AisMessage => ({
  type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed: 124, accuracy: true, lon, lat: 22_764_000, course: 2150, heading: 215,
  second: 12, maneuver: 0, spare: 0, raim: false, radio: 0,
});
const fieldsOf = (sentence: string) => sentence.slice(1, sentence.indexOf('*')).split(',').slice(1);

describe('the plugin\'s report digest', () => {
  it('equals the appliance\'s for binary messages of any length, over one or several sentences', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), fc.uint8Array({ minLength: 0, maxLength: 120 }), fc.integer({ min: 0, max: 7 }), (mmsi, data, cut) => {
        const dataBits = Math.max(0, data.length * 8 - cut);
        const bits = encodeAis({ type: 8, repeat: 0, mmsi, dac: 1, fid: 31, data, dataBits });
        const tracker = new ReportTracker();
        const lines = encodeVdm(bits, { channel: 'A', seqId: 1 });
        expect(lines.map((l) => tracker.push(l))).toEqual(lines.map((_, i) => i === lines.length - 1));
        expect(tracker.last).toEqual({ digest: reportDigest(bits), mmsi: String(mmsi).padStart(9, '0'), type: 8 });
      }),
      { numRuns: 200 },
    );
  });

  it('takes nothing from a bad checksum or a sentence out of order', () => {
    const tracker = new ReportTracker();
    const [one] = encodeVdm(encodeAis(report(ALICE)), { channel: 'A' });
    expect(tracker.push(`${one!.slice(0, -2)}00`)).toBe(false);
    const long = encodeVdm(encodeAis({ type: 8, repeat: 0, mmsi: ALICE, dac: 1, fid: 31, data: new Uint8Array(60), dataBits: 480 }), { channel: 'A', seqId: 2 });
    expect(long.length).toBeGreaterThan(1);
    expect([...long].reverse().map((l) => tracker.push(l))).toEqual(long.map(() => false));
    expect(tracker.last).toBeUndefined();
  });
});

describe('the plugin\'s $PMIBV fields', () => {
  it('reads what the appliance writes', () => {
    const s: Status = { result: 'F', mode: 0, source: 244_666_666, reason: 'WRONG_SENDER' };
    expect(parseStatusFields(fieldsOf(formatStatus(s)))).toEqual({
      ok: true,
      status: { result: 'F', mode: 0, source: '244666666', identity: null, messageType: null, second: null, reason: 'WRONG_SENDER', report: null },
    });
    const v = formatStatus({ result: 'V', mode: 'A', source: ALICE, identity: ALICE, messageType: 1, second: 1_795_521_600, report: '95F4CCBCA28AEC90' });
    expect(parseStatusFields(fieldsOf(v))).toMatchObject({ ok: true, status: { result: 'V', mode: 'A', identity: '244123456', messageType: 1, report: '95F4CCBCA28AEC90' } });
  });

  it('refuses a malformed status and names the field', () => {
    const good = fieldsOf(formatStatus({ result: 'V', mode: 2, source: ALICE, identity: ALICE, messageType: 1, second: 1, report: '95F4CCBCA28AEC90' }));
    const bad = (i: number, t: string) => good.map((f, k) => (k === i ? t : f));
    expect(parseStatusFields(bad(0, 'X'))).toEqual({ ok: false, field: 'result' });
    expect(parseStatusFields(bad(2, '24412345'))).toEqual({ ok: false, field: 'source' });
    expect(parseStatusFields(bad(7, '95f4ccbca28aec90'))).toEqual({ ok: false, field: 'report' });
    expect(parseStatusFields(good.slice(1))).toEqual({ ok: false, field: 'count' });
  });
});

interface Delta {
  context: string;
  updates: { source?: { label?: string }; values: { path: string; value: unknown }[] }[];
}

/**
 * Signal K's NMEA 0183 parser and delta chain in process: each line is announced as Signal K's provider stream does
 * ('nmea0183'), parsed with the custom sentence parsers the plugin registered, labelled with its connection, passed
 * through the plugin's delta handler and kept.
 */
function harness(providers: readonly string[]) {
  const { Parser } = require('@signalk/nmea0183-signalk') as { Parser: new (o: object) => { parse(line: string): Delta | null } };
  const sentenceParsers: { value: { sentence: string; parser: unknown } }[] = [];
  const listeners: ((line: string) => void)[] = [];
  const handlers: ((d: Delta, next: (d: Delta) => void) => void)[] = [];
  const stored: Delta[] = [];
  const app = {
    selfContext: 'vessels.urn:mrn:signalk:uuid:own',
    emitPropertyValue: (name: string, value: { sentence: string; parser: unknown }) => name === 'nmea0183sentenceParser' && sentenceParsers.push({ value }),
    on: (event: string, f: (line: string) => void) => event === 'nmea0183' && listeners.push(f),
    registerDeltaInputHandler: (h: (d: Delta, next: (d: Delta) => void) => void) => handlers.push(h),
    handleMessage: (_id: string, d: Delta) => stored.push(d),
    setPluginStatus: () => {},
    setPluginError: () => {},
    debug: () => {},
    error: () => {},
  };
  const makePlugin = require('../../integrations/signalk/index.js') as (a: typeof app) => { start(o: object): void; stop(): void; counters(): { rejected: Record<string, number> } };
  const plugin = makePlugin(app);
  plugin.start({ providers });
  const parser = new Parser({ onPropertyValues: (_n: string, cb: (v: unknown) => void) => cb(sentenceParsers) });
  const feed = (provider: string, lines: readonly string[]) => {
    for (const line of lines) {
      for (const f of listeners) f(line);
      const delta = parser.parse(line);
      if (delta === null) continue;
      for (const u of delta.updates) u.source = { ...u.source, label: provider };
      let d = delta;
      for (const h of handlers) h(d, (out) => (d = out));
      stored.push(d);
    }
  };
  const security = (mmsi: number) =>
    stored
      .filter((d) => d.context === `vessels.urn:mrn:imo:mmsi:${mmsi}`)
      .flatMap((d) => d.updates.flatMap((u) => u.values.filter((v) => v.path === 'communication.aisSecurity').map((v) => v.value)))
      .at(-1) as { status: string; reason: string | null } | undefined;
  return { feed, security, plugin, stored, stop: () => plugin.stop() };
}

describe.skipIf(!signalKInstalled())('the plugin behind Signal K\'s NMEA 0183 parser', () => {
  const vouch = (m: AisMessage, result: 'V' | 'D' = 'V') =>
    formatStatus({ result, mode: 2, source: m.mmsi, identity: m.mmsi, messageType: m.type, second: 1_795_521_600, report: reportDigest(encodeAis(m)) });

  it('takes a V for the report just shown, and makes it U (REPORT_MISMATCH) when another report came in between', () => {
    const h = harness(['appliance']);
    const genuine = report(ALICE);
    h.feed('appliance', [...encodeVdm(encodeAis(genuine), { channel: 'A' }), vouch(genuine)]);
    expect(h.security(ALICE)).toMatchObject({ status: 'V' });
    const copy = report(ALICE, 14_200_000);
    h.feed('appliance', [...encodeVdm(encodeAis(genuine), { channel: 'A' }), ...encodeVdm(encodeAis(copy), { channel: 'B' }), vouch(genuine)]);
    expect(h.security(ALICE)).toMatchObject({ status: 'U', reason: 'REPORT_MISMATCH' });
    expect(h.plugin.counters().rejected.REPORT_MISMATCH).toBe(1);
    h.stop();
  });

  it('counts a malformed status and stores nothing for it', () => {
    const h = harness(['appliance']);
    const before = h.stored.length;
    h.feed('appliance', [fixChecksum('$PMIBV,V,2,24412345,,1,,,'), fixChecksum('$PMIBV,X,2,244123456,244123456,1,1,,'), fixChecksum('$PMIBV,V,2,244123456')]);
    expect(h.stored.length).toBe(before);
    expect(h.plugin.counters().rejected.MALFORMED_STATUS).toBe(3);
    h.stop();
  });

  it('fails closed with no trusted connection configured: the appliance\'s own V is refused', () => {
    const h = harness([]);
    const genuine = report(ALICE);
    h.feed('appliance', [...encodeVdm(encodeAis(genuine), { channel: 'A' }), vouch(genuine)]);
    expect(h.security(ALICE)).toMatchObject({ status: 'U', reason: 'UNTRUSTED_SOURCE' });
    h.stop();
  });
});

function fixChecksum(body: string): string {
  let x = 0;
  for (let i = 1; i < body.length; i++) x ^= body.charCodeAt(i);
  return `${body}*${x.toString(16).toUpperCase().padStart(2, '0')}`;
}
