/**
 * `mibc-ais pkg …`: the command functions in-process (injected clock, randomness and output), and the real entry
 * point spawned for what only a process shows — exit status, the environment passphrase, nothing secret printed.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkgCommand, type CardReader, type PkgCliIo } from '../../cli/pkg.js';
import { EMPTY_KEY_SET, deviceKeyFromSecret, installPermit } from '../../firmware/permit/index.js';
import { GroupKeyFileSchema, IdentityKeyFileSchema, bytesToHex, hexToBytes, parseKeyFile } from '../../firmware/keyfile.js';
import { TokenApplet } from '../../hal/token-applet.js';
import { SimulatedCardToken } from '../../hal/token-sim.js';
import { isVdm, parseSentence } from '../../nmea/index.js';
import { PSEUDO_MMSI_MAX, PSEUDO_MMSI_MIN } from '../../provisioning/pkg/index.js';
import { NOW_MS } from '../firmware/_pkg.js';
import { testEnv } from '../provisioning/_pkg-dir.js';

const PASS = 'correct horse battery staple';
const run = promisify(execFile);

let root: string;
let dir: string;
let passFile: string;
let groupKeyId: number;
const env = testEnv('cli pkg');

interface Result {
  out: string;
  err: string;
  status: number;
}

async function pkg(args: string[], over: Partial<PkgCliIo> = {}): Promise<Result> {
  const r: Result = { out: '', err: '', status: 0 };
  const sink = (k: 'out' | 'err') => new Writable({ write: (c: Buffer, _e, cb) => ((r[k] += c.toString()), cb()) });
  const io: PkgCliIo = {
    env,
    getenv: () => undefined,
    out: sink('out'),
    err: sink('err'),
    openCard: () => Promise.reject(new Error('no card in this test')),
    fail: (status) => (r.status = status),
    ...over,
  };
  const cmd = pkgCommand(io);
  // Option errors must throw here rather than end the test process (commander exits by default).
  for (const sub of cmd.commands) sub.exitOverride().configureOutput({ writeErr: (s) => (r.err += s) });
  await cmd.parseAsync(args, { from: 'user' });
  return r;
}
const json = (r: Result) => JSON.parse(r.out) as Record<string, unknown>;
const p = (name: string) => join(root, name);
const withPass = (...args: string[]) => [...args, '--dir', dir, '--passphrase-file', passFile];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mibc-pkg-cli-'));
  dir = p('pkg');
  passFile = p('pass');
  writeFileSync(passFile, `${PASS}\n`, { mode: 0o600 });
  const r = await pkg(withPass('setup', '--scrypt-log-n', '14', '--authority-mmsi', '2371000', '--epoch-days', '30'));
  expect(r.status).toBe(0);
  expect(json(r)).toMatchObject({ command: 'setup', register: { seq: 1 } });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('mibc-ais pkg (command functions)', () => {
  it('extract writes an identity key file, 0600, for the current epoch and the next', async () => {
    const r = await pkg(withPass('extract', '--mmsi', '237000001', '--epoch', 'current', '--epochs', '2', '--out', p('v.json')));
    expect(r.err).toBe('');
    expect(json(r)).toMatchObject({ command: 'extract', identity: { kind: 'mmsi', mmsi: 237000001 }, epochs: [692, 693] });
    expect(statSync(p('v.json')).mode & 0o777).toBe(0o600);
    expect(parseKeyFile(IdentityKeyFileSchema, readFileSync(p('v.json'), 'utf8'), 'v').keys).toHaveLength(2);
  });

  it('extract --mrn: first with --mmsi (binds them), then alone (uses the bound MMSI)', async () => {
    const mrn = 'urn:mrn:mcp:vessel:gr:imo:9074729';
    const unbound = await pkg(withPass('extract', '--mrn', mrn, '--epoch', '692', '--out', p('x.json')));
    expect(unbound.status).toBe(1);
    expect(unbound.err).toMatch(/PKG_INPUT: .*not bound to an MMSI yet: give --mmsi/);
    const none = await pkg(withPass('extract', '--epoch', '692', '--out', p('x.json')));
    expect(none.err).toMatch(/PKG_INPUT/);
    const both = await pkg(withPass('extract', '--pseudo', '100000001', '--mmsi', '237000001', '--epoch', '692', '--out', p('x.json')));
    expect(both.err).toMatch(/PKG_INPUT/);
    const bound = await pkg(withPass('extract', '--mrn', mrn, '--mmsi', '237000001', '--epoch', '692', '--out', p('m.json')));
    expect(bound.status).toBe(0);
    const alone = await pkg(withPass('extract', '--mrn', mrn, '--epoch', '693', '--out', p('m2.json')));
    expect(json(alone)).toMatchObject({ identity: { kind: 'mmsi', mmsi: 237000001 }, epochs: [693] });
    const audit = await pkg(withPass('audit'));
    expect(json(audit)).toMatchObject({ verified: true, mrnBindings: 1 });
  });

  it('pseudonym issues a number from the block, prints no vessel, and audit --who resolves it', async () => {
    const r = await pkg(withPass('pseudonym', '--for-mmsi', '237000001', '--out', p('ps.json')));
    const pseudo = json(r)['pseudo'] as number;
    expect(pseudo).toBeGreaterThanOrEqual(PSEUDO_MMSI_MIN);
    expect(pseudo).toBeLessThanOrEqual(PSEUDO_MMSI_MAX);
    expect(r.out).not.toContain('237000001');
    expect(parseKeyFile(IdentityKeyFileSchema, readFileSync(p('ps.json'), 'utf8'), 'ps').identity).toEqual({ kind: 'pseudo-mmsi', mmsi: pseudo });
    const who = await pkg(withPass('audit', '--who', String(pseudo)));
    expect(json(who)).toMatchObject({ pseudo, vessel: 237000001 });
  });

  it('group-key writes the key file and one signed mode-4 hand-out per recipient (VDM or ABM)', async () => {
    const r = await pkg(withPass('group-key', '--to', '237000001,244000001', '--valid-hours', '6', '--out-keys', p('g.json'), '--out-nmea', p('g.nmea')));
    expect(json(r)).toMatchObject({ command: 'group-key', notBefore: NOW_MS / 1000, notAfter: NOW_MS / 1000 + 6 * 3600, to: [237000001, 244000001] });
    groupKeyId = json(r)['keyId'] as number;
    expect(parseKeyFile(GroupKeyFileSchema, readFileSync(p('g.json'), 'utf8'), 'g').keys[0]?.keyId).toBe(groupKeyId);
    const vdm = readFileSync(p('g.nmea'), 'utf8').trimEnd().split('\r\n');
    expect(vdm.every((l) => isVdm(parseSentence(l)))).toBe(true);
    const abm = await pkg(withPass('group-key', '--to', '237000001', '--valid-hours', '6', '--emit', 'abm', '--out-keys', p('g2.json'), '--out-nmea', p('g2.nmea')));
    expect(json(abm)['keyId']).not.toBe(groupKeyId);
    const lines = readFileSync(p('g2.nmea'), 'utf8').trimEnd().split('\r\n');
    expect(lines.every((l) => parseSentence(l).formatter === 'ABM')).toBe(true);
  });

  it('group-key refuses an hour count out of range before touching the PKG', async () => {
    const r = await pkg(withPass('group-key', '--to', '237000001', '--valid-hours', '0', '--out-keys', p('n.json'), '--out-nmea', p('n.nmea'))).catch((e: Error) => e);
    expect(r instanceof Error ? r.message : '').toMatch(/--valid-hours/);
  });

  it('permit takes a device key file and key files; card-write writes it through the card reader given', async () => {
    const device = deviceKeyFromSecret(new Uint8Array(32).fill(3));
    writeFileSync(p('dev.json'), JSON.stringify({ format: 'mibc-ais-device-key', version: 1, publicKey: bytesToHex(device.publicKey) }));
    const r = await pkg(withPass('permit', '--device-key', p('dev.json'), '--keys', p('v.json'), p('g.json'), '--out', p('permit.mikp')));
    expect(json(r)).toMatchObject({ command: 'permit', sequence: 1, identities: ['mmsi:237000001', `group:${groupKeyId}`] });
    const permit = new Uint8Array(readFileSync(p('permit.mikp')));
    const authority = JSON.parse(readFileSync(join(dir, 'authority.json'), 'utf8')) as { rootPublicKey: string };
    const installed = installPermit(permit, EMPTY_KEY_SET, { device, rootPublicKey: hexToBytes(authority.rootPublicKey), now: NOW_MS / 1000 });
    expect(installed.ok).toBe(true);

    const enc = new TextEncoder();
    const token = new SimulatedCardToken(new TokenApplet({ userPin: enc.encode('1234'), adminPin: enc.encode('87654321') }));
    let readerAsked: RegExp | undefined;
    const openCard = async (reader: RegExp | undefined): Promise<CardReader> => {
      readerAsked = reader;
      return { transmit: token.transmit, close: async () => undefined };
    };
    writeFileSync(p('wrong-pin'), '00000000\n');
    const wrong = await pkg(['card-write', '--permit', p('permit.mikp'), '--admin-pin-file', p('wrong-pin'), '--reader', 'Virtual PCD'], { openCard });
    expect(wrong.status).toBe(1);
    expect(wrong.err).toMatch(/TOKEN_PIN_WRONG/);
    expect(readerAsked?.source).toBe('Virtual PCD');
    writeFileSync(p('admin-pin'), '87654321\n');
    const ok = await pkg(['card-write', '--permit', p('permit.mikp'), '--admin-pin-file', p('admin-pin')], { openCard });
    expect(json(ok)).toEqual({ command: 'card-write', bytes: permit.length, verified: true });
    expect(await token.readPermit('1234')).toEqual(permit);
  });

  it('without a passphrase file or variable: PKG_PASSPHRASE_MISSING; the variable is honoured', async () => {
    const none = await pkg(['audit', '--dir', dir]);
    expect(none.status).toBe(1);
    expect(none.err).toMatch(/PKG_PASSPHRASE_MISSING/);
    const viaEnv = await pkg(['audit', '--dir', dir], { getenv: (n) => (n === 'MIBC_PKG_PASSPHRASE' ? PASS : undefined) });
    expect(json(viaEnv)).toMatchObject({ verified: true });
  });

  it('a bad device key or key file is PKG_INPUT', async () => {
    writeFileSync(p('bad-dev'), 'not a key');
    const r = await pkg(withPass('permit', '--device-key', p('bad-dev'), '--keys', p('v.json'), '--out', p('x.mikp')));
    expect(r.err).toMatch(/PKG_INPUT: device key/);
    writeFileSync(p('bad-keys.json'), '{"format":"mibc-ais-identity-keys","version":1}');
    writeFileSync(p('dev.hex'), `${'ab'.repeat(32)}\n`);
    const k = await pkg(withPass('permit', '--device-key', p('dev.hex'), '--keys', p('bad-keys.json'), '--out', p('x.mikp')));
    expect(k.err).toMatch(/PKG_INPUT: .*bad-keys.json/);
  });
});

describe('mibc-ais pkg: outputs and records', () => {
  const entries = async () => (json(await pkg(withPass('audit')))['register'] as { seq: number }).seq;

  it('never overwrites an existing --out without --force, and records nothing when it refuses', async () => {
    writeFileSync(p('taken.json'), 'another vessel key file\n');
    const before = await entries();
    for (const args of [
      ['extract', '--mmsi', '237000003', '--epoch', '692', '--out', p('taken.json')],
      ['pseudonym', '--for-mmsi', '237000003', '--out', p('taken.json')],
      ['group-key', '--to', '237000003', '--valid-hours', '1', '--out-keys', p('fresh-g.json'), '--out-nmea', p('taken.json')],
      ['permit', '--device-key', p('dev.hex'), '--keys', p('v.json'), '--out', p('taken.json')],
    ]) {
      const r = await pkg(withPass(...args));
      expect(r.status, args[0]).toBe(1);
      expect(r.err).toMatch(new RegExp(`^mibc-ais pkg ${args[0]}: PKG_OUTPUT_EXISTS: .*taken\\.json exists; give --force`));
      expect(r.out).toBe('');
    }
    expect(readFileSync(p('taken.json'), 'utf8')).toBe('another vessel key file\n');
    expect(() => statSync(p('fresh-g.json'))).toThrow();
    expect(await entries()).toBe(before);
    const forced = await pkg(withPass('extract', '--mmsi', '237000003', '--epoch', '692', '--out', p('taken.json'), '--force'));
    expect(forced.status).toBe(0);
    expect(parseKeyFile(IdentityKeyFileSchema, readFileSync(p('taken.json'), 'utf8'), 't').identity.mmsi).toBe(237000003);
    expect(await entries()).toBe(before + 1);
  });

  it('an output that cannot be written: one line naming the path and the cause, exit 1, nothing recorded', async () => {
    const before = await entries();
    const target = p('no-such-dir/v.json');
    const r = await pkg(withPass('extract', '--mmsi', '237000004', '--epoch', '692', '--out', target));
    expect(r.status).toBe(1);
    expect(r.err).toBe(`mibc-ais pkg extract: PKG_OUTPUT: cannot write ${target}: ENOENT (no such file or directory)\n`);
    expect(r.err.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(await entries()).toBe(before);
    const g = await pkg(withPass('group-key', '--to', '237000001', '--valid-hours', '1', '--out-keys', p('gk-ok.json'), '--out-nmea', p('no-such-dir/g.nmea')));
    expect(g.err).toMatch(/^mibc-ais pkg group-key: PKG_OUTPUT: cannot write .*no-such-dir\/g\.nmea: ENOENT/);
    expect(() => statSync(p('gk-ok.json'))).toThrow(); // both files or none
    expect(await entries()).toBe(before);
  });

  it('a file-system failure outside the outputs is one line too (setup under a file), not a stack trace', async () => {
    writeFileSync(p('plain-file'), 'x');
    const r = await pkg(['setup', '--dir', p('plain-file/pkg'), '--passphrase-file', passFile, '--scrypt-log-n', '14']);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^mibc-ais pkg setup: ENOTDIR: .*plain-file\/pkg'\n$/);
  });

  it('refuses MMSIs of no issued form (12345) and IMO numbers with a wrong check digit (9074728)', async () => {
    const mmsi = await pkg(withPass('extract', '--mmsi', '12345', '--epoch', '692', '--out', p('bad1.json')));
    expect(mmsi.status).toBe(1);
    expect(mmsi.err).toMatch(/PKG_INPUT: --mmsi: 000012345 is not an MMSI this authority issues/);
    const imo = await pkg(withPass('extract', '--mmsi', '237000005', '--mrn', 'urn:mrn:mcp:vessel:gr:imo:9074728', '--epoch', '692', '--out', p('bad2.json')));
    expect(imo.status).toBe(1);
    expect(imo.err).toMatch(/PKG_INPUT: --mrn: .*check digit/);
  });
});

describe('mibc-ais pkg (the installed entry point)', () => {
  const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
    run('npx', ['tsx', 'cli/main.ts', 'pkg', ...args], { encoding: 'utf8', env: { ...process.env, ...extraEnv } }).then(
      (r) => ({ ...r, status: 0 }),
      (e: { stdout: string; stderr: string; code: number }) => ({ stdout: e.stdout, stderr: e.stderr, status: e.code }),
    );

  it('reads the passphrase from MIBC_PKG_PASSPHRASE and never prints it or a secret', async () => {
    const r = await cli(['audit', '--dir', dir], { MIBC_PKG_PASSPHRASE: PASS });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ command: 'audit', verified: true });
    expect(r.stdout + r.stderr).not.toContain(PASS);
  });

  it('wrong passphrase: exit status 1 and PKG_PASSPHRASE_WRONG on stderr', async () => {
    writeFileSync(p('wrong'), 'a wrong but long passphrase\n');
    const r = await cli(['audit', '--dir', dir, '--passphrase-file', p('wrong')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^mibc-ais pkg audit: PKG_PASSPHRASE_WRONG/m);
    expect(r.stdout).toBe('');
  });

  it('tampered register: exit status 1 and PKG_REGISTER_TAMPERED', async () => {
    const copy = p('copy');
    cpSync(dir, copy, { recursive: true });
    const reg = join(copy, 'register.jsonl');
    writeFileSync(reg, readFileSync(reg, 'utf8').replace(`"keyId":${groupKeyId}`, `"keyId":${groupKeyId ^ 4}`));
    const r = await cli(['audit', '--dir', copy, '--passphrase-file', passFile]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/PKG_REGISTER_TAMPERED/);
  });

  it('register cut back to an older copy: exit status 1 and PKG_REGISTER_ROLLED_BACK, for audit and for issuing', async () => {
    const copy = p('copy3');
    cpSync(dir, copy, { recursive: true });
    const reg = join(copy, 'register.jsonl');
    writeFileSync(reg, `${readFileSync(reg, 'utf8').trimEnd().split('\n').slice(0, -2).join('\n')}\n`);
    for (const args of [['audit'], ['extract', '--mmsi', '237000001', '--epoch', '692', '--out', p('cut.json')]]) {
      const r = await cli([...args, '--dir', copy, '--passphrase-file', passFile]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^mibc-ais pkg ${args[0]}: PKG_REGISTER_ROLLED_BACK`, 'm'));
    }
  });

  it('corrupt vault: exit status 1 and PKG_VAULT_CORRUPT', async () => {
    const copy = p('copy2');
    cpSync(dir, copy, { recursive: true });
    writeFileSync(join(copy, 'vault.json'), '{"format":"mibc-ais-pkg-vault"');
    const r = await cli(['audit', '--dir', copy, '--passphrase-file', passFile]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/PKG_VAULT_CORRUPT/);
  });
});
