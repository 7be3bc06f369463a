/**
 * Start-up that cannot loop: every configuration, key, permit and stored-state failure of `mibc-ais run` exits with a
 * code the unit's RestartPreventExitStatus= names (so systemd stops instead of restarting, and StartLimitAction=reboot
 * never fires for it), with one line naming the cause; a crash exits with a code that systemd does restart.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CONFIG, EXIT_FAILURE, startupFailure } from '../../cli/run.js';
import { DaemonError } from '../../firmware/daemon/index.js';
import { applianceFiles, type ApplianceFiles } from './_appliance-files.js';

const VESSEL = 237_000_002;
const dir = mkdtempSync(join(tmpdir(), 'mibc-run-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The [Service] settings of the shipped unit that decide about restarts. */
function unitRestartRules(): { restart: string; prevent: number[] } {
  const text = readFileSync(join(import.meta.dirname, '../../deploy/mibc-ais.service'), 'utf8');
  const setting = (name: string): string[] =>
    text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(`${name}=`)).map((l) => l.slice(name.length + 1).trim());
  const restart = setting('Restart');
  expect(restart).toHaveLength(1);
  // Several RestartPreventExitStatus= lines add up (systemd.service(5)); signal names are not exit codes.
  const prevent = setting('RestartPreventExitStatus').flatMap((v) => v.split(/\s+/)).filter((v) => /^\d+$/.test(v)).map(Number);
  return { restart: restart[0] as string, prevent };
}

interface Outcome {
  code: number | null;
  stderr: string;
}

function run(config: unknown, name: string): Promise<Outcome> {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config));
  // Node itself, as systemd's ExecStart= runs it, so the exit status is the daemon's own.
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'run', '--config', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

let files: ApplianceFiles;
let other: ApplianceFiles;
const base = (over: Record<string, unknown>) => ({
  ports: { ship: { path: 'sim:ship' }, radio: { path: 'sim:radio' } },
  topology: 'attached',
  mode: 2,
  status: { port: 0 },
  log: { level: 'silent' },
  ...over,
});

beforeAll(() => {
  const nowS = Math.floor(Date.now() / 1000);
  files = applianceFiles(join(dir, 'a'), 'run exit a', VESSEL, nowS);
  other = applianceFiles(join(dir, 'b'), 'run exit b', VESSEL, nowS);
});

describe('mibc-ais run: exit codes against the unit\'s restart rules', () => {
  it('the unit restarts on failure but never on EX_CONFIG (78), and restarts a crash (1)', () => {
    const { restart, prevent } = unitRestartRules();
    expect(restart).toBe('on-failure');
    expect(prevent).toContain(EXIT_CONFIG);
    expect(prevent).not.toContain(EXIT_FAILURE);
  });

  it('classifies typed configuration failures as 78 and anything else as a crash (1), in one line', () => {
    expect(startupFailure(new DaemonError('PERMIT_REFUSED', 'key permit x: PERMIT_NOT_FOR_DEVICE: permit names another device id'))).toEqual({
      code: 78, line: 'mibc-ais run: PERMIT_REFUSED: key permit x: PERMIT_NOT_FOR_DEVICE: permit names another device id',
    });
    expect(startupFailure(new DaemonError('CONFIG_INVALID', 'a: b\n c: d')).line).toBe('mibc-ais run: CONFIG_INVALID: a: b; c: d');
    expect(startupFailure(new DaemonError('STATUS_LISTEN', 'cannot listen on 127.0.0.1:8470: EADDRINUSE')).code).toBe(EXIT_CONFIG);
    expect(startupFailure(new Error('EIO')).code).toBe(EXIT_FAILURE);
  });

  it('exits 78 with one line naming the cause for every configuration, key, permit and state failure', async () => {
    const { prevent } = unitRestartRules();
    const permit = files.permit('keys.permit');
    const permitKeys = { params: files.params, permit, deviceKey: files.deviceKey, authority: files.authority };
    const state = (name: string) => {
      const path = join(dir, `state-${name}`);
      mkdirSync(path, { recursive: true, mode: 0o700 });
      return { dir: path };
    };
    const corrupt = state('corrupt');
    writeFileSync(join(corrupt.dir, 'installed-keys'), 'MIBCKS01\0\0\0\u0004junk', { mode: 0o600 });
    const openDevice = join(dir, 'open-device.json');
    writeFileSync(openDevice, readFileSync(files.deviceKey), { mode: 0o644 });
    const foreignDevice = join(dir, 'foreign-device.json');
    writeFileSync(foreignDevice, JSON.stringify({ format: 'mibc-ais-device-secret', version: 1, secretKey: 'ab'.repeat(32) }), { mode: 0o600 });
    // Another service on the status port.
    const squatter = createServer().listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    const taken = (squatter.address() as AddressInfo).port;
    const cases: [string, unknown, RegExp][] = [
      ['status port taken', base({ mode: 1, status: { port: taken } }), /STATUS_LISTEN: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/],
      ['bad config', base({ mode: 9 }), /CONFIG_INVALID: .*mode: must be a mode number 1–5/],
      ['config not JSON', '{ "ports": ', /CONFIG_INVALID: .* is not valid JSON/],
      ['missing key file', base({ keys: { params: files.params, key: join(dir, 'nope.json') } }), /KEYS_INVALID: key: cannot read .*nope\.json/],
      ['unreadable key file', base({ keys: { params: files.params, key: dir } }), /KEYS_INVALID: key: cannot read /],
      ['wrong params', base({ keys: { params: other.params, key: files.key } }), /KEYS_INVALID: key .*own\.json \(mmsi 237000002\) does not match the system parameters/],
      ['mode 2 without keys', base({}), /KEYS_INVALID: mode 2 needs keys\.params/],
      ['missing device key', base({ keys: { ...permitKeys, deviceKey: join(dir, 'no-device.json') }, state: state('missing-device') }), /KEYS_INVALID: device key: cannot read /],
      ['device key readable by others', base({ keys: { ...permitKeys, deviceKey: openDevice }, state: state('open-device') }), /KEYS_INVALID: device key .*open-device\.json is readable by others \(mode 0644\)/],
      ['permit for another device', base({ keys: { ...permitKeys, deviceKey: foreignDevice }, state: state('foreign') }), /PERMIT_REFUSED: .*PERMIT_NOT_FOR_DEVICE/],
      ['permit of another authority', base({ keys: { ...permitKeys, authority: other.authority }, state: state('authority') }), /PERMIT_REFUSED: .*PERMIT_INTEGRITY/],
      ['corrupt stored key set', base({ keys: permitKeys, state: corrupt }), /STATE_UNUSABLE: installed key set in .* is corrupt/],
    ];
    for (const [name, config, cause] of cases) {
      const outcome = await run(config, name.replaceAll(' ', '-'));
      expect({ name, code: outcome.code }).toEqual({ name, code: EXIT_CONFIG });
      expect(prevent).toContain(outcome.code);
      const lines = outcome.stderr.split('\n').filter((l) => l.trim() !== '');
      expect({ name, lines: lines.length }).toEqual({ name, lines: 1 });
      expect(lines[0]).toMatch(cause);
      expect(outcome.stderr).not.toMatch(/\n\s+at /);
    }
    squatter.close();
  }, 300_000);
});
