/**
 * Key renewal at sea, end to end on loopback TLS (in one process; test/provisioning/secom-processes.test.ts runs the
 * two sides as separate processes): an appliance whose permit holds only the current epoch's key, two minutes before
 * the epoch ends; the vessel side asks the authority's SECOM service for renewal, receives the permit's upload on its
 * own SECOM server (authority's signatures checked there), hands the permit over (written atomically where the daemon's keys.permit
 * points, then a reload), waits for the daemon to install it and acknowledges *opened*. Signing then continues across
 * the epoch boundary, every report shown `V` by a receiver holding only the public parameters.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimAppliance, type SimAppliance } from '../../bench/secom/sim-appliance.js';
import { INSTALLED_KEYS_NAME } from '../../cli/run-pipeline.js';
import { secomCommand } from '../../cli/secom.js';
import type { Daemon } from '../../firmware/daemon/index.js';
import { epochOf } from '../../firmware/epoch.js';
import { decodeKeySet, deviceKeyFromSecret } from '../../firmware/permit/index.js';
import { FakeClock, FileKeyStore } from '../../hal/index.js';
import type { Pkg } from '../../provisioning/pkg/index.js';
import { createRoot, decideRenewal, issueLeaf, issueTlsServer, renewPermit, startSecomService, startVesselServer, type SecomService } from '../../provisioning/secom/index.js';
import { makePkgDir, type PkgDir } from './_pkg-dir.js';

const MMSI = 237_000_061;
const MRN = 'urn:mrn:mcp:vessel:gr:mmsi:237000061';
const DAY = 86_400_000;
const validity = { notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + DAY) };

let pkgDir: PkgDir;
let pkg: Pkg;
let service: SecomService;
let daemon: Daemon;
let appliance: string;

afterAll(async () => {
  await daemon?.stop();
  await service?.close();
  await pkg?.close();
  pkgDir?.remove();
});

describe('key renewal through SECOM, across an epoch boundary', () => {
  let clock: FakeClock;
  let signedAtReceiver: SimAppliance['signedAtReceiver'];
  let epochEndMs: number;
  const device = deviceKeyFromSecret(new Uint8Array(32).fill(0x61));

  beforeAll(async () => {
    pkgDir = await makePkgDir('secom renewal');
    const params = JSON.parse(readFileSync(join(pkgDir.dir, 'params.json'), 'utf8')) as { epochSeconds: number };
    // Two minutes before the current epoch ends.
    const epoch = epochOf(Math.floor(pkgDir.env.now() / 1000), params.epochSeconds);
    epochEndMs = (epoch + 1) * params.epochSeconds * 1000;
    pkgDir.env.set(epochEndMs - 120_000);
    pkg = await pkgDir.open();
    appliance = mkdtempSync(join(pkgDir.root, 'appliance-'));
    const deviceKey = join(appliance, 'device-secret.json');
    mkdirSync(join(appliance, 'state'), { mode: 0o700 });
    writeFileSync(deviceKey, JSON.stringify({ format: 'mibc-ais-device-secret', version: 1, secretKey: bytesToHex(new Uint8Array(32).fill(0x61)) }), { mode: 0o600 });
    // Provisioned by card earlier: the current epoch's key only.
    const keys = await pkg.extract({ kind: 'mmsi', mmsi: MMSI, mrn: MRN }, pkg.currentEpoch(), 1);
    writeFileSync(join(appliance, 'keys.permit'), await pkg.permit(device.publicKey, [keys]), { mode: 0o600 });

    clock = new FakeClock(epochEndMs - 120_000);
    const sim = await startSimAppliance({
      mmsi: MMSI, clock, pkgDir: pkgDir.dir, permit: join(appliance, 'keys.permit'), deviceKey, stateDir: join(appliance, 'state'),
    });
    daemon = sim.daemon;
    signedAtReceiver = sim.signedAtReceiver;

    const authorityRoot = await createRoot({ mrn: 'urn:mrn:mcp:org:gr:pkg', commonName: 'PKG SECOM root', ...validity });
    const authority = await issueLeaf({ mrn: 'urn:mrn:mcp:service:gr:pkg:secom', commonName: 'PKG SECOM service', ...validity }, authorityRoot);
    const tls = await issueTlsServer({ mrn: 'urn:mrn:mcp:service:gr:pkg:secom', commonName: 'localhost', ips: ['127.0.0.1'], ...validity }, authorityRoot);
    fleetRoot = await createRoot({ mrn: 'urn:mrn:mcp:org:gr:fleet-idp', commonName: 'Fleet IdP', ...validity });
    vessel = await issueLeaf({ mrn: MRN, commonName: 'MV Renewal', ...validity }, fleetRoot);
    authorityRootCert = authorityRoot;
    service = await startSecomService({
      tls, identity: authority, identityRoot: authorityRoot.certificate, trustedRoots: [fleetRoot.certificate],
      record: (r) => pkg.recordSecom(r), catalogue: () => [],
      renewal: { decide: (mrn, request) => decideRenewal(pkg, mrn, request), consumerCa: fleetRoot.certificate.toString('pem') },
    });
    vesselTls = await issueTlsServer({ mrn: MRN, commonName: 'localhost', ips: ['127.0.0.1'], ...validity }, fleetRoot);
  }, 120_000);

  let fleetRoot: Awaited<ReturnType<typeof createRoot>>;
  let vessel: Awaited<ReturnType<typeof issueLeaf>>;
  let authorityRootCert: Awaited<ReturnType<typeof createRoot>>;
  let vesselTls: { cert: string; key: string };

  it('renews before the boundary, acknowledges opened once installed, and signs on across the boundary', async () => {
    clock.advance(1_000);
    expect(await signedAtReceiver(100)).toEqual(['V']);
    expect(daemon.alarms.has('KEY_EXPIRES_SOON')).toBe(true);

    const stateDir = join(appliance, 'state');
    const server = await startVesselServer({ tls: vesselTls, authorityRoot: authorityRootCert.certificate, devicePublicKey: device.publicKey });
    const steps: string[] = [];
    const outcome = await renewPermit({
      authorityUrl: service.url,
      ca: authorityRootCert.certificate.toString('pem'),
      server,
      callbackEndpoint: server.url,
      onStep: (step) => steps.push(step),
      signer: { certificate: vessel.certificate, privateKey: vessel.privateKey, root: fleetRoot.certificate },
      mmsi: MMSI,
      devicePublicKey: device.publicKey,
      epoch: pkg.currentEpoch(),
      handOver: async (permit) => {
        const staged = join(appliance, 'keys.permit.new');
        writeFileSync(staged, permit, { mode: 0o600 });
        renameSync(staged, join(appliance, 'keys.permit'));
        await daemon.reloadKeys('permit');
      },
      installed: async (issuerId, sequence) => (decodeKeySet(await new FileKeyStore(stateDir).read(INSTALLED_KEYS_NAME)).sequences[issuerId] ?? 0) >= sequence,
      pollMs: 50,
    }).finally(() => server.close());
    expect(outcome).toMatchObject({ installed: true, sequence: 2 });
    expect(steps).toEqual(['access-request', 'decision', 'permit-upload-received', 'ack-delivered', 'handed-over', 'installed', 'ack-opened']);
    await service.idle();
    const codes = pkg.register.entries.filter((e) => e.type === 'secom').map((e) => (e.type === 'secom' ? `${e.data.action}:${e.data.code}` : ''));
    // The upload's own record and the vessel's delivered acknowledgement race; the rest is in order.
    expect(codes.filter((c) => c !== 'permit-upload:SENT')).toEqual(['renewal:GRANTED', 'access-notification:SENT', 'acknowledgement:DELIVERED', 'acknowledgement:OPENED']);
    expect(codes.indexOf('permit-upload:SENT')).toBeGreaterThan(codes.indexOf('access-notification:SENT'));

    // Across the boundary: one report each 30 s from 60 s before it to 90 s after it, every one verified.
    const results: string[][] = [];
    clock.advance(epochEndMs - 60_000 - clock.utcNow());
    for (let t = 0; t < 6; t++) {
      results.push(await signedAtReceiver(101 + t));
      clock.advance(30_000);
    }
    expect(clock.utcNow()).toBeGreaterThan(epochEndMs);
    expect(results).toEqual(Array(6).fill(['V']));
    expect(daemon.status().counters.shipBypassed).toMatchObject({ latency: 0, 'input-queue-full': 0, degraded: 0, 'pipeline-error': 0 });
  });

  it('`mibc-ais secom renew` does the same from files: permit written atomically, daemon notified, opened acknowledged', async () => {
    pkgDir.env.set(clock.utcNow()); // the authority's clock, now in the new epoch
    const pem = (name: string, text: string, mode = 0o644) => {
      const path = join(appliance, name);
      writeFileSync(path, text, { mode });
      return path;
    };
    const args = [
      'renew', '--authority', service.url,
      '--ca', pem('authority-ca.pem', authorityRootCert.certificate.toString('pem')),
      '--authority-root', pem('authority-root.pem', authorityRootCert.certificate.toString('pem')),
      '--cert', pem('vessel.pem', vessel.certificate.toString('pem')),
      '--key', pem('vessel-key.pem', vessel.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600),
      '--cert-root', pem('fleet-root.pem', fleetRoot.certificate.toString('pem')),
      '--mmsi', String(MMSI),
      '--device-key', pem('device-key.json', JSON.stringify({ format: 'mibc-ais-device-key', version: 1, publicKey: bytesToHex(device.publicKey) })),
      '--params', join(pkgDir.dir, 'params.json'),
      '--permit-out', join(appliance, 'keys.permit'),
      '--state-dir', join(appliance, 'state'),
      '--epoch', String(pkg.currentEpoch()),
      '--wait-seconds', '60',
      '--listen', '127.0.0.1:0',
      '--tls-cert', pem('vessel-tls.pem', vesselTls.cert),
      '--tls-key', pem('vessel-tls-key.pem', vesselTls.key, 0o600),
      '--quiet',
    ];
    const out: string[] = [];
    const err: string[] = [];
    await secomCommand({ out: (l) => out.push(l), err: (l) => err.push(l), notify: async () => void (await daemon.reloadKeys('permit')) }).parseAsync(args, { from: 'user' });
    expect(err).toEqual([]);
    expect(JSON.parse(out[0]!)).toMatchObject({ command: 'renew', installed: true, sequence: 3 });
    await service.idle();
    expect(pkg.register.entries.filter((e) => e.type === 'secom').slice(-5).map((e) => (e.type === 'secom' ? e.data.code : '')).filter((c) => c !== 'SENT')).toEqual(['GRANTED', 'DELIVERED', 'OPENED']);
    clock.advance(1_000);
    expect(await signedAtReceiver(120)).toEqual(['V']);
  });
});
