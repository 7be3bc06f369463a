/**
 * The authority's SECOM shore service (IEC 63173-2 as SECOMLib implements v1, reference notes §2; docs/secom.md):
 * a Fastify HTTPS server with JSON-schema-validated bodies.
 *   GET  /v1/ping            liveness and the last private interaction
 *   GET  /v1/capability      what this service implements
 *   GET  /v1/object/summary  the public catalogue: parameters, issuer certificates, status lists
 *   GET  /v1/object          one catalogue object, data-signed by the authority
 *   POST /v1/object          reports in: security events, envelope- and data-signed by a vessel or VTS certificate
 * Every upload, accepted or refused, is recorded in the PKG register (the source of truth) with its reason code.
 * Bounds: request body size, payload and inflated size, request rate per address, replay memory.
 */
import { randomUUID } from 'node:crypto';
import type * as x509 from '@peculiar/x509';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { checkCertificate } from './certificate.js';
import { CONTAINER_TYPE, parseSecomTime, verifyUpload, type UploadObject } from './envelope.js';
import { SECOM_REASONS, SecomError, type SecomReason } from './errors.js';
import { RateLimiter, ReplayMemory } from './limits.js';
import { MAX_PAYLOAD_BYTES, openPayload, sealPayload } from './payload.js';
import type { SecomIdentity } from './pki.js';
import { groupSubscriptionSchema, type GroupHandOut } from './group-subscription.js';
import { renewalRequestSchema, type RenewalRequest } from './renewal.js';
import { securityReportSchema, type SecurityReport } from './report.js';
import { verifyHex } from './signature.js';

/** One SECOM exchange as the register records it. */
export interface SecomRecord {
  action: string;
  code: string;
  transactionId?: string;
  peer?: string;
  detail?: string;
}

export interface CatalogueItem {
  /** UUID. */
  readonly dataReference: string;
  readonly name: string;
  readonly description: string;
  readonly bytes: Uint8Array;
  readonly lastModifiedMs: number;
}

export interface SecomServiceOptions {
  readonly tls: { key: string | Buffer; cert: string | Buffer };
  /** The authority's SECOM identity (signs catalogue objects) and its root. */
  readonly identity: SecomIdentity;
  readonly identityRoot: x509.X509Certificate;
  /** Roots whose certificates may upload (the MCP identity provider of the fleet, the authority's own CA). */
  readonly trustedRoots: readonly x509.X509Certificate[];
  /** Writes one register entry (Pkg.recordSecom). */
  readonly record: (r: SecomRecord) => Promise<void>;
  readonly catalogue: () => readonly CatalogueItem[];
  /** The renewal decision (renewal.ts decideRenewal with the PKG); absent: /v1/access refuses. */
  readonly renew?: (mrn: string, request: RenewalRequest) => Promise<Uint8Array>;
  /** Group subscriptions: membership check (group-subscription.ts checkGroupMember) and the group's current hand-out. */
  readonly groups?: {
    member: (mrn: string, groupId: number) => { keyId: number };
    handOut: (groupId: number) => GroupHandOut | undefined;
  };
  /** Received reports go here after every check passed. */
  readonly onReport?: (report: SecurityReport, from: string) => void;
  readonly now?: () => number;
  /** Envelope signature time must be within this of now (replay window). Default 5 min. */
  readonly freshnessMs?: number;
  /** Requests per second and burst per client address. Default 20/s, burst 40. */
  readonly rate?: { perSecond: number; burst: number };
  readonly maxPayloadBytes?: number;
}

/** Whose certificates may upload reports: vessels (appliances) and services (VTS stations). */
const REPORTER_MRN = /^urn:mrn:mcp:(vessel|device|service):/i;
const VESSEL_MRN = /^urn:mrn:mcp:vessel:/i;
/** Acknowledgement payload: SECOM's ackType 1 delivered, 2 opened (installed on the appliance), 3 error. */
const ackSchema = z.strictObject({ transactionIdentifier: z.uuid(), ackType: z.union([z.literal(1), z.literal(2), z.literal(3)]) });
const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

const uploadSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['envelope', 'envelopeSignature'],
  properties: {
    envelopeSignature: { type: 'string', pattern: '^[0-9a-fA-F]{2,512}$' },
    envelope: {
      type: 'object',
      additionalProperties: false,
      required: ['data', 'containerType', 'dataProductType', 'exchangeMetadata', 'fromSubscription', 'ackRequest', 'transactionIdentifier', 'envelopeSignatureCertificate', 'envelopeRootCertificateThumbprint', 'envelopeSignatureTime'],
      properties: {
        data: { type: 'string', minLength: 1 },
        containerType: { type: 'integer', enum: [0, 1, 2] },
        dataProductType: { type: 'string', enum: ['OTHER'] },
        exchangeMetadata: {
          type: 'object',
          additionalProperties: false,
          required: ['dataProtection', 'protectionScheme', 'digitalSignatureReference', 'digitalSignatureValue', 'compressionFlag'],
          properties: {
            dataProtection: { type: 'boolean', const: false },
            protectionScheme: { type: 'string', const: 'SECOM' },
            digitalSignatureReference: { type: 'string', const: 'ecdsa-384-sha2' },
            digitalSignatureValue: {
              type: 'object',
              additionalProperties: false,
              required: ['publicRootCertificateThumbprint', 'publicCertificate', 'digitalSignature'],
              properties: {
                publicRootCertificateThumbprint: { type: 'string', pattern: '^[0-9a-f]{64}$' },
                publicCertificate: { type: 'string', maxLength: 8192 },
                digitalSignature: { type: 'string', pattern: '^[0-9a-fA-F]{2,512}$' },
              },
            },
            compressionFlag: { type: 'boolean' },
          },
        },
        fromSubscription: { type: 'boolean' },
        ackRequest: { type: 'integer', enum: [0, 1, 2, 3] },
        transactionIdentifier: { type: 'string', pattern: UUID },
        envelopeSignatureCertificate: { type: 'string', maxLength: 8192 },
        envelopeRootCertificateThumbprint: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        envelopeSignatureTime: { type: 'string', pattern: '^\\d{8}T\\d{6}Z$' },
      },
    },
  },
} as const;

