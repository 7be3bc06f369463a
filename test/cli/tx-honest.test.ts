/**
 * `mibc-ais tx` tells the truth: an unusable setup stops it before the first line with a message naming the cause
 * (exit 2), every own-ship line not secured is reported on stderr with its reason (exit 3), own-ship means VDO by
 * default, and our own messages echoed back are never secured again.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IdentityKind } from '../../firmware/keyring.js';
import { runTx, type TxCliOptions } from '../../cli/filters.js';
import { AisLineDecoder, encodeAis, encodeVdm, type AisMessage } from '../../nmea/index.js';
import { epochAt, identityKeysFile, NOW_MS, paramsFile, testPkg, type TestPkg } from '../firmware/_pkg.js';

const OWN = 244_123_456;
const T = NOW_MS / 1000;
const position = { type: 1, repeat: 0, mmsi: OWN, status: 0, turn: -128, speed: 100, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 };
const vdo = (m: object, formatter: 'VDO' | 'VDM' = 'VDO') => encodeVdm(encodeAis(m as AisMessage), { formatter, channel: 'A', seqId: 1 });

let dir: string;
let pkg: TestPkg;
const file = (name: string) => join(dir, name);

function keyFile(name: string, p: TestPkg, mmsi: number, epochs: readonly number[], kind: IdentityKind = 'mmsi'): void {
  writeFileSync(file(name), JSON.stringify(identityKeysFile(p, mmsi, epochs, kind)));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mibc-tx-'));
  pkg = testPkg('tx honest');
  const epoch = epochAt(NOW_MS, pkg.params);
  writeFileSync(file('params.json'), JSON.stringify(paramsFile(pkg)));
  keyFile('own.json', pkg, OWN, [epoch]);
  keyFile('other-pkg.json', testPkg('another authority'), OWN, [epoch]);
  keyFile('expired.json', pkg, OWN, [epoch - 2]);
  keyFile('pseudo.json', pkg, 970_123_456, [epoch], 'pseudo-mmsi');
  keyFile('other-ship.json', pkg, 211_000_001, [epoch]);
  // A key whose bytes were damaged but still parse: one hex digit of the signing key changed.
  keyFile('corrupt.json', pkg, OWN, [epoch]);
  const corrupt = JSON.parse(readFileSync(file('corrupt.json'), 'utf8')) as { keys: { signingKey: string }[] };
  const sk = corrupt.keys[0]!.signingKey;
  corrupt.keys[0]!.signingKey = sk.slice(0, 40) + (sk[40] === '0' ? '1' : '0') + sk.slice(41);
  writeFileSync(file('corrupt.json'), JSON.stringify(corrupt));
  const group = (notAfter: number) => JSON.stringify({ format: 'mibc-ais-group-keys', version: 1, keys: [{ keyId: 3, key: '00112233445566778899aabbccddeeff', notBefore: T - 3600, notAfter }] });
  writeFileSync(file('group.json'), group(T + 3600));
  writeFileSync(file('group-expired.json'), group(T - 1));
});

const base = (o: Partial<TxCliOptions>): TxCliOptions => ({
  mode: 2, params: file('params.json'), topology: 'inline', emit: 'vdm', signature: 'compact', dac: 0, fi: 58, own: 'vdo',
  maxSlots: 3, auth: 'per-message', tesla: 'latency', ...o,
});

async function run(o: Partial<TxCliOptions>, lines: readonly string[], nowMs = NOW_MS) {
  const output = new PassThrough();
  const errors = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  output.on('data', (c: Buffer) => out.push(c.toString('utf8')));
  errors.on('data', (c: Buffer) => err.push(c.toString('utf8')));
  const tx = await runTx(base(o), { input: Readable.from([lines.join('\n')]), output, errors, now: () => nowMs });
  return { tx, out: out.join('').split('\r\n').filter((l) => l !== ''), err: err.join('') };
}

describe('mibc-ais tx refuses an unusable setup before the first line', () => {
  it.each([
    ['no --key in mode 2', { mode: 2 }, 'NO_KEY', /--key/],
    ['a key from another PKG', { key: 'other-pkg.json' }, 'KEY_MISMATCH', /another PKG/],
    ['a corrupted key', { key: 'corrupt.json' }, 'KEY_MISMATCH', /corrupt/],
    ['a key that expired before the clock', { key: 'expired.json' }, 'KEY_EXPIRED', /epoch/],
    ['a pseudo-MMSI key where the vessel key belongs', { key: 'pseudo.json' }, 'KEY_KIND', /pseudo-mmsi keys/],
    ['mode 4 without --to', { mode: 4, key: 'own.json' }, 'USAGE', /--to/],
    ['--max-slots 1 in mode 2', { key: 'own.json', maxSlots: 1 }, 'USAGE', /--max-slots 1/],
    ['mode 5 without --nonce-state', { mode: 5, groupKeys: 'group.json' }, 'USAGE', /--nonce-state/],
    ['mode 5 with only expired group keys', { mode: 5, groupKeys: 'group-expired.json', nonceState: 'n1' }, 'NO_SENDING_KEY', /none may be sent with/],
    ['mode 3 to a transponder (BBM)', { mode: 3, pseudoKey: 'pseudo.json', emit: 'bbm' as const }, 'MODE_UNAVAILABLE', /real MMSI/],
  ])('%s', async (_what, o: Partial<TxCliOptions> & { key?: string; groupKeys?: string; nonceState?: string; pseudoKey?: string }, code, message) => {
    const paths = Object.fromEntries(
      (['key', 'groupKeys', 'nonceState', 'pseudoKey'] as const).filter((k) => o[k] !== undefined).map((k) => [k, file(o[k] as string)]),
    );
    await expect(run({ ...o, ...paths }, vdo(position))).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });
});

describe('mibc-ais tx reports every line it did not secure', () => {
  it('a key for another MMSI than the own-ship reports: sent plain, with WRONG_IDENTITY on stderr', async () => {
    const { tx, out, err } = await run({ key: file('other-ship.json') }, vdo(position));
    expect(tx.counters).toMatchObject({ failed: 1, sentPlain: 1 });
    expect(err).toMatch(/^tx: sent plain \(message 1 of 244123456\): WRONG_IDENTITY: .*211000001/m);
    expect(err).toMatch(/1 NOT secured: 1 sent unsecured, 0 dropped \(WRONG_IDENTITY=1\)/);
    const d = new AisLineDecoder({ mergeType24: false });
    expect(out.flatMap((l) => d.push(l, 0).messages.map((x) => x.message.type))).toEqual([1]);
  });

  it('mode 5 run twice at the same clock: the second run drops every report with NONCE_EXHAUSTED, none plain', async () => {
    const o = { mode: 5, groupKeys: file('group.json'), nonceState: file('nonces') };
    const first = await run(o, vdo(position));
    expect(first.tx.counters).toMatchObject({ secured: 1, failed: 0 });
    const second = await run(o, vdo(position));
    expect(second.out).toEqual([]);
    expect(second.tx.counters).toMatchObject({ secured: 0, dropped: 1 });
    expect(second.err).toMatch(/^tx: dropped \(message 1 of 244123456\): NONCE_EXHAUSTED: /m);
  });

  it('own-ship is VDO by default: another ship\'s VDM is not re-signed', async () => {
    const other = vdo({ ...position, mmsi: 211_000_001 }, 'VDM');
    const { tx, out } = await run({ key: file('own.json') }, other);
    expect(out).toEqual(other);
    expect(tx.counters).toMatchObject({ secured: 0, passed: 1, failed: 0 });
  });

  it('our own secured messages echoed back as VDO pass as they are: never secured again', async () => {
    const first = await run({ key: file('own.json') }, vdo(position));
    const d = new AisLineDecoder({ mergeType24: false });
    const echoed = first.out.flatMap((l) => d.push(l, 0).messages).flatMap((m, i) => encodeVdm(m.assembled.bits, { formatter: 'VDO', channel: 'A', seqId: i }));
    const again = await run({ key: file('own.json') }, echoed);
    expect(again.out).toEqual(echoed);
    expect(again.tx.counters).toMatchObject({ secured: 0, echoes: 2, failed: 0 });
  });
});

describe('exit codes', () => {
  const cli = (args: readonly string[], input: string) =>
    spawnSync('npx', ['tsx', 'cli/main.ts', 'tx', '--params', file('params.json'), '--now', String(NOW_MS), ...args], { input, encoding: 'utf8' });

  it('0 when every own-ship message was secured, 3 when one was not, 2 when the keys are unusable', () => {
    const line = vdo(position).join('\n');
    expect(cli(['--mode', '2', '--key', file('own.json')], line).status).toBe(0);
    const wrong = cli(['--mode', '2', '--key', file('other-ship.json')], line);
    expect(wrong.status).toBe(3);
    expect(wrong.stderr).toMatch(/WRONG_IDENTITY/);
    const expired = cli(['--mode', '2', '--key', file('expired.json')], line);
    expect(expired.status).toBe(2);
    expect(expired.stderr).toMatch(/^mibc-ais: KEY_EXPIRED: --key .*expired\.json holds epochs/m);
  });
});
