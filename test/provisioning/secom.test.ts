/**
 * The authority's SECOM service on loopback HTTPS: catalogue, capability and ping; signed security reports in; and
 * every hostile upload refused with its SECOM response code and reason, recorded in the PKG register, and not
 * accepted (the report handler never sees it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { zipSync } from 'fflate';
import { decodePermitFile, deviceKeyFromSecret, EMPTY_KEY_SET, installPermit } from '../../firmware/permit/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkGroupMember, decideRenewal, GROUP_SUBSCRIPTION_FORMAT, openPayload, type GroupHandOut, RENEWAL_REQUEST_FORMAT, verifyHex,
  createRoot, issueLeaf, issueTlsServer, newTransactionId, sealPayload, secomRequest, signUpload, startSecomService, startVesselServer,
  SECURITY_REPORT_FORMAT, type SecomIdentity, type SecomService, type SecurityReport, type UploadObject, type VesselServer, type VesselServerEvent,
} from '../../provisioning/secom/index.js';
import type { Pkg } from '../../provisioning/pkg/index.js';
import { makePkgDir, type PkgDir } from './_pkg-dir.js';

const DAY = 86_400_000;
const T0 = Date.now();
const validity = { notBefore: new Date(T0 - DAY), notAfter: new Date(T0 + 30 * DAY) };

let pkgDir: PkgDir;
let pkg: Pkg;
let service: SecomService;
let fleetRoot: SecomIdentity;
let vessel: SecomIdentity;
let ca: string;
let authorityLeaf: SecomIdentity;
let authorityRoot: SecomIdentity;
let vesselServer: VesselServer;
const vesselEvents: VesselServerEvent[] = [];
const VESSEL_MMSI = 237_000_001;
const VESSEL_MRN = 'urn:mrn:mcp:vessel:gr:mmsi:237000001';
const device = deviceKeyFromSecret(new Uint8Array(32).fill(0x42));
const handOuts = new Map<number, GroupHandOut>();
const received: { report: SecurityReport; from: string }[] = [];

beforeAll(async () => {
  pkgDir = await makePkgDir('secom');
  pkg = await pkgDir.open();
  authorityRoot = await createRoot({ mrn: 'urn:mrn:mcp:org:gr:pkg', commonName: 'PKG SECOM root', ...validity });
  const authority = await issueLeaf({ mrn: 'urn:mrn:mcp:service:gr:pkg:secom', commonName: 'PKG SECOM service', ...validity }, authorityRoot);
  const tls = await issueTlsServer({ mrn: 'urn:mrn:mcp:service:gr:pkg:secom', commonName: 'localhost', ips: ['127.0.0.1'], ...validity }, authorityRoot);
  ca = authorityRoot.certificate.toString('pem');
  fleetRoot = await createRoot({ mrn: 'urn:mrn:mcp:org:gr:fleet-idp', commonName: 'Fleet identity provider', ...validity });
  vessel = await issueLeaf({ mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000001', commonName: 'MV Example', ...validity }, fleetRoot);
  // The vessel as provisioned by card: its MRN bound to its MMSI, a first permit for its appliance.
  const keys = await pkg.extract({ kind: 'mmsi', mmsi: VESSEL_MMSI, mrn: VESSEL_MRN }, pkg.currentEpoch(), 1);
  await pkg.permit(device.publicKey, [keys]);
  authorityLeaf = authority;
  // Group 3's key, named for this vessel and another; the authority keeps its hand-out for subscribers.
  const g = await pkg.groupKey({ to: [VESSEL_MMSI, 237_000_005], hours: 4, group: 3 });
  handOuts.set(3, { groupId: 3, keyId: g.keys.keys[0]!.keyId, lines: g.lines });
  service = await startSecomService({
    tls,
    identity: authority,
    identityRoot: authorityRoot.certificate,
    trustedRoots: [fleetRoot.certificate],
    record: (r) => pkg.recordSecom(r),
    catalogue: () => [
      { dataReference: '11111111-2222-4333-8444-555555555555', name: 'params.json', description: 'public parameters', bytes: new TextEncoder().encode('{"format":"mibc-ais-params"}'), lastModifiedMs: T0 },
    ],
    onReport: (report, from) => received.push({ report, from }),
    renewal: { decide: (mrn, request) => decideRenewal(pkg, mrn, request), consumerCa: fleetRoot.certificate.toString('pem') },
    groups: { member: (mrn, groupId) => checkGroupMember(pkg, mrn, groupId), handOut: (groupId) => handOuts.get(groupId) },
    rate: { perSecond: 1000, burst: 1000 },
    maxPayloadBytes: 64 * 1024,
  });
  // The vessel operator's SECOM server, its TLS certificate under the CA the authority trusts for consumers.
  const vesselTls = await issueTlsServer({ mrn: VESSEL_MRN, commonName: 'localhost', ips: ['127.0.0.1'], ...validity }, fleetRoot);
  vesselServer = await startVesselServer({
    tls: vesselTls, authorityRoot: authorityRoot.certificate, devicePublicKey: device.publicKey, onEvent: (e) => vesselEvents.push(e), rate: { perSecond: 1000, burst: 1000 },
  });
}, 120_000);

afterAll(async () => {
  await vesselServer?.close();
  await service?.close();
  await pkg?.close();
  pkgDir?.remove();
});

const report = (n = 2): SecurityReport => ({
  format: SECURITY_REPORT_FORMAT, version: 1, station: '237000001', from: Math.floor(T0 / 1000) - 60, to: Math.floor(T0 / 1000),
  events: Array.from({ length: n }, (_, i) => ({ at: Math.floor(T0 / 1000) - i, code: 'BAD_SIGNATURE', source: 237_999_000 + i, count: 1 })),
});

function upload(options: { bytes?: Uint8Array; signer?: SecomIdentity; dataSigner?: SecomIdentity; root?: SecomIdentity; at?: number; tx?: string; compress?: boolean } = {}): UploadObject {
  const root = options.root ?? fleetRoot;
  const signer = { certificate: (options.signer ?? vessel).certificate, privateKey: (options.signer ?? vessel).privateKey, root: root.certificate };
  const dataSigner = options.dataSigner === undefined ? signer : { certificate: options.dataSigner.certificate, privateKey: options.dataSigner.privateKey, root: root.certificate };
  const sealed = sealPayload(options.bytes ?? new TextEncoder().encode(JSON.stringify(report())), dataSigner, options.compress ?? true);
  return signUpload(
    { data: sealed.data, containerType: 2, dataProductType: 'OTHER', exchangeMetadata: sealed.exchangeMetadata, fromSubscription: false, ackRequest: 0, transactionIdentifier: options.tx ?? newTransactionId() },
    signer,
    options.at ?? Date.now(),
  );
}

const post = (body: unknown, path = '/v1/object') => secomRequest(`${service.url}${path}`, { method: 'POST', ca, body });
const lastEntry = () => pkg.register.entries.at(-1)!;

async function refused(body: unknown, reason: string, secom: number, status: number, path = '/v1/object'): Promise<void> {
  const before = received.length;
  const entries = pkg.register.entries.length;
  const r = await post(body, path);
  expect(r).toMatchObject({ status, body: { SECOM_ResponseCode: secom, reason } });
  expect(received.length).toBe(before);
  expect(pkg.register.entries.length).toBe(entries + 1);
  expect(lastEntry()).toMatchObject({ type: 'secom', data: { code: reason } });
}

describe('SECOM service: catalogue', () => {
  it('answers ping, capability, summary and a data-signed Get', async () => {
    expect((await secomRequest(`${service.url}/v1/ping`, { method: 'GET', ca })).status).toBe(200);
    const cap = await secomRequest(`${service.url}/v1/capability`, { method: 'GET', ca });
    expect(cap.body).toMatchObject({ capability: [{ dataProductType: 'OTHER', implementedInterfaces: { upload: true, get: true } }] });
    const summary = await secomRequest(`${service.url}/v1/object/summary`, { method: 'GET', ca });
    expect(summary.body).toMatchObject({ summaryObject: [{ info_name: 'params.json', info_status: 'present' }], pagination: { totalItems: 1 } });
    const got = await secomRequest(`${service.url}/v1/object?dataReference=11111111-2222-4333-8444-555555555555`, { method: 'GET', ca });
    const item = (got.body as { dataResponseObject: { data: string; exchangeMetadata: { digitalSignatureValue: { digitalSignature: string } } }[] }).dataResponseObject[0]!;
    expect(Buffer.from(item.data, 'base64').toString()).toBe('{"format":"mibc-ais-params"}');
    expect(item.exchangeMetadata.digitalSignatureValue.digitalSignature).toMatch(/^[0-9a-f]+$/);
    expect((await secomRequest(`${service.url}/v1/object?dataReference=00000000-0000-4000-8000-000000000000`, { method: 'GET', ca })).status).toBe(404);
  });
});

describe('SECOM service: reports in', () => {
  it('accepts a signed, compressed report and records it', async () => {
    const body = upload();
    const r = await post(body);
    expect(r).toMatchObject({ status: 200, body: { responseText: 'accepted', transactionIdentifier: body.envelope.transactionIdentifier } });
    expect(received.at(-1)).toMatchObject({ from: 'urn:mrn:mcp:vessel:gr:mmsi:237000001', report: { station: '237000001' } });
    expect(lastEntry()).toMatchObject({ type: 'secom', data: { action: 'report-in', code: 'ACCEPTED', transactionId: body.envelope.transactionIdentifier, peer: 'urn:mrn:mcp:vessel:gr:mmsi:237000001' } });
  });

  it('records concurrent uploads one after another, each chained in the register', async () => {
    const entries = pkg.register.entries.length;
    const replies = await Promise.all(Array.from({ length: 8 }, () => post(upload())));
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
    const reopened = await (async () => {
      await pkg.close();
      pkg = await pkgDir.open(); // replays and verifies the whole chain
      return pkg.register.entries.length;
    })();
    expect(reopened).toBe(entries + 8);
  });

  it('refuses a replayed upload (same transaction id)', async () => {
    const body = upload();
    expect((await post(body)).status).toBe(200);
    await refused(body, 'REPLAY', 1, 409);
  });

  it('refuses a bad envelope signature', async () => {
    const body = upload();
    body.envelope.fromSubscription = true; // any signed field changed after signing
    await refused(body, 'ENVELOPE_SIGNATURE', 1, 403);
  });

  it('refuses a bad data signature (payload swapped, envelope re-signed by the sender)', async () => {
    const good = upload();
    const other = upload({ bytes: new TextEncoder().encode(JSON.stringify(report(3))) });
    const signer = { certificate: vessel.certificate, privateKey: vessel.privateKey, root: fleetRoot.certificate };
    const { envelopeSignatureCertificate: _c, envelopeRootCertificateThumbprint: _t, envelopeSignatureTime: _s, ...fields } = good.envelope;
    const body = signUpload({ ...fields, data: other.envelope.data, transactionIdentifier: newTransactionId() }, signer, Date.now());
    await refused(body, 'DATA_SIGNATURE', 1, 403);
  });

  it('refuses an untrusted, an expired and a wrong-MRN certificate', async () => {
    const rogueRoot = await createRoot({ mrn: 'urn:mrn:mcp:org:xx:rogue', commonName: 'Rogue', ...validity });
    const rogue = await issueLeaf({ mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000001', commonName: 'MV Example', ...validity }, rogueRoot);
    await refused(upload({ signer: rogue, dataSigner: rogue, root: rogueRoot }), 'CERT_UNTRUSTED', 2, 403);
    const expired = await issueLeaf({ mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000001', commonName: 'MV Example', notBefore: new Date(T0 - 60 * DAY), notAfter: new Date(T0 - DAY) }, fleetRoot);
    await refused(upload({ signer: expired, dataSigner: expired }), 'CERT_EXPIRED', 2, 403);
    const user = await issueLeaf({ mrn: 'urn:mrn:mcp:user:gr:alice', commonName: 'Alice', ...validity }, fleetRoot);
    await refused(upload({ signer: user, dataSigner: user }), 'CERT_WRONG_MRN', 2, 403);
    // Data signed by another vessel than the envelope's sender.
    const other = await issueLeaf({ mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000002', commonName: 'MV Other', ...validity }, fleetRoot);
    await refused(upload({ dataSigner: other }), 'CERT_WRONG_MRN', 2, 403);
  });

  it('refuses a stale envelope (outside the freshness window)', async () => {
    await refused(upload({ at: Date.now() - 3_600_000 }), 'STALE', 1, 403);
  });

  it('refuses an oversized payload and an oversized body', async () => {
    const big = new TextEncoder().encode(JSON.stringify({ ...report(0), pad: 'x'.repeat(70 * 1024) }));
    await refused(upload({ bytes: big, compress: false }), 'PAYLOAD_TOO_LARGE', 3, 413);
    const huge = upload();
    huge.envelope.data = 'A'.repeat(200 * 1024);
    await refused(huge, 'PAYLOAD_TOO_LARGE', 3, 413);
  });

  it('refuses a zip bomb while inflating, and a tampered ZIP', async () => {
    // 50 MB of zeros compresses to ≈ 50 KB: far past the 64-KB ceiling once inflated.
    const bomb = zipSync({ payload: new Uint8Array(50_000_000) }, { level: 9 });
    const body = upload();
    body.envelope.data = Buffer.from(bomb).toString('base64');
    const signer = { certificate: vessel.certificate, privateKey: vessel.privateKey, root: fleetRoot.certificate };
    const { envelopeSignatureCertificate: _c, envelopeRootCertificateThumbprint: _t, envelopeSignatureTime: _s, ...fields } = body.envelope;
    await refused(signUpload({ ...fields, transactionIdentifier: newTransactionId() }, signer, Date.now()), 'DECOMPRESSION', 3, 400);
    const tampered = upload();
    const zip = Buffer.from(tampered.envelope.data, 'base64');
    zip[40] = zip[40]! ^ 0xff;
    const { envelopeSignatureCertificate: _c2, envelopeRootCertificateThumbprint: _t2, envelopeSignatureTime: _s2, ...tf } = tampered.envelope;
    const resigned = signUpload({ ...tf, data: zip.toString('base64'), transactionIdentifier: newTransactionId() }, signer, Date.now());
    const r = await post(resigned);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(['DECOMPRESSION', 'DATA_SIGNATURE']).toContain((r.body as { reason: string }).reason);
  });

  it('refuses a body that fails the schema, recorded as SCHEMA', async () => {
    await refused({ envelope: { data: 'x' }, envelopeSignature: 'zz' }, 'SCHEMA', 3, 400);
    await refused(upload({ bytes: new TextEncoder().encode('{"format":"something else"}') }), 'PAYLOAD_SCHEMA', 3, 400);
  });
});

describe('SECOM service: request rate', () => {
  it('answers 429 past the burst, without a register entry per refused request', async () => {
    const root = await createRoot({ mrn: 'urn:mrn:mcp:org:gr:pkg2', commonName: 'r', ...validity });
    const tls = await issueTlsServer({ mrn: 'urn:mrn:mcp:service:gr:pkg2:secom', commonName: 'localhost', ips: ['127.0.0.1'], ...validity }, root);
    const id = await issueLeaf({ mrn: 'urn:mrn:mcp:service:gr:pkg2:secom', commonName: 's', ...validity }, root);
    const records: unknown[] = [];
    const small = await startSecomService({
      tls, identity: id, identityRoot: root.certificate, trustedRoots: [fleetRoot.certificate], record: async (r) => void records.push(r), catalogue: () => [],
      rate: { perSecond: 0.001, burst: 3 },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await secomRequest(`${small.url}/v1/ping`, { method: 'GET', ca: root.certificate.toString('pem') })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
      expect(records).toEqual([]);
    } finally {
      await small.close();
    }
  });
});

describe('SECOM service: group keys by subscription', () => {
  const subscribe = (groupId: number, who?: SecomIdentity) =>
    upload({ bytes: new TextEncoder().encode(JSON.stringify({ format: GROUP_SUBSCRIPTION_FORMAT, version: 1, groupId })), ...(who === undefined ? {} : { signer: who, dataSigner: who }) });

  it('gives a named member the group\'s current hand-out, data-signed by the authority', async () => {
    const r = await post(subscribe(3), '/v1/subscription');
    expect(r.status).toBe(200);
    const reply = r.body as { subscriptionIdentifier: string; handOut: { data: string; exchangeMetadata: { compressionFlag: boolean; digitalSignatureValue: { digitalSignature: string } } } };
    const bytes = openPayload(reply.handOut.data, reply.handOut.exchangeMetadata.compressionFlag);
    expect(verifyHex(bytes, reply.handOut.exchangeMetadata.digitalSignatureValue.digitalSignature, authorityLeaf.certificate)).toBe(true);
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual(handOuts.get(3));
    expect(lastEntry()).toMatchObject({ type: 'secom', data: { action: 'subscription', code: 'SUBSCRIBED', peer: VESSEL_MRN } });
  });

  it('removes a subscription for its subscriber only (DELETE /v1/subscription), recorded', async () => {
    const r = await post(subscribe(3), '/v1/subscription');
    const id = (r.body as { subscriptionIdentifier: string }).subscriptionIdentifier;
    const remove = (who?: SecomIdentity, sid = id) =>
      secomRequest(`${service.url}/v1/subscription`, {
        method: 'DELETE', ca,
        body: upload({ bytes: new TextEncoder().encode(JSON.stringify({ subscriptionIdentifier: sid })), ...(who === undefined ? {} : { signer: who, dataSigner: who }) }),
      });
    // Another vessel cannot remove it (and learns nothing of it: the same answer as an unknown identifier).
    const other = await issueLeaf({ mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000005', commonName: 'MV Member', ...validity }, fleetRoot);
    expect(await remove(other)).toMatchObject({ status: 404, body: { SECOM_ResponseCode: 0, reason: 'NOT_FOUND' } });
    expect(lastEntry()).toMatchObject({ type: 'secom', data: { action: 'subscription-remove', code: 'NOT_FOUND' } });
    expect(await remove()).toMatchObject({ status: 200, body: { message: 'removed', subscriptionIdentifier: id } });
    expect(lastEntry()).toMatchObject({ type: 'secom', data: { action: 'subscription-remove', code: 'REMOVED', peer: VESSEL_MRN } });
    expect(await remove()).toMatchObject({ status: 404, body: { reason: 'NOT_FOUND' } });
    // Unsigned removal: the envelope schema refuses it.
    const bare = await secomRequest(`${service.url}/v1/subscription`, { method: 'DELETE', ca, body: { subscriptionIdentifier: id } });
    expect(bare).toMatchObject({ status: 400, body: { reason: 'SCHEMA' } });
  });

  it('refuses a vessel the authority did not name, and a group with no key', async () => {
    await pkg.extract({ kind: 'mmsi', mmsi: 237_000_007, mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000007' }, pkg.currentEpoch(), 1);
    const outsider = await issueLeaf({ mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000007', commonName: 'MV Outsider', ...validity }, fleetRoot);
    await refused(subscribe(3, outsider), 'NOT_MEMBER', 2, 403, '/v1/subscription');
    await refused(subscribe(9), 'NOT_MEMBER', 2, 403, '/v1/subscription');
  });
});

describe('SECOM service: key renewal', () => {
  const renewal = (options: Parameters<typeof upload>[0] & { mmsi?: number; devicePublicKey?: Uint8Array; epoch?: number; callbackEndpoint?: string; version?: number } = {}) =>
    upload({
      ...options,
      bytes: new TextEncoder().encode(JSON.stringify({
        format: RENEWAL_REQUEST_FORMAT, version: options.version ?? 2, mmsi: options.mmsi ?? VESSEL_MMSI,
        devicePublicKey: bytesToHex(options.devicePublicKey ?? device.publicKey), epoch: options.epoch ?? pkg.currentEpoch(),
        callbackEndpoint: options.callbackEndpoint ?? vesselServer.url,
      })),
    });
  const access = (body: unknown) => secomRequest(`${service.url}/v1/access`, { method: 'POST', ca, body });
  const ack = (tx: string, ackType: 1 | 2) => secomRequest(`${service.url}/v1/acknowledgement`, { method: 'POST', ca, body: upload({ bytes: new TextEncoder().encode(JSON.stringify({ transactionIdentifier: tx, ackType })) }) });
  const permits = () => pkg.register.entries.filter((e) => e.type === 'permit').length;

  it('grants in the reply, then notifies and uploads the permit of the epoch and the next to the vessel operator\'s server; acks are recorded', async () => {
    const tx = newTransactionId();
    const arrival = vesselServer.expect(tx, 60_000);
    const r = await access(renewal({ tx }));
    expect(r).toMatchObject({ status: 200, body: { decision: true, transactionIdentifier: tx } });
    expect(r.body).not.toHaveProperty('permit');
    const received = await arrival;
    // Envelope- and data-signed by the authority's SECOM certificate (checked by the vessel server), installable.
    expect(received.peer).toBe('urn:mrn:mcp:service:gr:pkg:secom');
    const rootPublicKey = hexToBytes((JSON.parse(readFileSync(join(pkgDir.dir, 'authority.json'), 'utf8')) as { rootPublicKey: string }).rootPublicKey);
    const installed = installPermit(received.bytes, EMPTY_KEY_SET, { device, rootPublicKey, now: received.decoded.issuedAt });
    if (!installed.ok) throw installed.error;
    const signing = installed.keys.keys.find((k) => k.kind === 'signing')!;
    expect(signing).toMatchObject({ identity: 'mmsi:237000001', epoch: pkg.currentEpoch() });
    expect(signing.next).toBeDefined();
    expect(vesselEvents.filter((e) => e.transactionId === tx).map((e) => e.kind)).toEqual(['notification', 'permit']);
    await service.idle();
    expect(pkg.register.entries.slice(-5).map((e) => (e.type === 'secom' ? `${e.data.action}:${e.data.code}` : e.type)))
      .toEqual(['extract', 'permit', 'renewal:GRANTED', 'access-notification:SENT', 'permit-upload:SENT']);
    expect((await ack(tx, 1)).status).toBe(200);
    expect(lastEntry()).toMatchObject({ type: 'secom', data: { action: 'acknowledgement', code: 'DELIVERED' } });
    expect((await ack(tx, 2)).status).toBe(200);
    expect(lastEntry()).toMatchObject({ type: 'secom', data: { action: 'acknowledgement', code: 'OPENED', peer: VESSEL_MRN } });
  });

  it('records a permit upload the consumer server refuses or that cannot reach it', async () => {
    // No renewal registered there: the vessel server refuses the unsolicited upload, and the register says so.
    const r = await access(renewal());
    expect(r.status).toBe(200);
    await service.idle();
    expect(lastEntry()).toMatchObject({ type: 'secom', data: { action: 'permit-upload', code: 'REFUSED', detail: '404 NOT_FOUND' } });
    await access(renewal({ callbackEndpoint: 'https://127.0.0.1:1' }));
    await service.idle();
    expect(pkg.register.entries.slice(-2).map((e) => (e.type === 'secom' ? `${e.data.action}:${e.data.code}` : e.type))).toEqual(['access-notification:UNREACHABLE', 'permit-upload:UNREACHABLE']);
  });

  it('delivers only to a server whose TLS certificate is under a consumer CA it trusts', async () => {
    const rogueRoot = await createRoot({ mrn: 'urn:mrn:mcp:org:xx:rogue-ca', commonName: 'Rogue CA', ...validity });
    const rogueTls = await issueTlsServer({ mrn: VESSEL_MRN, commonName: 'localhost', ips: ['127.0.0.1'], ...validity }, rogueRoot);
    const rogueEvents: VesselServerEvent[] = [];
    const rogue = await startVesselServer({ tls: rogueTls, authorityRoot: authorityRoot.certificate, devicePublicKey: device.publicKey, onEvent: (e) => rogueEvents.push(e) });
    try {
      const tx = newTransactionId();
      const arrival = rogue.expect(tx, 60_000);
      arrival.catch(() => undefined);
      expect((await access(renewal({ tx, callbackEndpoint: rogue.url }))).status).toBe(200);
      await service.idle();
      expect(pkg.register.entries.slice(-2).map((e) => (e.type === 'secom' ? `${e.data.action}:${e.data.code}` : e.type))).toEqual(['access-notification:UNREACHABLE', 'permit-upload:UNREACHABLE']);
      expect(rogueEvents).toEqual([]);
    } finally {
      await rogue.close();
    }
  });

  it('refuses a request of the old form (permit in the reply) and a callback that is not https', async () => {
    await refused(renewal({ version: 1 }), 'PAYLOAD_SCHEMA', 3, 400, '/v1/access');
    await refused(renewal({ callbackEndpoint: 'http://127.0.0.1:8080' }), 'PAYLOAD_SCHEMA', 3, 400, '/v1/access');
    await refused(renewal({ callbackEndpoint: 'https://user:pw@127.0.0.1:8080' }), 'PAYLOAD_SCHEMA', 3, 400, '/v1/access');
  });

  it('refuses an acknowledgement of a renewal it never granted to that vessel', async () => {
    await refused(upload({ bytes: new TextEncoder().encode(JSON.stringify({ transactionIdentifier: newTransactionId(), ackType: 2 })) }), 'NOT_FOUND', 0, 404, '/v1/acknowledgement');
  });

  it('refuses a permit for another device, an unbound vessel and a far epoch, issuing nothing', async () => {
    const before = permits();
    const other = deviceKeyFromSecret(new Uint8Array(32).fill(0x43));
    const r1 = await access(renewal({ devicePublicKey: other.publicKey }));
    expect(r1.body).toMatchObject({ reason: 'UNKNOWN_DEVICE' });
    const stranger = await issueLeaf({ mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000009', commonName: 'MV Stranger', ...validity }, fleetRoot);
    const r2 = await access(renewal({ signer: stranger, dataSigner: stranger }));
    expect(r2.body).toMatchObject({ reason: 'NOT_BOUND' });
    const r3 = await access(renewal({ epoch: pkg.currentEpoch() + 5 }));
    expect(r3.body).toMatchObject({ reason: 'EPOCH_OUT_OF_RANGE' });
    expect(permits()).toBe(before);
    expect(lastEntry()).toMatchObject({ type: 'secom', data: { action: 'renewal', code: 'EPOCH_OUT_OF_RANGE' } });
  });

  it('refuses renewal for a revoked vessel, issuing nothing', async () => {
    await pkg.revoke(VESSEL_MRN, 'appliance reported stolen');
    const before = permits();
    const r = await access(renewal());
    expect(r).toMatchObject({ status: 403, body: { SECOM_ResponseCode: 2, reason: 'REVOKED' } });
    expect(permits()).toBe(before);
    expect(lastEntry()).toMatchObject({ type: 'secom', data: { action: 'renewal', code: 'REVOKED', peer: VESSEL_MRN } });
    const sub = await post(upload({ bytes: new TextEncoder().encode(JSON.stringify({ format: GROUP_SUBSCRIPTION_FORMAT, version: 1, groupId: 3 })) }), '/v1/subscription');
    expect(sub.body).toMatchObject({ reason: 'REVOKED' });
  });
});

describe('vessel operator\'s SECOM server: the permit upload', () => {
  /** An upload as the authority sends it (or as an attacker forges it). */
  const authorityUpload = (o: { tx: string; bytes?: Uint8Array; signer?: SecomIdentity; root?: SecomIdentity; at?: number }) => {
    const signer = { certificate: (o.signer ?? authorityLeaf).certificate, privateKey: (o.signer ?? authorityLeaf).privateKey, root: (o.root ?? authorityRoot).certificate };
    const sealed = sealPayload(o.bytes ?? goodPermit, signer, true);
    return signUpload({ data: sealed.data, containerType: 2, dataProductType: 'OTHER', exchangeMetadata: sealed.exchangeMetadata, fromSubscription: false, ackRequest: 3, transactionIdentifier: o.tx }, signer, o.at ?? Date.now());
  };
  let goodPermit: Uint8Array;
  let otherDevicePermit: Uint8Array;
  const toVessel = (body: unknown) => secomRequest(`${vesselServer.url}/v1/object`, { method: 'POST', ca: fleetRoot.certificate.toString('pem'), body });

  beforeAll(async () => {
    const keys = await pkg.extract({ kind: 'mmsi', mmsi: VESSEL_MMSI, mrn: VESSEL_MRN }, pkg.currentEpoch(), 2);
    goodPermit = await pkg.permit(device.publicKey, [keys]);
    otherDevicePermit = await pkg.permit(deviceKeyFromSecret(new Uint8Array(32).fill(0x44)).publicKey, [keys]);
  });

  it('refuses each hostile upload with its SECOM code, hands nothing on, then accepts the genuine one once', async () => {
    const tx = newTransactionId();
    const handedOn: Uint8Array[] = [];
    const arrival = vesselServer.expect(tx, 120_000).then((p) => {
      handedOn.push(p.bytes);
      return p;
    });
    const refusedHere = async (body: unknown, reason: string, secom: number, status: number) => {
      const r = await toVessel(body);
      expect(r).toMatchObject({ status, body: { SECOM_ResponseCode: secom, reason } });
      expect(vesselEvents.at(-1)).toMatchObject({ kind: 'refused', reason });
      expect(handedOn).toEqual([]);
    };
    // Signed by a certificate of another root (the fleet's), though it names a service.
    const impostor = await issueLeaf({ mrn: 'urn:mrn:mcp:service:gr:pkg:secom', commonName: 'Impostor', ...validity }, fleetRoot);
    await refusedHere(authorityUpload({ tx, signer: impostor, root: fleetRoot }), 'CERT_UNTRUSTED', 2, 403);
    // Issued by the authority's root, but to a vessel: a vessel cannot push permits.
    const vesselUnderAuthority = await issueLeaf({ mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000002', commonName: 'MV Other', ...validity }, authorityRoot);
    await refusedHere(authorityUpload({ tx, signer: vesselUnderAuthority }), 'CERT_WRONG_MRN', 2, 403);
    const tampered = authorityUpload({ tx });
    tampered.envelope.ackRequest = 0;
    await refusedHere(tampered, 'ENVELOPE_SIGNATURE', 1, 403);
    await refusedHere(authorityUpload({ tx, at: Date.now() - 3_600_000 }), 'STALE', 1, 403);
    // Authentic uploads burn their transaction id (replay memory), so these two go under renewals of their own.
    const pending = (id: string) => vesselServer.expect(id, 120_000).then((p) => void handedOn.push(p.bytes), () => undefined);
    const [tx2, tx3] = [newTransactionId(), newTransactionId()];
    void pending(tx2);
    void pending(tx3);
    await refusedHere(authorityUpload({ tx: tx2, bytes: otherDevicePermit }), 'UNKNOWN_DEVICE', 0, 403);
    await refusedHere(authorityUpload({ tx: tx3, bytes: new TextEncoder().encode('not a permit') }), 'PAYLOAD_SCHEMA', 3, 400);
    // A genuine permit under a transaction this server never asked for.
    await refusedHere(authorityUpload({ tx: newTransactionId() }), 'NOT_FOUND', 0, 404);
    // The data signature over another payload than the one carried.
    const swapped = authorityUpload({ tx });
    const other = authorityUpload({ tx, bytes: otherDevicePermit });
    const signer = { certificate: authorityLeaf.certificate, privateKey: authorityLeaf.privateKey, root: authorityRoot.certificate };
    const { envelopeSignatureCertificate: _c, envelopeRootCertificateThumbprint: _t, envelopeSignatureTime: _s, ...fields } = swapped.envelope;
    await refusedHere(signUpload({ ...fields, data: other.envelope.data, transactionIdentifier: newTransactionId() }, signer, Date.now()), 'DATA_SIGNATURE', 1, 403);
    await refusedHere({ envelope: { data: 'x' }, envelopeSignature: '00' }, 'SCHEMA', 3, 400);

    const genuine = authorityUpload({ tx });
    expect(await toVessel(genuine)).toMatchObject({ status: 200, body: { transactionIdentifier: tx } });
    const received = await arrival;
    expect(Buffer.from(received.bytes).equals(Buffer.from(goodPermit))).toBe(true);
    // Replayed, and a second permit for the same renewal: refused, nothing more handed on.
    expect((await toVessel(genuine)).body).toMatchObject({ reason: 'REPLAY' });
    expect((await toVessel(authorityUpload({ tx }))).body).toMatchObject({ reason: 'REPLAY' });
    expect(handedOn).toHaveLength(1);
  });

  it('takes an Access Notification as information only: a forged denial does not end a renewal', async () => {
    const tx = newTransactionId();
    const arrival = vesselServer.expect(tx, 60_000);
    const n = await secomRequest(`${vesselServer.url}/v1/access/notification`, { method: 'POST', ca: fleetRoot.certificate.toString('pem'), body: { decision: false, reason: 'forged', transactionIdentifier: tx } });
    expect(n.status).toBe(200);
    expect(vesselEvents.at(-1)).toMatchObject({ kind: 'notification', decision: false, expected: true });
    expect((await toVessel(authorityUpload({ tx }))).status).toBe(200);
    expect((await arrival).decoded.sequence).toBeGreaterThan(0);
  });
});
