/**
 * The vessel operator's SECOM server (the consumer side of reference notes §2.6): where the authority uploads a
 * granted renewal's permit (`POST /v1/object`, ackRequest 3) and notifies the decision
 * (`POST /v1/access/notification`). It runs on the operator's shore server or on the appliance's host, for as long
 * as a renewal is outstanding (`mibc-ais secom renew --listen`).
 *
 * An upload is accepted only when every check passed, and only then is the permit handed on:
 *   the Upload checks (upload-check.ts) with the authority's SECOM root as the only trusted root and a service or
 *   organisation MRN → the transaction is a renewal this server asked for and has not yet received (an unsolicited
 *   or second permit is NOT_FOUND) → the payload is a key permit → for this appliance's device key.
 * Each refusal answers in SECOM's form with its reason and is reported through `onEvent`. The Access Notification is
 * unsigned in SECOMLib, so it is informational only: a forged "denied" cannot end a renewal, and what decides is
 * the signed upload.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import type * as x509 from '@peculiar/x509';
import { decodePermitFile, deviceIdOf, type PermitFile } from '../../firmware/permit/index.js';
import { SecomError } from './errors.js';
import type { UploadObject } from './envelope.js';
import { refuse, secomApp, urlOf } from './http-app.js';
import { ReplayMemory } from './limits.js';
import { MAX_PAYLOAD_BYTES } from './payload.js';
import { openUpload, UPLOAD_BODY_SCHEMA, UUID_PATTERN } from './upload-check.js';

/** What the authority may sign as: its SECOM service or the organisation. */
export const AUTHORITY_MRN = /^urn:mrn:mcp:(service|org):/i;

export type VesselServerEvent =
  | { readonly kind: 'notification'; readonly transactionId: string; readonly decision: boolean; readonly reason: string; readonly expected: boolean }
  | { readonly kind: 'permit'; readonly transactionId: string; readonly sequence: number; readonly peer: string }
  | { readonly kind: 'refused'; readonly path: string; readonly reason: string; readonly detail: string; readonly transactionId?: string };

export interface VesselServerOptions {
  readonly tls: { key: string | Buffer; cert: string | Buffer };
  /** The authority's SECOM root: uploads must be envelope- and data-signed by a certificate it issued. */
  readonly authorityRoot: x509.X509Certificate;
  /** The appliance's device public key: a permit for any other device is refused. */
  readonly devicePublicKey: Uint8Array;
  readonly onEvent?: (event: VesselServerEvent) => void;
  readonly now?: () => number;
  readonly freshnessMs?: number;
  readonly rate?: { perSecond: number; burst: number };
}

export interface ReceivedPermit {
  readonly bytes: Uint8Array;
  readonly decoded: PermitFile;
  readonly peer: string;
}

export interface VesselServer {
  readonly url: string;
  /** Waits for the permit of renewal `transactionId` (registered before the Access request is sent). */
  expect(transactionId: string, timeoutMs: number): Promise<ReceivedPermit>;
  close(): Promise<void>;
}

const notificationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['decision', 'transactionIdentifier'],
  properties: { decision: { type: 'boolean' }, reason: { type: 'string', maxLength: 500 }, transactionIdentifier: { type: 'string', pattern: UUID_PATTERN } },
} as const;

export async function startVesselServer(o: VesselServerOptions, listen: { host?: string; port?: number } = {}): Promise<VesselServer> {
  const now = o.now ?? Date.now;
  const replay = new ReplayMemory((o.freshnessMs ?? 5 * 60_000) * 2);
  const deviceId = bytesToHex(deviceIdOf(o.devicePublicKey));
  const waiting = new Map<string, { resolve: (p: ReceivedPermit) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  const emit = (e: VesselServerEvent) => o.onEvent?.(e);
  const app = secomApp({
    tls: o.tls,
    bodyLimit: Math.ceil((MAX_PAYLOAD_BYTES * 4) / 3) + 64 * 1024,
    rate: o.rate ?? { perSecond: 20, burst: 40 },
    now,
    onRefused: async (code, detail, path) => emit({ kind: 'refused', path, reason: code, detail }),
  });

  app.get('/v1/ping', async () => ({ lastPrivateInteractionTime: null }));

  app.post('/v1/access/notification', { schema: { body: notificationSchema } }, async (req) => {
    const n = req.body as { decision: boolean; reason?: string; transactionIdentifier: string };
    emit({ kind: 'notification', transactionId: n.transactionIdentifier, decision: n.decision, reason: n.reason ?? '', expected: waiting.has(n.transactionIdentifier) });
    return { SECOM_ResponseCode: null, responseText: 'noted' };
  });

  app.post('/v1/object', { schema: { body: UPLOAD_BODY_SCHEMA } }, async (req, reply) => {
    const upload = req.body as UploadObject;
    const tx = upload.envelope.transactionIdentifier;
    try {
      const opened = await openUpload(upload, {
        trustedRoots: [o.authorityRoot], allowMrn: AUTHORITY_MRN, now, freshnessMs: o.freshnessMs ?? 5 * 60_000, replay, maxPayloadBytes: MAX_PAYLOAD_BYTES,
      });
      const wait = waiting.get(tx);
      if (wait === undefined) throw new SecomError('NOT_FOUND', `no renewal ${tx} is outstanding here`);
      let decoded: PermitFile;
      try {
        decoded = decodePermitFile(opened.bytes);
      } catch (cause) {
        throw new SecomError('PAYLOAD_SCHEMA', 'the payload is not a key permit', { cause });
      }
      // The appliance would refuse it too (it cannot unwrap the keys); refusing here keeps the last mile clean.
      if (bytesToHex(decoded.deviceId) !== deviceId) throw new SecomError('UNKNOWN_DEVICE', 'the permit is for another appliance');
      waiting.delete(tx);
      clearTimeout(wait.timer);
      emit({ kind: 'permit', transactionId: tx, sequence: decoded.sequence, peer: opened.peer });
      wait.resolve({ bytes: opened.bytes, decoded, peer: opened.peer });
      return { SECOM_ResponseCode: null, responseText: 'received', transactionIdentifier: tx };
    } catch (error) {
      if (!(error instanceof SecomError)) throw error;
      emit({ kind: 'refused', path: '/v1/object', reason: error.reason, detail: error.message.slice(0, 200), transactionId: tx });
      return refuse(reply, error.reason, error.message);
    }
  });

  const host = listen.host ?? '127.0.0.1';
  await app.listen({ host, port: listen.port ?? 0 });
  return {
    url: urlOf(app, host),
    expect: (transactionId, timeoutMs) =>
      new Promise<ReceivedPermit>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(transactionId);
          reject(new Error(`no permit for renewal ${transactionId} arrived within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        waiting.set(transactionId, { resolve, reject, timer });
      }),
    close: async () => {
      for (const [tx, w] of waiting) {
        clearTimeout(w.timer);
        w.reject(new Error(`renewal ${tx}: the vessel server closed`));
      }
      waiting.clear();
      await app.close();
    },
  };
}
