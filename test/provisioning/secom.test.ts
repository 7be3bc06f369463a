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
  createRoot, issueLeaf, issueTlsServer, newTransactionId, sealPayload, secomRequest, signUpload, startSecomService,
  SECURITY_REPORT_FORMAT, type SecomIdentity, type SecomService, type SecurityReport, type UploadObject,
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
const VESSEL_MMSI = 237_000_001;
const VESSEL_MRN = 'urn:mrn:mcp:vessel:gr:mmsi:237000001';
const device = deviceKeyFromSecret(new Uint8Array(32).fill(0x42));
const handOuts = new Map<number, GroupHandOut>();
const received: { report: SecurityReport; from: string }[] = [];

beforeAll(async () => {
  pkgDir = await makePkgDir('secom');
  pkg = await pkgDir.open();
  const authorityRoot = await createRoot({ mrn: 'urn:mrn:mcp:org:gr:pkg', commonName: 'PKG SECOM root', ...validity });
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
    renew: (mrn, request) => decideRenewal(pkg, mrn, request),
    groups: { member: (mrn, groupId) => checkGroupMember(pkg, mrn, groupId), handOut: (groupId) => handOuts.get(groupId) },
    rate: { perSecond: 1000, burst: 1000 },
    maxPayloadBytes: 64 * 1024,
  });
}, 120_000);

afterAll(async () => {
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

  it('refuses a vessel the authority did not name, and a group with no key', async () => {
    await pkg.extract({ kind: 'mmsi', mmsi: 237_000_007, mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000007' }, pkg.currentEpoch(), 1);
    const outsider = await issueLeaf({ mrn: 'urn:mrn:mcp:vessel:gr:mmsi:237000007', commonName: 'MV Outsider', ...validity }, fleetRoot);
    await refused(subscribe(3, outsider), 'NOT_MEMBER', 2, 403, '/v1/subscription');
    await refused(subscribe(9), 'NOT_MEMBER', 2, 403, '/v1/subscription');
  });
});

describe('SECOM service: key renewal', () => {
  const renewal = (options: Parameters<typeof upload>[0] & { mmsi?: number; devicePublicKey?: Uint8Array; epoch?: number } = {}) =>
    upload({
      ...options,
      bytes: new TextEncoder().encode(JSON.stringify({
        format: RENEWAL_REQUEST_FORMAT, version: 1, mmsi: options.mmsi ?? VESSEL_MMSI,
        devicePublicKey: bytesToHex(options.devicePublicKey ?? device.publicKey), epoch: options.epoch ?? pkg.currentEpoch(),
      })),
    });
  const access = (body: unknown) => secomRequest(`${service.url}/v1/access`, { method: 'POST', ca, body });
  const ack = (tx: string, ackType: 1 | 2) => secomRequest(`${service.url}/v1/acknowledgement`, { method: 'POST', ca, body: upload({ bytes: new TextEncoder().encode(JSON.stringify({ transactionIdentifier: tx, ackType })) }) });
  const permits = () => pkg.register.entries.filter((e) => e.type === 'permit').length;

  it('grants the permit of the epoch and the next, data-signed by the authority, installable on the appliance; acks are recorded', async () => {
    const body = renewal();
    const r = await access(body);
    expect(r.status).toBe(200);
    const reply = r.body as { decision: boolean; permit: { data: string; exchangeMetadata: { compressionFlag: boolean; digitalSignatureValue: { digitalSignature: string } } } };
    expect(reply.decision).toBe(true);
    const bytes = openPayload(reply.permit.data, reply.permit.exchangeMetadata.compressionFlag);
    // Data-signed by the authority's SECOM certificate: the vessel operator checks it before handing the permit on.
    expect(verifyHex(bytes, reply.permit.exchangeMetadata.digitalSignatureValue.digitalSignature, authorityLeaf.certificate)).toBe(true);
    const permit = decodePermitFile(bytes);
    const rootPublicKey = hexToBytes((JSON.parse(readFileSync(join(pkgDir.dir, 'authority.json'), 'utf8')) as { rootPublicKey: string }).rootPublicKey);
    const installed = installPermit(bytes, EMPTY_KEY_SET, { device, rootPublicKey, now: permit.issuedAt });
    if (!installed.ok) throw installed.error;
    const signing = installed.keys.keys.find((k) => k.kind === 'signing')!;
    expect(signing).toMatchObject({ identity: 'mmsi:237000001', epoch: pkg.currentEpoch() });
    expect(signing.next).toBeDefined();
    expect(pkg.register.entries.slice(-3).map((e) => (e.type === 'secom' ? `secom:${e.data.code}` : e.type))).toEqual(['extract', 'permit', 'secom:GRANTED']);
    expect((await ack(body.envelope.transactionIdentifier, 1)).status).toBe(200);
    expect(lastEntry()).toMatchObject({ type: 'secom', data: { action: 'acknowledgement', code: 'DELIVERED' } });
    expect((await ack(body.envelope.transactionIdentifier, 2)).status).toBe(200);
    expect(lastEntry()).toMatchObject({ type: 'secom', data: { action: 'acknowledgement', code: 'OPENED', peer: VESSEL_MRN } });
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
