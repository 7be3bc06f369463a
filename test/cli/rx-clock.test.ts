/**
 * `mibc-ais rx --clock`: a recorded log verifies later against its TAG-block times; lines without one are a counted
 * rejection (NO_TIME), never a crash; `fixed:` and `now` as before.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runRx, type RxCliOptions } from '../../cli/filters.js';
import type { SecureRx } from '../../firmware/secure-rx.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { parseStatus } from '../../firmware/status.js';
import { encodeAis, formatTagBlock } from '../../nmea/index.js';
import { epochAt, NOW_MS, paramsFile, seededRandom, testPkg, type TestPkg } from '../firmware/_pkg.js';

const MMSI = 244_123_456;
const DAY_MS = 24 * 3600 * 1000;
let pkg: TestPkg;
let dir: string;
/** Secured traffic made at NOW_MS, each line with its TAG-block c: time. */
let log: string[];
let bare: string[];

beforeAll(() => {
  pkg = testPkg('rx clock');
  dir = mkdtempSync(join(tmpdir(), 'mibc-rx-clock-'));
  writeFileSync(join(dir, 'params.json'), JSON.stringify(paramsFile(pkg)));
  const tx = new SecureTx({ mode: 2, emit: 'vdm', ownShip: 'any' }, { params: pkg.params, identity: pkg.identity(MMSI, [epochAt(NOW_MS, pkg.params)]) }, seededRandom('clock'));
  const report = encodeAis({
    type: 1, repeat: 0, mmsi: MMSI, status: 0, turn: -128, speed: 100, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90,
    second: 5, maneuver: 0, spare: 0, raim: false, radio: 0,
  });
  bare = tx.secure(report, MMSI, 1, NOW_MS);
  log = bare.map((l) => `${formatTagBlock([['s', 'rec'], ['c', String(NOW_MS / 1000)]])}${l}`);
});

async function rx(o: Partial<RxCliOptions>, input: readonly string[], nowMs: number): Promise<{ statuses: ReturnType<typeof parseStatus>[]; rx: SecureRx }> {
  const output = new PassThrough();
  const chunks: string[] = [];
  output.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const r = await runRx(
    { params: join(dir, 'params.json'), policy: 'flag', window: 30, dac: 0, fi: 58, ...o },
    { input: Readable.from([input.join('\n')]), output, errors: new PassThrough(), now: () => nowMs },
  );
  const lines = chunks.join('').split('\r\n').filter((l) => l.startsWith('$PMIBV'));
  return { statuses: lines.map((l) => parseStatus(l)), rx: r };
}

describe('mibc-ais rx --clock', () => {
  it('tagblock: a log recorded a day ago verifies against its own times; the system clock would refuse it', async () => {
    const later = await rx({ clock: 'tagblock' }, log, NOW_MS + DAY_MS);
    expect(later.statuses.map((s) => s?.result)).toEqual(['V']);
    const byNow = await rx({}, log, NOW_MS + DAY_MS);
    expect(byNow.statuses.map((s) => s?.result)).not.toContain('V');
  });

  it('tagblock: a line without c: is a counted NO_TIME rejection; continuation sentences take the time before; the rest goes on', async () => {
    // The second sentence of each two-sentence message carries no TAG block: it belongs to the first.
    const continuation = bare.map((l, i) => (i % 2 === 0 ? log[i]! : l));
    expect((await rx({ clock: 'tagblock' }, continuation, 0)).statuses.map((s) => s?.result)).toEqual(['V']);
    const withoutTime = ['!AIVDM,1,1,,A,13`l7@0P1sPBCp0NDrh8h6g208CQ,0*55', `${formatTagBlock([['s', 'rec']])}!AIVDM,1,1,,A,13\`l7@0P1sPBCp0NDrh8h6g208CQ,0*55`, ...log];
    const r = await rx({ clock: 'tagblock' }, withoutTime, 0);
    expect(r.rx.counters.rejected.NO_TIME).toBe(2);
    expect(r.statuses.map((s) => s?.result)).toEqual(['V']);
  });

  it('tagblock: a c: in milliseconds is no time, not a time 50,000 years ahead', async () => {
    const ms = bare.map((l) => `${formatTagBlock([['c', String(NOW_MS)]])}${l}`);
    const r = await rx({ clock: 'tagblock' }, ms, NOW_MS);
    expect(r.rx.counters.rejected.NO_TIME).toBe(ms.length);
    expect(r.statuses).toEqual([]);
  });

  it('fixed:<ISO time> checks every line against that instant', async () => {
    const iso = new Date(NOW_MS).toISOString();
    expect((await rx({ clock: `fixed:${iso}` }, bare, 0)).statuses.map((s) => s?.result)).toEqual(['V']);
    await expect(rx({ clock: 'sundial' }, bare, 0)).rejects.toThrow(/--clock/);
  });
});
