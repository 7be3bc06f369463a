/**
 * `mibc-ais secom serve-authority` and the option values of the secom commands: the catalogue is built from the PKG
 * directory and its register (public parameters, authority file, SECOM root, revocations), credentials come only
 * from files (a world-readable key or passphrase is refused, the environment is never read), and every bad option
 * value is one InvalidArgumentError naming its range.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { bytesToHex } from '@noble/hashes/utils.js';
import { InvalidArgumentError } from 'commander';
import { pkgCommand } from '../../cli/pkg.js';
import { deviceKeyFromSecret } from '../../firmware/permit/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secomCommand } from '../../cli/secom.js';
import { checkGroupMember, createRoot, decideRenewal, issueLeaf, issueTlsServer, openPayload, RENEWAL_REQUEST_FORMAT, renewalRequestSchema, secomRequest, verifyHex, type SecomIdentity } from '../../provisioning/secom/index.js';
import { makePkgDir, PASSPHRASE, type PkgDir } from './_pkg-dir.js';

const DAY = 86_400_000;
const validity = { notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 30 * DAY) };
const REVOKED = 'urn:mrn:mcp:vessel:gr:mmsi:237000099';

let pkgDir: PkgDir;
let files: Record<string, string>;
let authorityRoot: SecomIdentity;
let authority: SecomIdentity;

beforeAll(async () => {
  pkgDir = await makePkgDir('secom cli');
  const pkg = await pkgDir.open();
  await pkg.extract({ kind: 'mmsi', mmsi: 237_000_099, mrn: REVOKED }, pkg.currentEpoch(), 1);
  await pkg.revoke(REVOKED, 'appliance reported stolen');
  await pkg.close();
  authorityRoot = await createRoot({ mrn: 'urn:mrn:mcp:org:gr:pkg', commonName: 'PKG SECOM root', ...validity });
  authority = await issueLeaf({ mrn: 'urn:mrn:mcp:service:gr:pkg:secom', commonName: 'PKG SECOM service', ...validity }, authorityRoot);
  const tls = await issueTlsServer({ mrn: 'urn:mrn:mcp:service:gr:pkg:secom', commonName: 'localhost', ips: ['127.0.0.1'], ...validity }, authorityRoot);
  const fleet = await createRoot({ mrn: 'urn:mrn:mcp:org:gr:fleet-idp', commonName: 'Fleet', ...validity });
  const file = (name: string, text: string, mode = 0o644) => {
    const path = join(pkgDir.root, name);
    writeFileSync(path, text, { mode });
    return path;
  };
  mkdirSync(join(pkgDir.root, 'credentials'), { mode: 0o700 });
  files = {
    root: file('root.pem', authorityRoot.certificate.toString('pem')),
    cert: file('cert.pem', authority.certificate.toString('pem')),
    key: file('key.pem', authority.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600),
    keyOpen: file('key-open.pem', authority.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o644),
    tlsCert: file('tls.pem', tls.cert),
    tlsKey: file('tls-key.pem', tls.key, 0o600),
    fleet: file('fleet.pem', fleet.certificate.toString('pem')),
    passOpen: file('pass-open', `${PASSPHRASE}\n`, 0o644),
    credentials: join(pkgDir.root, 'credentials'),
  };
  writeFileSync(join(files.credentials!, 'pkg-passphrase'), `${PASSPHRASE}\n`, { mode: 0o600 });
}, 120_000);

afterAll(() => pkgDir?.remove());

const serveArgs = (extra: string[] = [], key = files.key!) => [
  'serve-authority', '--dir', pkgDir.dir, '--listen', '127.0.0.1:0', '--tls-cert', files.tlsCert!, '--tls-key', files.tlsKey!,
  '--cert', files.cert!, '--key', key, '--cert-root', files.root!, '--trust', files.fleet!, '--consumer-ca', files.fleet!, ...extra,
];

async function serve(args: string[], credentialsDirectory: string | undefined, whileUp?: (url: string) => Promise<void>): Promise<{ out: string[]; err: string[]; exitCode: number | undefined }> {
  const out: string[] = [];
  const err: string[] = [];
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  let up!: (url: string) => void;
  const listening = new Promise<string>((r) => (up = r));
  const before = process.exitCode;
  process.exitCode = undefined;
  const done = secomCommand({
    out: (l) => {
      out.push(l);
      const url = (JSON.parse(l) as { url?: string }).url;
      if (url !== undefined) up(url);
    },
    err: (l) => err.push(l),
    stopped: () => stopped,
    credentialsDirectory,
  }).parseAsync(args, { from: 'user' });
  if (whileUp !== undefined) {
    const url = await Promise.race([listening, done.then(() => undefined)]);
    if (url !== undefined) await whileUp(url).finally(stop);
  }
  stop();
  await done;
  const exitCode = process.exitCode as number | undefined;
  process.exitCode = before;
  return { out, err, exitCode };
}

describe('secom serve-authority', () => {
  it('serves the catalogue built from the PKG directory and register, data-signed, and stops on request', async () => {
    const ca = authorityRoot.certificate.toString('pem');
    const r = await serve(serveArgs(), files.credentials, async (url) => {
      const summary = await secomRequest(`${url}/v1/object/summary`, { method: 'GET', ca });
      const items = (summary.body as { summaryObject: { dataReference: string; info_name: string }[] }).summaryObject;
      expect(items.map((i) => i.info_name)).toEqual(['params.json', 'authority.json', 'secom-root.pem', 'revocations.json']);
      const get = async (name: string) => {
        const ref = items.find((i) => i.info_name === name)!.dataReference;
        const got = await secomRequest(`${url}/v1/object?dataReference=${ref}`, { method: 'GET', ca });
        const o = (got.body as { dataResponseObject: { data: string; exchangeMetadata: { compressionFlag: boolean; digitalSignatureValue: { digitalSignature: string } } }[] }).dataResponseObject[0]!;
        const bytes = openPayload(o.data, o.exchangeMetadata.compressionFlag);
        expect(verifyHex(bytes, o.exchangeMetadata.digitalSignatureValue.digitalSignature, authority.certificate)).toBe(true);
        return new TextDecoder().decode(bytes);
      };
      expect(await get('params.json')).toBe(readFileSync(join(pkgDir.dir, 'params.json'), 'utf8'));
      expect(await get('authority.json')).toBe(readFileSync(join(pkgDir.dir, 'authority.json'), 'utf8'));
      expect(JSON.parse(await get('revocations.json'))).toMatchObject({ format: 'mibc-ais-revocations', revoked: [REVOKED] });
      const cap = await secomRequest(`${url}/v1/capability`, { method: 'GET', ca });
      expect(cap.body).toMatchObject({ capability: [{ implementedInterfaces: { access: true, subscription: false } }] });
    });
    expect(r.err).toEqual([]);
    expect(JSON.parse(r.out[0]!)).toMatchObject({ command: 'serve-authority', catalogue: ['params.json', 'authority.json', 'secom-root.pem', 'revocations.json'] });
    expect(JSON.parse(r.out.at(-1)!)).toMatchObject({ command: 'serve-authority', stopped: true });
    // The lock is released: the PKG opens again.
    await (await pkgDir.open()).close();
  });

  it('takes the passphrase from a file or the credential directory only, never from the environment', async () => {
    process.env['MIBC_PKG_PASSPHRASE'] = PASSPHRASE;
    try {
      const r = await serve(serveArgs(), undefined);
      expect(r.exitCode).toBe(1);
      expect(r.err.join('\n')).toMatch(/give --passphrase-file FILE or run under systemd with LoadCredential=pkg-passphrase/);
    } finally {
      delete process.env['MIBC_PKG_PASSPHRASE'];
    }
    const open = await serve(serveArgs(['--passphrase-file', files.passOpen!]), undefined);
    expect(open.exitCode).toBe(1);
    expect(open.err.join('\n')).toMatch(/readable by others .* it must be 0600/);
  });

  it('refuses a private key readable by others, and opens nothing', async () => {
    const r = await serve(serveArgs([], files.keyOpen), files.credentials);
    expect(r.exitCode).toBe(1);
    expect(r.err.join('\n')).toMatch(/key-open\.pem is readable by others/);
    await (await pkgDir.open()).close();
  });
});

describe('secom option values', () => {
  const parse = (args: string[]) => {
    const cmd = secomCommand({ out: () => undefined, err: () => undefined });
    cmd.exitOverride();
    for (const sub of cmd.commands) sub.exitOverride().configureOutput({ writeErr: () => undefined });
    return cmd.parseAsync(args, { from: 'user' });
  };
  it.each([
    [['serve-authority', '--listen', '127.0.0.1:70000'], /--listen must be HOST:PORT .*port 0\.\.65535/],
    [['serve-authority', '--listen', '300.1.1.1:80'], /--listen must be HOST:PORT/],
    [['serve-authority', '--rate', '0'], /--rate must be an integer 1\.\.10000/],
    [['serve-authority', '--hand-out', '70000=x.nmea'], /--hand-out must be GROUP=FILE with GROUP 0\.\.65535/],
    [['renew', '--authority', 'http://pkg.example'], /--authority must be an https URL/],
    [['renew', '--mmsi', '12345'], /--mmsi must be an integer 100000000\.\.999999999/],
    [['renew', '--wait-seconds', '0'], /--wait-seconds must be an integer 1\.\.3600/],
    [['renew', '--epoch', '-1'], /--epoch must be an integer 0\.\.4294967295/],
    [['renew', '--callback', 'https://u:p@vessel.example'], /--callback must be an https URL without credentials/],
    [['renew', '--notify-pid', 'abc'], /--notify-pid must be an integer 1\.\.4194304/],
  ])('%j is refused with its range', async (args, message) => {
    const error = await parse(args).then(() => undefined, (e: unknown) => e);
    expect(String((error as Error | undefined)?.message)).toMatch(message);
    expect((error as { code?: string }).code).toBe('commander.invalidArgument');
  });

  it('parses good values', () => {
    const opt = (sub: string, long: string) => secomCommand().commands.find((c) => c.name() === sub)!.options.find((x) => x.long === long)!;
    expect(opt('serve-authority', '--listen').parseArg!('[::1]:8443', undefined)).toEqual({ host: '::1', port: 8443 });
    expect(opt('renew', '--authority').parseArg!('https://secom.pkg.example:8443/', undefined)).toBe('https://secom.pkg.example:8443');
    expect(() => opt('renew', '--mmsi').parseArg!('1e9', undefined)).toThrow(InvalidArgumentError);
  });
});

describe('pkg revoke', () => {
  it('revokes a vessel MRN in any case variant: renewal and subscription refuse the canonical form, and the list shows it', async () => {
    const mrn = 'urn:mrn:mcp:vessel:gr:mmsi:237000098';
    const device = deviceKeyFromSecret(new Uint8Array(32).fill(0x98));
    let pkg = await pkgDir.open();
    const keys = await pkg.extract({ kind: 'mmsi', mmsi: 237_000_098, mrn }, pkg.currentEpoch(), 1);
    await pkg.permit(device.publicKey, [keys]);
    await pkg.groupKey({ to: [237_000_098], hours: 4, group: 7 });
    const request = renewalRequestSchema.parse({ format: RENEWAL_REQUEST_FORMAT, version: 2, mmsi: 237_000_098, devicePublicKey: bytesToHex(device.publicKey), epoch: pkg.currentEpoch(), callbackEndpoint: 'https://127.0.0.1:9' });
    expect(checkGroupMember(pkg, mrn, 7)).toMatchObject({ mmsi: 237_000_098 });
    await pkg.close();

    const r = { out: '', err: '', status: 0 };
    const sink = (k: 'out' | 'err') => new Writable({ write: (c: Buffer, _e, cb) => ((r[k] += c.toString()), cb()) });
    const passFile = join(files.credentials!, 'pkg-passphrase');
    const io = { env: pkgDir.env, getenv: () => undefined, out: sink('out'), err: sink('err'), openCard: () => Promise.reject(new Error('no card')), fail: (s: number) => void (r.status = s) };
    await pkgCommand(io).parseAsync(['revoke', '--dir', pkgDir.dir, '--passphrase-file', passFile, '--mrn', 'URN:MRN:MCP:VESSEL:GR:MMSI:237000098', '--reason', 'appliance reported stolen'], { from: 'user' });
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toMatchObject({ command: 'revoke', mrn });

    pkg = await pkgDir.open();
    try {
      const permits = pkg.register.entries.filter((e) => e.type === 'permit').length;
      await expect(decideRenewal(pkg, mrn, request)).rejects.toMatchObject({ reason: 'REVOKED' });
      expect(() => checkGroupMember(pkg, mrn, 7)).toThrow(/revoked/);
      expect(pkg.register.entries.filter((e) => e.type === 'permit').length).toBe(permits);
      expect([...pkg.register.revokedMrns]).toContain(mrn);
    } finally {
      await pkg.close();
    }
    const bad = { ...r, err: '' };
    const io2 = { ...io, err: new Writable({ write: (c: Buffer, _e, cb) => ((bad.err += c.toString()), cb()) }) };
    await pkgCommand(io2).parseAsync(['revoke', '--dir', pkgDir.dir, '--passphrase-file', passFile, '--mrn', 'urn:mrn:mcp:user:gr:alice', '--reason', 'x'], { from: 'user' });
    expect(bad.err).toMatch(/PKG_INPUT: --mrn: .*not an MCP vessel MRN/);
  });

  it('a revoke entry written in another case of the MRN still revokes the vessel (registers compare binding forms)', async () => {
    const mrn = 'urn:mrn:mcp:vessel:gr:mmsi:237000097';
    const device = deviceKeyFromSecret(new Uint8Array(32).fill(0x97));
    const pkg = await pkgDir.open();
    try {
      const keys = await pkg.extract({ kind: 'mmsi', mmsi: 237_000_097, mrn }, pkg.currentEpoch(), 1);
      await pkg.permit(device.publicKey, [keys]);
      await pkg.revoke('URN:MRN:MCP:VESSEL:GR:MMSI:237000097', 'written by an older tool');
      const request = renewalRequestSchema.parse({ format: RENEWAL_REQUEST_FORMAT, version: 2, mmsi: 237_000_097, devicePublicKey: bytesToHex(device.publicKey), epoch: pkg.currentEpoch(), callbackEndpoint: 'https://127.0.0.1:9' });
      await expect(decideRenewal(pkg, mrn, request)).rejects.toMatchObject({ reason: 'REVOKED' });
    } finally {
      await pkg.close();
    }
  });
});
