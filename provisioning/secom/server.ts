/**
 * The authority's SECOM shore service (IEC 63173-2 as SECOMLib implements v1, reference notes §2; docs/secom.md):
 * a Fastify HTTPS server with JSON-schema-validated bodies.
 *   GET    /v1/ping             liveness and the last private interaction
 *   GET    /v1/capability       what this service implements
 *   GET    /v1/object/summary   the public catalogue: parameters, issuer certificates, status lists
 *   GET    /v1/object           one catalogue object, data-signed by the authority
 *   POST   /v1/object           reports in: security events, envelope- and data-signed by a vessel or VTS certificate
 *   POST   /v1/access           key renewal: decision in the reply, then Access Notification and the permit's Upload
 *                               to the vessel operator's server (permit-delivery.ts)
 *   POST   /v1/acknowledgement  delivered / opened (installed on the appliance) / error, for a granted renewal
 *   POST   /v1/subscription     group keys for a named member; DELETE removes the subscription
 * Every exchange, accepted or refused, and every step of a permit delivery is recorded in the PKG register (the
 * source of truth) with its reason code. Bounds: request body size, payload and inflated size, request rate per
 * address, replay memory.
 */
import { randomUUID } from 'node:crypto';
import type * as x509 from '@peculiar/x509';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CONTAINER_TYPE, type UploadObject } from './envelope.js';
import { SecomError } from './errors.js';
import { refuse, secomApp, urlOf } from './http-app.js';
import { ReplayMemory } from './limits.js';
import { MAX_PAYLOAD_BYTES, sealPayload } from './payload.js';
import { deliverPermit } from './permit-delivery.js';
import type { SecomIdentity } from './pki.js';
import { groupSubscriptionSchema, type GroupHandOut } from './group-subscription.js';
import { renewalRequestSchema, type RenewalRequest } from './renewal.js';
import { securityReportSchema, type SecurityReport } from './report.js';
import { openUpload, parseJsonPayload, UPLOAD_BODY_SCHEMA, UUID_PATTERN } from './upload-check.js';

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
  readonly identity: Pick<SecomIdentity, 'certificate' | 'privateKey'>;
  readonly identityRoot: x509.X509Certificate;
  /** Roots whose certificates may upload (the MCP identity provider of the fleet, the authority's own CA). */
  readonly trustedRoots: readonly x509.X509Certificate[];
  /** Writes one register entry (Pkg.recordSecom). */
  readonly record: (r: SecomRecord) => Promise<void>;
  readonly catalogue: () => readonly CatalogueItem[];
  /**
   * Key renewal: the decision (renewal.ts decideRenewal with the PKG) and the trust anchors of vessel operators'
   * SECOM servers, to which granted permits are uploaded. Absent: /v1/access refuses.
   */
  readonly renewal?: {
    readonly decide: (mrn: string, request: RenewalRequest) => Promise<Uint8Array>;
    readonly consumerCa: string | Buffer | (string | Buffer)[];
  };
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
/** Remove Subscription payload (SECOMLib's RemoveSubscriptionObject), signed like every other POST here. */
const removeSubscriptionSchema = z.strictObject({ subscriptionIdentifier: z.uuid() });
/** Granted renewals and subscriptions held in memory: oldest forgotten first. */
const MAX_HELD = 10_000;

