/**
 * The vessel side of key renewal (SECOM consumer, on the vessel operator's shore server or on the appliance when it
 * has connectivity): asks the authority for the permit of the current epoch (which carries the next epoch's key too),
 * checks the authority's data signature and that the permit is for this appliance, acknowledges *delivered*, hands
 * the permit over (the last mile, injected: cli/secom.ts writes it atomically where the daemon's `keys.permit` points
 * and signals a reload), waits until the daemon has installed it, and acknowledges *opened* — or *error* (ackType 3)
 * when the daemon did not install it in time. Nothing is handed over unless every check passed.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import type * as x509 from '@peculiar/x509';
import { decodePermitFile, deviceIdOf } from '../../firmware/permit/index.js';
import { checkCertificate } from './certificate.js';
import { secomRequest } from './client.js';
import { signUpload, type EnvelopeSigner } from './envelope.js';
import { SecomError, type SecomReason, SECOM_REASONS } from './errors.js';
import { openPayload, sealPayload } from './payload.js';
import { RENEWAL_REQUEST_FORMAT } from './renewal.js';
import { newTransactionId } from './server.js';
import { verifyHex } from './signature.js';

export interface RenewalConsumerOptions {
  /** The authority's service, https://… */
  readonly authorityUrl: string;
  /** The authority's TLS trust anchor (PEM). */
  readonly ca: string | Buffer;
  /** The authority's SECOM root: its data signatures must chain to it. */
  readonly authorityRoot: x509.X509Certificate;
  /** This vessel's SECOM certificate, key and root. */
  readonly signer: EnvelopeSigner;
  readonly mmsi: number;
  readonly devicePublicKey: Uint8Array;
  readonly epoch: number;
  /** The last mile: puts the permit where the daemon installs it from. */
  readonly handOver: (permit: Uint8Array) => Promise<void>;
  /** True once the daemon has installed a permit of this issuer with at least this sequence. */
  readonly installed: (issuerId: string, sequence: number) => Promise<boolean>;
  readonly waitMs?: number;
  readonly pollMs?: number;
  readonly now?: () => number;
}

export interface RenewalOutcome {
  readonly transactionId: string;
  readonly sequence: number;
  readonly installed: boolean;
}

const AUTHORITY_MRN = /^urn:mrn:mcp:(service|org):/i;

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
  const request = envelope(o, { format: RENEWAL_REQUEST_FORMAT, version: 1, mmsi: o.mmsi, devicePublicKey: bytesToHex(o.devicePublicKey), epoch: o.epoch });
  const tx = request.envelope.transactionIdentifier;
  const r = await secomRequest(`${o.authorityUrl}/v1/access`, { method: 'POST', ca: o.ca, body: request });
  if (r.status !== 200) throw new SecomError(reasonOf(r.body), `renewal refused: ${JSON.stringify(r.body).slice(0, 200)}`);
  const reply = r.body as { decision?: boolean; permit?: { data?: string; exchangeMetadata?: { compressionFlag?: boolean; digitalSignatureValue?: { publicCertificate?: string; digitalSignature?: string } } } };
  const meta = reply.permit?.exchangeMetadata;
  const sig = meta?.digitalSignatureValue;
  if (reply.decision !== true || typeof reply.permit?.data !== 'string' || typeof sig?.publicCertificate !== 'string' || typeof sig.digitalSignature !== 'string') {
    throw new SecomError('PAYLOAD_SCHEMA', 'the renewal reply carries no permit');
  }
  const cert = await checkCertificate(sig.publicCertificate, [o.authorityRoot], now(), (m) => AUTHORITY_MRN.test(m));
  const permit = openPayload(reply.permit.data, meta?.compressionFlag === true);
  if (!verifyHex(permit, sig.digitalSignature, cert.certificate)) throw new SecomError('DATA_SIGNATURE', 'the authority\'s data signature over the permit does not verify');
  let decoded;
  try {
    decoded = decodePermitFile(permit);
  } catch (cause) {
    throw new SecomError('PAYLOAD_SCHEMA', 'the payload is not a key permit', { cause });
  }
  // The appliance would refuse it too (it cannot unwrap the keys); refusing here keeps the last mile clean.
  if (bytesToHex(decoded.deviceId) !== bytesToHex(deviceIdOf(o.devicePublicKey))) throw new SecomError('UNKNOWN_DEVICE', 'the permit is for another appliance');
  await acknowledge(o, tx, 1);
  await o.handOver(permit);
  const deadline = now() + (o.waitMs ?? 120_000);
  let installed = await o.installed(decoded.certificate.issuerId, decoded.sequence);
  while (!installed && now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, o.pollMs ?? 500));
    installed = await o.installed(decoded.certificate.issuerId, decoded.sequence);
  }
  await acknowledge(o, tx, installed ? 2 : 3);
  return { transactionId: tx, sequence: decoded.sequence, installed };
}
