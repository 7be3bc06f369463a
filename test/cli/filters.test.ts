import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractDecryptionKey, extractSigningKey } from '../../crypto/index.js';
import { bytesToHex } from '../../firmware/keyfile.js';
import { identityOf } from '../../firmware/keyring.js';
import { encodeAis, encodeVdm } from '../../nmea/index.js';
import { epochAt, NOW_MS, testPkg } from '../firmware/_pkg.js';

const MMSI = 244_123_456;
let dir: string;
let input: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mibc-filters-'));
  const pkg = testPkg('cli filters');
  const epoch = epochAt(NOW_MS, pkg.params);
  writeFileSync(join(dir, 'params.json'), JSON.stringify({ format: 'mibc-ais-params', version: 1, params: bytesToHex(pkg.paramsBytes), epochSeconds: pkg.params.epochSeconds }));
  const id = identityOf('mmsi', MMSI, epoch);
  writeFileSync(
    join(dir, 'key.json'),
    JSON.stringify({
      format: 'mibc-ais-identity-keys', version: 1, identity: { kind: 'mmsi', mmsi: MMSI },
      keys: [{ epoch, signingKey: bytesToHex(extractSigningKey(pkg.params.pp, pkg.masterSecret, id)), decryptionKey: bytesToHex(extractDecryptionKey(pkg.params.pp, pkg.masterSecret, id)) }],
    }),
  );
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

  it('refuses a corrupt key file with a typed error naming the field', () => {
    const r = spawnSync('npx', [...cli, 'tx', '--mode', '2', '--params', join(dir, 'params.json'), '--key', join(dir, 'broken.json')], { input: '', encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/KEY_FILE_INVALID: key .*broken\.json: keys\.0\.signingKey/);
  });
});
