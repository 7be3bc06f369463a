/**
 * After a granted renewal the authority tells the vessel operator's server the decision (SECOM Access Notification,
 * `POST /v1/access/notification`, SECOMLib's `{ decision, reason, transactionIdentifier }`) and uploads the permit
 * there (`POST /v1/object`, ackRequest 3: delivered and opened), envelope- and data-signed by the authority's SECOM
 * certificate (reference notes §2.6). The upload carries the Access request's transaction identifier so that the
 * vessel's acknowledgements name the renewal. The consumer server's TLS certificate must chain to `consumerCa`.
 * SECOM defines no retries: a failed upload is recorded and the vessel asks again.
 */
import { secomRequest } from './client.js';
import { ACK_REQUEST, CONTAINER_TYPE, signUpload, type EnvelopeSigner } from './envelope.js';
import { sealPayload } from './payload.js';

export interface PermitDelivery {
  readonly callbackEndpoint: string;
  readonly transactionId: string;
  readonly permit: Uint8Array;
  readonly reason: string;
}

export interface DeliveryOutcome {
  readonly step: 'access-notification' | 'permit-upload';
  /** SENT (2xx), REFUSED (the consumer's reason), or UNREACHABLE. */
  readonly code: string;
  readonly detail: string;
}

const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;

async function post(url: string, body: unknown, ca: string | Buffer | (string | Buffer)[]): Promise<{ code: string; detail: string }> {
  try {
    const r = await secomRequest(url, { method: 'POST', ca, body, timeoutMs: 30_000 });
    if (r.status >= 200 && r.status < 300) return { code: 'SENT', detail: `${r.status}` };
    const reason = (r.body as { reason?: unknown } | undefined)?.reason;
    return { code: 'REFUSED', detail: `${r.status} ${typeof reason === 'string' ? reason.slice(0, 40) : ''}`.trim() };
  } catch (error) {
    return { code: 'UNREACHABLE', detail: (error as Error).message.slice(0, 200) };
  }
}

/** Notification, then upload; each step's outcome goes to `record` as it happens. */
export async function deliverPermit(
  d: PermitDelivery,
  o: { signer: EnvelopeSigner; ca: string | Buffer | (string | Buffer)[]; now: () => number; record: (outcome: DeliveryOutcome) => Promise<void> },
): Promise<boolean> {
  const notified = await post(join(d.callbackEndpoint, '/v1/access/notification'), { decision: true, reason: d.reason, transactionIdentifier: d.transactionId }, o.ca);
  await o.record({ step: 'access-notification', ...notified });
  const sealed = sealPayload(d.permit, o.signer, true);
  const upload = signUpload(
    {
      data: sealed.data, containerType: CONTAINER_TYPE.NONE, dataProductType: 'OTHER', exchangeMetadata: sealed.exchangeMetadata,
      fromSubscription: false, ackRequest: ACK_REQUEST.DELIVERED_AND_OPENED, transactionIdentifier: d.transactionId,
    },
    o.signer,
    o.now(),
  );
  const uploaded = await post(join(d.callbackEndpoint, '/v1/object'), upload, o.ca);
  await o.record({ step: 'permit-upload', ...uploaded });
  return uploaded.code === 'SENT';
}
