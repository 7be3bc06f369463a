/**
 * The vessel side of key renewal (SECOM consumer, on the vessel operator's shore server or on the appliance when it
 * has connectivity), after SECOM's Access pattern (reference notes §2.6): registers the renewal with its own SECOM
 * server (vessel-server.ts), asks the authority for the permit of an epoch (which carries the next epoch's key too)
 * naming that server as `callbackEndpoint`, waits for the authority's Upload of the permit (checked there: the
 * authority's signatures, this transaction, this appliance), acknowledges *delivered*, hands the permit over (the
 * last mile, injected: cli/secom.ts writes it atomically where the daemon's `keys.permit` points and signals a
 * reload), waits until the daemon has installed it, and acknowledges *opened* — or *error* (ackType 3) when the
 * daemon did not install it in time. Nothing is handed over unless every check passed.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { secomRequest } from './client.js';
import { signUpload, type EnvelopeSigner } from './envelope.js';
import { SecomError, type SecomReason, SECOM_REASONS } from './errors.js';
import { sealPayload } from './payload.js';
import { RENEWAL_REQUEST_FORMAT } from './renewal.js';
import { newTransactionId } from './server.js';
import type { VesselServer } from './vessel-server.js';

export interface RenewalConsumerOptions {
  /** The authority's service, https://… */
  readonly authorityUrl: string;
  /** The authority's TLS trust anchor (PEM). */
  readonly ca: string | Buffer;
  /** This vessel's SECOM certificate, key and root. */
  readonly signer: EnvelopeSigner;
  readonly mmsi: number;
  readonly devicePublicKey: Uint8Array;
  readonly epoch: number;
  /** This vessel's SECOM server, listening, and the URL the authority reaches it at. */
  readonly server: VesselServer;
  readonly callbackEndpoint: string;
  /** Progress of the renewal, step by step (for the operator's log and the demo's trace). */
  readonly onStep?: (step: string, detail: Record<string, unknown>) => void;
  /** The last mile: puts the permit where the daemon installs it from. */
  readonly handOver: (permit: Uint8Array) => Promise<void>;
  /** True once the daemon has installed a permit of this issuer with at least this sequence. */
  readonly installed: (issuerId: string, sequence: number) => Promise<boolean>;
  /** How long to wait for the permit's upload, and then again for the install. */
  readonly waitMs?: number;
  readonly pollMs?: number;
  readonly now?: () => number;
}

export interface RenewalOutcome {
  readonly transactionId: string;
  readonly sequence: number;
  readonly installed: boolean;
}

function envelope(o: RenewalConsumerOptions, payload: unknown, tx = newTransactionId()) {
  const sealed = sealPayload(new TextEncoder().encode(JSON.stringify(payload)), o.signer, true);
  return signUpload(
    { data: sealed.data, containerType: 2, dataProductType: 'OTHER', exchangeMetadata: sealed.exchangeMetadata, fromSubscription: false, ackRequest: 0, transactionIdentifier: tx },
    o.signer,
    (o.now ?? Date.now)(),
  );
}

async function acknowledge(o: RenewalConsumerOptions, tx: string, ackType: 1 | 2 | 3): Promise<void> {
  const r = await secomRequest(`${o.authorityUrl}/v1/acknowledgement`, { method: 'POST', ca: o.ca, body: envelope(o, { transactionIdentifier: tx, ackType }) });
  if (r.status !== 200) throw new SecomError(reasonOf(r.body), `acknowledgement ${ackType} refused: ${JSON.stringify(r.body).slice(0, 200)}`);
}

function reasonOf(body: unknown): SecomReason {
  const reason = (body as { reason?: string } | undefined)?.reason;
  return reason !== undefined && reason in SECOM_REASONS ? (reason as SecomReason) : 'SCHEMA';
}

export async function renewPermit(o: RenewalConsumerOptions): Promise<RenewalOutcome> {
  const now = o.now ?? Date.now;
  const step = o.onStep ?? (() => undefined);
  const waitMs = o.waitMs ?? 120_000;
  const tx = newTransactionId();
  // Registered before asking: the upload may arrive before the Access reply does.
  const arrival = o.server.expect(tx, waitMs);
  arrival.catch(() => undefined);
  const request = envelope(o, {
    format: RENEWAL_REQUEST_FORMAT, version: 2, mmsi: o.mmsi, devicePublicKey: bytesToHex(o.devicePublicKey), epoch: o.epoch, callbackEndpoint: o.callbackEndpoint,
  }, tx);
  step('access-request', { transactionId: tx, epoch: o.epoch, callbackEndpoint: o.callbackEndpoint });
  const r = await secomRequest(`${o.authorityUrl}/v1/access`, { method: 'POST', ca: o.ca, body: request });
  if (r.status !== 200 || (r.body as { decision?: unknown }).decision !== true) {
    throw new SecomError(reasonOf(r.body), `renewal refused: ${JSON.stringify(r.body).slice(0, 200)}`);
  }
  step('decision', { transactionId: tx, decision: true });
  const received = await arrival;
  step('permit-upload-received', { transactionId: tx, sequence: received.decoded.sequence, from: received.peer });
  await acknowledge(o, tx, 1);
  step('ack-delivered', { transactionId: tx });
  await o.handOver(received.bytes);
  step('handed-over', { transactionId: tx });
  const { issuerId } = received.decoded.certificate;
  const { sequence } = received.decoded;
  const deadline = now() + waitMs;
  let installed = await o.installed(issuerId, sequence);
  while (!installed && now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, o.pollMs ?? 500));
    installed = await o.installed(issuerId, sequence);
  }
  step(installed ? 'installed' : 'not-installed', { transactionId: tx, sequence });
  await acknowledge(o, tx, installed ? 2 : 3);
  step(installed ? 'ack-opened' : 'ack-error', { transactionId: tx });
  return { transactionId: tx, sequence, installed };
}
