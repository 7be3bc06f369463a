import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeVdm, type AisMessage } from '../../nmea/index.js';
import { CORPUS, REPO } from '../corpus.js';
import { decodeChunks } from './_decode-run.js';

type Json = Record<string, unknown>;

/**
 * Fields of gpsd's output we deliberately do not reproduce (nmea/gpsd.ts): `device` (gpsd names its input) and
 * type 26 `radio` (gpsd 3.22 never decodes it and prints 0; we print the real value).
 */
function comparable(o: Json): Json {
  const { device: _device, ...rest } = o;
  if (rest['type'] === 26) delete rest['radio'];
  return rest;
}

/** Runs the real subcommand, `mibc-ais decode [args]`, on `input`. */
function decodeWithCli(input: string, args: string[]): Json[] {
  const out = execFileSync('npx', ['tsx', 'cli/main.ts', 'decode', ...args], { cwd: REPO, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
}

function expectSameMessages(ours: Json[], expected: Json[]): void {
  expect(ours.length).toBe(expected.length);
  ours.forEach((o, i) => expect(comparable(o), `message ${i + 1}`).toEqual(comparable(expected[i]!)));
}

describe.skipIf(CORPUS === undefined)('mibc-ais decode --gpsd-compat against gpsd golden output', () => {
  const chk = (name: string): Json[] =>
    readFileSync(resolve(CORPUS!, name), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Json);

  it('agrees with sample.aivdm.ju.chk field by field (all 27 types)', () => {
    const out = decodeWithCli(readFileSync(resolve(CORPUS!, 'gpsd/sample.aivdm'), 'utf8'), ['--unscaled', '--gpsd-compat']);
    expectSameMessages(out, chk('gpsd/sample.aivdm.ju.chk'));
  });

  it('agrees with ais-nmea-type6-fid55.log.chk field by field (real traffic with type 6 ASMs)', () => {
    const out = decodeWithCli(readFileSync(resolve(CORPUS!, 'gpsd/ais-nmea-type6-fid55.log'), 'utf8'), ['--unscaled', '--gpsd-compat']);
    expectSameMessages(out, chk('gpsd/ais-nmea-type6-fid55.log.chk'));
  });

  it('scaled output matches sample.aivdm.js.chk numerically', () => {
    const out = decodeWithCli(readFileSync(resolve(CORPUS!, 'gpsd/sample.aivdm'), 'utf8'), ['--gpsd-compat']);
    const expected = chk('gpsd/sample.aivdm.js.chk');
    expect(out.length).toBe(expected.length);
    const close = (a: unknown, b: unknown, path: string): void => {
      if (typeof a === 'number' && typeof b === 'number') expect(Math.abs(a - b), path).toBeLessThanOrEqual(Math.abs(b) * 1e-6 + 1e-4);
      else if (Array.isArray(b)) (b as unknown[]).forEach((x, k) => close((a as unknown[])[k], x, `${path}[${k}]`));
      else if (typeof b === 'object' && b !== null) for (const k of Object.keys(b)) close((a as Json)[k], (b as Json)[k], `${path}.${k}`);
      else expect(a, path).toEqual(b);
    };
    out.forEach((o, i) => close(comparable(o), comparable(expected[i]!), `message ${i + 1}`));
  });
});

describe('mibc-ais decode error reporting', () => {
  it('reports bad lines on stderr with line number and code, keeps decoding, and counts by code', async () => {
    const text = [
      '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B',
      '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A',
      '!AIVDM,2,2,1,B,00000000000,2*26',
      '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g2~8CQ,0*4A',
      '',
    ].join('\n');
    const { out, err, counters } = await decodeChunks([text], { unscaled: true });
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/^line 1: NMEA_CHECKSUM: /m);
    expect(err).toMatch(/^line 3: AIS_FRAGMENT_ORDER: /m);
    expect(err).toMatch(/^line 4: NMEA_CHECKSUM: /m);
    expect(counters.errors).toEqual({ NMEA_CHECKSUM: 2, AIS_FRAGMENT_ORDER: 1 });
    expect(counters.messages).toBe(1);
  });
});

describe('mibc-ais decode: the standard by default, gpsd 3.22 with --gpsd-compat', () => {
  async function decode(lines: string[], gpsdCompat: boolean): Promise<Json[]> {
    const { out } = await decodeChunks([`${lines.join('\n')}\n`], { unscaled: true, gpsdCompat });
    return out.trim().split('\n').map((l) => JSON.parse(l) as Json);
  }
  const messages: AisMessage[] = [
    { type: 24, repeat: 0, mmsi: 211000001, partno: 0, shipname: 'SHIP' },
    { type: 24, repeat: 0, mmsi: 211000001, partno: 1, shiptype: 37, vendorid: 'ABC', model: 5, serial: 123456, callsign: 'CALL', to_bow: 1, to_stern: 2, to_port: 3, to_starboard: 4 },
    { type: 25, repeat: 0, mmsi: 211000001, addressed: true, structured: true, dest_mmsi: 244000002, app_id: 0xabcd, data: Uint8Array.of(0xf0), dataBits: 8 },
  ];
  const lines = messages.flatMap((m) => encodeVdm(m, { channel: 'A' }));

  it('prints the M.1371-5 reading of message 24 part B and of an addressed message 25 by default', async () => {
    const [b, m25] = await decode(lines, false);
    expect(b).toMatchObject({ shipname: 'SHIP', vendorid: 'ABC', model: 5, serial: 123456 });
    expect(m25).toMatchObject({ dest_mmsi: 244000002, app_id: 0xabcd, data: '8:f0' });
  });

  it("prints gpsd 3.22's reading of the same lines with --gpsd-compat", async () => {
    const [b, m25] = await decode(lines, true);
    expect(b).toMatchObject({ vendorid: 'ABCT^I', model: 5, serial: 123456 });
    expect(m25).toMatchObject({ dest_mmsi: 244000002, app_id: 0xabcd >> 2, data: '10:7c00' });
  });
});
