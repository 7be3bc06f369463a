import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTx } from '../../cli/filters.js';
import { encodeGroupKeyGrant, KemPurpose } from '../../firmware/bodies.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { encodeAis, encodeVdm } from '../../nmea/index.js';
import { epochAt, identityKeysFile, NOW_MS, paramsFile, testPkg } from '../firmware/_pkg.js';

const MMSI = 244_123_456;
const LEADER = 244_777_777;
const pkgForHandOut = testPkg('cli filters');
let dir: string;
let input: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mibc-filters-'));
  const pkg = testPkg('cli filters');
  const epoch = epochAt(NOW_MS, pkg.params);
  writeFileSync(join(dir, 'params.json'), JSON.stringify(paramsFile(pkg)));
  writeFileSync(join(dir, 'key.json'), JSON.stringify(identityKeysFile(pkg, MMSI, [epoch])));
  writeFileSync(join(dir, 'broken.json'), '{"format":"mibc-ais-identity-keys","version":1,"identity":{"kind":"mmsi","mmsi":1},"keys":[{"epoch":1,"signingKey":"zz"}]}');
  const report = { type: 1, repeat: 0, mmsi: MMSI, status: 0, turn: -128, speed: 100, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 };
  input = ['$GPGGA,not,ais*00', ...encodeVdm(encodeAis(report), { formatter: 'VDO', channel: 'B' })].join('\n');
});

const cli = ['tsx', 'cli/main.ts'];

describe('mibc-ais tx | rx', () => {
  it('authenticates own-ship traffic end to end through the command line', () => {
    const now = String(NOW_MS);
    const secured = execFileSync('npx', [...cli, 'tx', '--mode', '2', '--params', join(dir, 'params.json'), '--key', join(dir, 'key.json'), '--emit', 'vdm', '--now', now], { input, encoding: 'utf8' });
    expect(secured).toContain('$GPGGA,not,ais*00');
    expect(secured).not.toContain('!AIVDO');
    const shown = execFileSync('npx', [...cli, 'rx', '--params', join(dir, 'params.json'), '--now', now], { input: secured, encoding: 'utf8' });
    expect(shown).toMatch(/^\$PMIBV,V,2,244123456,244123456,1,\d+,,[0-9A-F]{16}\*[0-9A-F]{2}\r$/m);
    const decoded = execFileSync('npx', [...cli, 'decode', '-u'], { input: shown, encoding: 'utf8' });
    expect(JSON.parse(decoded.trim().split('\n')[0]!)).toMatchObject({ type: 1, mmsi: MMSI, speed: 100, heading: 90 });
  });

  it('rx installs a group key only from an issuer its --group-policy names', () => {
    const now = NOW_MS;
    const s = now / 1000;
    const leader = pkgForHandOut.identity(LEADER, [epochAt(now, pkgForHandOut.params)]);
    const grant = encodeGroupKeyGrant({ groupId: 2, issuer: LEADER, recipient: MMSI, keyId: 1, notBefore: s, notAfter: s + 3600, key: new Uint8Array(16).fill(5) });
    const lines = new SecureTx({ mode: 4, emit: 'vdm', ownShip: 'any' }, { params: pkgForHandOut.params, identity: leader }).sealToVessel(MMSI, KemPurpose.GroupKey, { bytes: grant, fill: 0 }, LEADER, s);
    const term = { notBefore: s - 60, notAfter: s + 86_400 };
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ format: 'mibc-ais-group-policy', version: 1, groups: [{ groupId: 2, member: true, ...term, issuers: [{ mmsi: LEADER, ...term }] }] }));
    const rx = (...extra: string[]) =>
      execFileSync('npx', [...cli, 'rx', '--params', join(dir, 'params.json'), '--key', join(dir, 'key.json'), ...extra, '--now', String(now)], { input: lines.join('\n'), encoding: 'utf8' });
    expect(rx()).toMatch(/^\$PMIBV,F,0,\d+,.*NOT_A_MEMBER/m);
    expect(rx('--group-policy', join(dir, 'policy.json'))).toMatch(/^\$PMIBV,K,4,244777777,244777777,/m);
  });

  it('tx sends in a group only where its --group-policy (or, without one, its key file) makes it a member', async () => {
    const s = NOW_MS / 1000;
    const term = { notBefore: s - 60, notAfter: s + 86_400 };
    writeFileSync(join(dir, 'group.json'), JSON.stringify({ format: 'mibc-ais-group-keys', version: 1, keys: [{ groupId: 4, keyId: 2, key: '00'.repeat(16), notBefore: s - 60, notAfter: s + 3600 }] }));
    const secureWith = async (member?: boolean) => {
      if (member !== undefined) {
        writeFileSync(join(dir, 'tx-policy.json'), JSON.stringify({ format: 'mibc-ais-group-policy', version: 1, groups: [{ groupId: 4, member, ...term, issuers: [] }] }));
      }
      const output = new PassThrough();
      const chunks: string[] = [];
      output.on('data', (c: Buffer) => chunks.push(c.toString()));
      const tx = await runTx(
        {
          mode: 5, params: join(dir, 'params.json'), groupKeys: join(dir, 'group.json'), ...(member === undefined ? {} : { groupPolicy: join(dir, 'tx-policy.json') }),
          nonceState: join(dir, `nonces-${String(member)}`),
          topology: 'inline', emit: 'vdm', signature: 'compact', dac: 0, fi: 58, own: 'any', maxSlots: 3, auth: 'per-message', tesla: 'latency',
        },
        { input: Readable.from([input]), output, errors: new PassThrough(), now: () => NOW_MS },
      );
      return tx.counters;
    };
    expect(await secureWith()).toMatchObject({ secured: 1, failed: 0 });
    expect(await secureWith(true)).toMatchObject({ secured: 1, failed: 0 });
    // A reader only: no key to send with, so tx refuses to start rather than drop every report.
    await expect(secureWith(false)).rejects.toMatchObject({ code: 'NO_SENDING_KEY' });
  });

  it('refuses a corrupt key file with a typed error naming the field', () => {
    const r = spawnSync('npx', [...cli, 'tx', '--mode', '2', '--params', join(dir, 'params.json'), '--key', join(dir, 'broken.json')], { input: '', encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/KEY_FILE_INVALID: key .*broken\.json: keys\.0\.signingKey/);
  });
});