export interface SecomService {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

export async function startSecomService(options: SecomServiceOptions, listen: { host?: string; port?: number } = {}): Promise<SecomService> {
  const now = options.now ?? Date.now;
  const maxPayload = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const freshness = options.freshnessMs ?? 5 * 60_000;
  const rate = new RateLimiter(options.rate?.perSecond ?? 20, options.rate?.burst ?? 40);
  const replay = new ReplayMemory(freshness * 2);
  // One register write at a time: the register chains each entry to the one before, so concurrent appends would race.
  let writing: Promise<unknown> = Promise.resolve();
  const record = (r: SecomRecord): Promise<void> => {
    const next = writing.then(() => options.record(r));
    writing = next.catch(() => undefined);
    return next;
  };
  let lastPrivate = 0;
  // The base64 of the largest payload plus the envelope's certificates and fields.
  const bodyLimit = Math.ceil((maxPayload * 4) / 3) + 64 * 1024;
  const app = Fastify({ https: options.tls, bodyLimit, logger: false, connectionTimeout: 30_000, requestTimeout: 30_000 });

  const refuse = (reason: SecomReason, responseText: string) => ({ status: SECOM_REASONS[reason].status, body: { SECOM_ResponseCode: SECOM_REASONS[reason].secom, responseText, reason } });

  app.addHook('onRequest', async (req, reply) => {
    if (!rate.take(req.ip, now())) {
      const r = refuse('RATE_LIMITED', 'too many requests');
      return reply.code(r.status).header('retry-after', '1').send(r.body);
    }
    return undefined;
  });
  // Schema failures and oversized bodies answer in SECOM's form and are recorded like any other refusal.
  app.setErrorHandler(async (error: Error & { validation?: unknown; statusCode?: number; code?: string }, req, reply) => {
    if (error.validation === undefined && (error.statusCode ?? 500) >= 500) {
      // Our fault, not the peer's: no SECOM refusal code fits, and the detail stays in the server.
      if (req.method === 'POST') await record({ action: 'upload', code: 'INTERNAL' });
      return reply.code(500).send({ responseText: 'internal error' });
    }
    const reason: SecomReason = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE' : 'SCHEMA';
    const r = refuse(reason, error.message.slice(0, 200));
    if (req.method === 'POST') await record({ action: 'upload', code: reason, detail: error.message.slice(0, 200) });
    return reply.code(r.status).send(r.body);
  });

  app.get('/v1/ping', async () => ({ lastPrivateInteractionTime: lastPrivate === 0 ? null : new Date(lastPrivate).toISOString() }));

  app.get('/v1/capability', async () => ({
    capability: [{
      containerType: CONTAINER_TYPE.NONE,
      dataProductType: 'OTHER',
      productSchemaUrl: 'https://example.invalid/mibc-ais/docs/secom.md',
      implementedInterfaces: { upload: true, uploadLink: false, get: true, getSummary: true, getByLink: false, subscription: options.groups !== undefined, access: options.renew !== undefined, encryptionKey: false },
      serviceVersion: '1.0.0',
    }],
  }));

  app.get('/v1/object/summary', async () => {
    const items = options.catalogue();
    return {
      summaryObject: items.map((i) => ({
        dataReference: i.dataReference, dataProtection: false, dataCompression: false, containerType: CONTAINER_TYPE.NONE, dataProductType: 'OTHER',
        info_identifier: i.dataReference, info_name: i.name, info_status: 'present', info_description: i.description,
        info_lastModifiedDate: new Date(i.lastModifiedMs).toISOString(), info_productVersion: '1', info_size: i.bytes.length,
      })),
      pagination: { totalItems: items.length, maxItemsPerPage: items.length },
      responseText: 'ok',
    };
  });

  app.get('/v1/object', { schema: { querystring: { type: 'object', properties: { dataReference: { type: 'string', pattern: UUID } } } } }, async (req, reply) => {
    const ref = (req.query as { dataReference?: string }).dataReference;
    const items = options.catalogue().filter((i) => ref === undefined || i.dataReference === ref);
    if (items.length === 0) {
      const r = refuse('NOT_FOUND', `no object ${ref}`);
      return reply.code(r.status).send(r.body);
    }
    const signer = { certificate: options.identity.certificate, privateKey: options.identity.privateKey, root: options.identityRoot };
    return {
      dataResponseObject: items.map((i) => {
        const sealed = sealPayload(i.bytes, signer, false);
        return { data: sealed.data, exchangeMetadata: sealed.exchangeMetadata, ackRequest: 0 };
      }),
      pagination: { totalItems: items.length, maxItemsPerPage: items.length },
      responseText: 'ok',
    };
  });

  /** The checks every signed upload passes (docs/secom.md "Envelope"); returns the peer and the payload bytes. */
  const openUpload = async (upload: UploadObject, allowMrn: RegExp, onPeer: (mrn: string) => void): Promise<{ peer: string; bytes: Uint8Array }> => {
    const e = upload.envelope;
    const envelopeCert = await checkCertificate(e.envelopeSignatureCertificate, options.trustedRoots, now(), (m) => allowMrn.test(m));
    onPeer(envelopeCert.mrn);
    if (envelopeCert.rootThumbprint !== e.envelopeRootCertificateThumbprint) throw new SecomError('CERT_UNTRUSTED', 'envelopeRootCertificateThumbprint names another root');
    if (!verifyUpload(upload, envelopeCert.certificate)) throw new SecomError('ENVELOPE_SIGNATURE', 'the envelope signature does not verify');
    const signedAt = parseSecomTime(e.envelopeSignatureTime);
    if (signedAt === undefined || Math.abs(now() - signedAt) > freshness) throw new SecomError('STALE', `envelopeSignatureTime ${e.envelopeSignatureTime} is outside ±${freshness / 1000} s`);
    if (!replay.accept(e.transactionIdentifier, now())) throw new SecomError('REPLAY', `transaction ${e.transactionIdentifier} was already received`);
    const m = e.exchangeMetadata;
    // The payload signer may differ from the envelope signer (SECOM allows it) but must be the same entity here.
    const dataCert = await checkCertificate(m.digitalSignatureValue.publicCertificate, options.trustedRoots, now(), (mrn) => mrn.toLowerCase() === envelopeCert.mrn.toLowerCase());
    if (dataCert.rootThumbprint !== m.digitalSignatureValue.publicRootCertificateThumbprint) throw new SecomError('CERT_UNTRUSTED', 'publicRootCertificateThumbprint names another root');
    const bytes = openPayload(e.data, m.compressionFlag, maxPayload);
    if (!verifyHex(bytes, m.digitalSignatureValue.digitalSignature, dataCert.certificate)) throw new SecomError('DATA_SIGNATURE', 'the data signature does not verify');
    return { peer: envelopeCert.mrn, bytes };
  };

  const parseJson = <T>(bytes: Uint8Array, schema: { parse(v: unknown): T }, what: string): T => {
    try {
      return schema.parse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)));
    } catch (cause) {
      throw new SecomError('PAYLOAD_SCHEMA', `the payload is not ${what}`, { cause });
    }
  };

  /** Runs one signed exchange: every outcome is one register entry; refusals answer in SECOM's form. */
  const exchange = (action: string, allowMrn: RegExp, handle: (peer: string, bytes: Uint8Array, tx: string) => Promise<{ code: string; detail: string; body: object }>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const upload = req.body as UploadObject;
      const tx = upload.envelope.transactionIdentifier;
      let peer: string | undefined;
      try {
        const opened = await openUpload(upload, allowMrn, (m) => (peer = m));
        const result = await handle(opened.peer, opened.bytes, tx);
        lastPrivate = now();
        await record({ action, code: result.code, transactionId: tx, peer: opened.peer, detail: result.detail });
        return result.body;
      } catch (error) {
        if (!(error instanceof SecomError)) throw error;
        await record({ action, code: error.reason, transactionId: tx, ...(peer === undefined ? {} : { peer }), detail: error.message.slice(0, 200) });
        const r = refuse(error.reason, error.message);
        return reply.code(r.status).send(r.body);
      }
    };

  app.post('/v1/object', { schema: { body: uploadSchema } }, exchange('report-in', REPORTER_MRN, async (peer, bytes, tx) => {
    const report = parseJson(bytes, securityReportSchema, 'a security report');
    options.onReport?.(report, peer);
    return { code: 'ACCEPTED', detail: `${report.events.length} events from ${report.station}`, body: { responseText: 'accepted', transactionIdentifier: tx } };
  }));

  /** Granted renewals awaiting acknowledgement: transaction id → vessel MRN (bounded). */
  const granted = new Map<string, string>();
  const authoritySigner = { certificate: options.identity.certificate, privateKey: options.identity.privateKey, root: options.identityRoot };

  app.post('/v1/access', { schema: { body: uploadSchema } }, exchange('renewal', VESSEL_MRN, async (peer, bytes, tx) => {
    if (options.renew === undefined) throw new SecomError('NOT_FOUND', 'this service grants no renewals');
    const request = parseJson(bytes, renewalRequestSchema, 'a renewal request');
    const permit = await options.renew(peer, request);
    if (granted.size >= 10_000) granted.delete(granted.keys().next().value!);
    granted.set(tx, peer);
    const sealed = sealPayload(permit, authoritySigner, true);
    return {
      code: 'GRANTED',
      detail: `mmsi ${request.mmsi} epoch ${request.epoch}`,
      body: { responseText: 'granted', transactionIdentifier: tx, decision: true, permit: { data: sealed.data, exchangeMetadata: sealed.exchangeMetadata, ackRequest: 3 } },
    };
  }));

  app.post('/v1/subscription', { schema: { body: uploadSchema } }, exchange('subscription', VESSEL_MRN, async (peer, bytes) => {
    if (options.groups === undefined) throw new SecomError('NOT_FOUND', 'this service offers no subscriptions');
    const request = parseJson(bytes, groupSubscriptionSchema, 'a group subscription');
    const { keyId } = options.groups.member(peer, request.groupId);
    const handOut = options.groups.handOut(request.groupId);
    if (handOut === undefined || handOut.keyId !== keyId) throw new SecomError('NOT_FOUND', `no hand-out of group ${request.groupId} key ${keyId} is held`);
    const sealed = sealPayload(new TextEncoder().encode(JSON.stringify(handOut)), authoritySigner, true);
    const subscriptionIdentifier = randomUUID();
    return {
      code: 'SUBSCRIBED',
      detail: `group ${request.groupId} key ${keyId} subscription ${subscriptionIdentifier}`,
      body: { subscriptionIdentifier, message: 'subscribed', handOut: { data: sealed.data, exchangeMetadata: sealed.exchangeMetadata, fromSubscription: true, ackRequest: 0 } },
    };
  }));

  app.post('/v1/acknowledgement', { schema: { body: uploadSchema } }, exchange('acknowledgement', VESSEL_MRN, async (peer, bytes) => {
    const ack = parseJson(bytes, ackSchema, 'an acknowledgement');
    if (granted.get(ack.transactionIdentifier) !== peer) throw new SecomError('NOT_FOUND', `no renewal ${ack.transactionIdentifier} granted to ${peer}`);
    const kind = ack.ackType === 1 ? 'DELIVERED' : ack.ackType === 2 ? 'OPENED' : 'ERROR';
    if (ack.ackType === 2) granted.delete(ack.transactionIdentifier);
    return { code: kind, detail: `renewal ${ack.transactionIdentifier}`, body: { SECOM_ResponseCode: null, message: 'acknowledged' } };
  }));

  await app.listen({ host: listen.host ?? '127.0.0.1', port: listen.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { app, url: `https://127.0.0.1:${port}`, close: () => app.close() };
}

export const newTransactionId = (): string => randomUUID();