export interface SecomService {
  readonly app: FastifyInstance;
  readonly url: string;
  /** Resolves when every permit delivery started so far has ended (tests, orderly shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= MAX_HELD) map.delete(map.keys().next().value!);
  map.set(key, value);
}

export async function startSecomService(options: SecomServiceOptions, listen: { host?: string; port?: number } = {}): Promise<SecomService> {
  const now = options.now ?? Date.now;
  const maxPayload = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const freshness = options.freshnessMs ?? 5 * 60_000;
  const replay = new ReplayMemory(freshness * 2);
  // One register write at a time: the register chains each entry to the one before, so concurrent appends would race.
  let writing: Promise<unknown> = Promise.resolve();
  const record = (r: SecomRecord): Promise<void> => {
    const next = writing.then(() => options.record(r));
    writing = next.catch(() => undefined);
    return next;
  };
  let lastPrivate = 0;
  const app = secomApp({
    tls: options.tls,
    // The base64 of the largest payload plus the envelope's certificates and fields.
    bodyLimit: Math.ceil((maxPayload * 4) / 3) + 64 * 1024,
    rate: options.rate ?? { perSecond: 20, burst: 40 },
    now,
    onRefused: (code, detail, path) => record({ action: actionOf(path), code, ...(detail === '' ? {} : { detail }) }),
  });
  const authoritySigner = { certificate: options.identity.certificate, privateKey: options.identity.privateKey, root: options.identityRoot };

  app.get('/v1/ping', async () => ({ lastPrivateInteractionTime: lastPrivate === 0 ? null : new Date(lastPrivate).toISOString() }));

  app.get('/v1/capability', async () => ({
    capability: [{
      containerType: CONTAINER_TYPE.NONE,
      dataProductType: 'OTHER',
      productSchemaUrl: 'https://example.invalid/mibc-ais/docs/secom.md',
      implementedInterfaces: { upload: true, uploadLink: false, get: true, getSummary: true, getByLink: false, subscription: options.groups !== undefined, access: options.renewal !== undefined, encryptionKey: false },
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

  app.get('/v1/object', { schema: { querystring: { type: 'object', properties: { dataReference: { type: 'string', pattern: UUID_PATTERN } } } } }, async (req, reply) => {
    const ref = (req.query as { dataReference?: string }).dataReference;
    const items = options.catalogue().filter((i) => ref === undefined || i.dataReference === ref);
    if (items.length === 0) return refuse(reply, 'NOT_FOUND', `no object ${ref}`);
    return {
      dataResponseObject: items.map((i) => {
        const sealed = sealPayload(i.bytes, authoritySigner, false);
        return { data: sealed.data, exchangeMetadata: sealed.exchangeMetadata, ackRequest: 0 };
      }),
      pagination: { totalItems: items.length, maxItemsPerPage: items.length },
      responseText: 'ok',
    };
  });

  /** Runs one signed exchange: every outcome is one register entry; refusals answer in SECOM's form. */
  const exchange = (action: string, allowMrn: RegExp, handle: (peer: string, bytes: Uint8Array, tx: string) => Promise<{ code: string; detail: string; body: object; after?: () => void }>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const upload = req.body as UploadObject;
      const tx = upload.envelope.transactionIdentifier;
      let peer: string | undefined;
      try {
        const opened = await openUpload(upload, { trustedRoots: options.trustedRoots, allowMrn, now, freshnessMs: freshness, replay, maxPayloadBytes: maxPayload }, (m) => (peer = m));
        const result = await handle(opened.peer, opened.bytes, tx);
        lastPrivate = now();
        await record({ action, code: result.code, transactionId: tx, peer: opened.peer, detail: result.detail });
        result.after?.();
        return result.body;
      } catch (error) {
        if (!(error instanceof SecomError)) throw error;
        await record({ action, code: error.reason, transactionId: tx, ...(peer === undefined ? {} : { peer }), detail: error.message.slice(0, 200) });
        return refuse(reply, error.reason, error.message);
      }
    };

  app.post('/v1/object', { schema: { body: UPLOAD_BODY_SCHEMA } }, exchange('report-in', REPORTER_MRN, async (peer, bytes, tx) => {
    const report = parseJsonPayload(bytes, securityReportSchema, 'a security report');
    options.onReport?.(report, peer);
    return { code: 'ACCEPTED', detail: `${report.events.length} events from ${report.station}`, body: { responseText: 'accepted', transactionIdentifier: tx } };
  }));

  /** Granted renewals awaiting acknowledgement: transaction id → vessel MRN. */
  const granted = new Map<string, string>();
  const deliveries = new Set<Promise<unknown>>();

  app.post('/v1/access', { schema: { body: UPLOAD_BODY_SCHEMA } }, exchange('renewal', VESSEL_MRN, async (peer, bytes, tx) => {
    const renewal = options.renewal;
    if (renewal === undefined) throw new SecomError('NOT_FOUND', 'this service grants no renewals');
    const request = parseJsonPayload(bytes, renewalRequestSchema, 'a renewal request');
    const permit = await renewal.decide(peer, request);
    remember(granted, tx, peer);
    return {
      code: 'GRANTED',
      detail: `mmsi ${request.mmsi} epoch ${request.epoch} to ${request.callbackEndpoint.slice(0, 120)}`,
      body: { responseText: 'granted', transactionIdentifier: tx, decision: true },
      // After the GRANTED entry is written: notification, then the permit's upload, each recorded.
      after: () => {
        const delivery = deliverPermit(
          { callbackEndpoint: request.callbackEndpoint, transactionId: tx, permit, reason: `key permit for epochs ${request.epoch} and ${request.epoch + 1}` },
          { signer: authoritySigner, ca: renewal.consumerCa, now, record: (o) => record({ action: o.step, code: o.code, transactionId: tx, peer, detail: o.detail }) },
        ).catch(() => undefined);
        deliveries.add(delivery);
        void delivery.finally(() => deliveries.delete(delivery));
      },
    };
  }));

  /** Subscriptions held: identifier → subscriber MRN and group. */
  const subscriptions = new Map<string, { mrn: string; groupId: number }>();

  app.post('/v1/subscription', { schema: { body: UPLOAD_BODY_SCHEMA } }, exchange('subscription', VESSEL_MRN, async (peer, bytes) => {
    if (options.groups === undefined) throw new SecomError('NOT_FOUND', 'this service offers no subscriptions');
    const request = parseJsonPayload(bytes, groupSubscriptionSchema, 'a group subscription');
    const { keyId } = options.groups.member(peer, request.groupId);
    const handOut = options.groups.handOut(request.groupId);
    if (handOut === undefined || handOut.keyId !== keyId) throw new SecomError('NOT_FOUND', `no hand-out of group ${request.groupId} key ${keyId} is held`);
    const sealed = sealPayload(new TextEncoder().encode(JSON.stringify(handOut)), authoritySigner, true);
    const subscriptionIdentifier = randomUUID();
    remember(subscriptions, subscriptionIdentifier, { mrn: peer, groupId: request.groupId });
    return {
      code: 'SUBSCRIBED',
      detail: `group ${request.groupId} key ${keyId} subscription ${subscriptionIdentifier}`,
      body: { subscriptionIdentifier, message: 'subscribed', handOut: { data: sealed.data, exchangeMetadata: sealed.exchangeMetadata, fromSubscription: true, ackRequest: 0 } },
    };
  }));

  app.delete('/v1/subscription', { schema: { body: UPLOAD_BODY_SCHEMA } }, exchange('subscription-remove', VESSEL_MRN, async (peer, bytes) => {
    const { subscriptionIdentifier } = parseJsonPayload(bytes, removeSubscriptionSchema, 'a subscription removal');
    const held = subscriptions.get(subscriptionIdentifier);
    // Another vessel's subscription is answered like an unknown one: identifiers are not confirmed to strangers.
    if (held === undefined || held.mrn !== peer) throw new SecomError('NOT_FOUND', `no subscription ${subscriptionIdentifier} of ${peer}`);
    subscriptions.delete(subscriptionIdentifier);
    return { code: 'REMOVED', detail: `group ${held.groupId} subscription ${subscriptionIdentifier}`, body: { message: 'removed', subscriptionIdentifier } };
  }));

  app.post('/v1/acknowledgement', { schema: { body: UPLOAD_BODY_SCHEMA } }, exchange('acknowledgement', VESSEL_MRN, async (peer, bytes) => {
    const ack = parseJsonPayload(bytes, ackSchema, 'an acknowledgement');
    if (granted.get(ack.transactionIdentifier) !== peer) throw new SecomError('NOT_FOUND', `no renewal ${ack.transactionIdentifier} granted to ${peer}`);
    const kind = ack.ackType === 1 ? 'DELIVERED' : ack.ackType === 2 ? 'OPENED' : 'ERROR';
    if (ack.ackType !== 1) granted.delete(ack.transactionIdentifier);
    return { code: kind, detail: `renewal ${ack.transactionIdentifier}`, body: { SECOM_ResponseCode: null, message: 'acknowledged' } };
  }));

  const host = listen.host ?? '127.0.0.1';
  await app.listen({ host, port: listen.port ?? 0 });
  const idle = async () => {
    while (deliveries.size > 0) await Promise.all([...deliveries]);
    await writing;
  };
  return {
    app, url: urlOf(app, host), idle,
    close: async () => {
      await app.close();
      await idle();
    },
  };
}

/** The register action of a path refused before its handler ran. */
function actionOf(path: string): string {
  if (path.startsWith('/v1/access')) return 'renewal';
  if (path.startsWith('/v1/acknowledgement')) return 'acknowledgement';
  if (path.startsWith('/v1/subscription')) return 'subscription';
  return 'upload';
}

export const newTransactionId = (): string => randomUUID();
