/** The authority's SECOM shore services (docs/secom.md). */
export { checkCertificate, MCP_MRN, type CheckedCertificate } from './certificate.js';
export { secomRequest, type SecomReply } from './client.js';
export { ACK_REQUEST, CONTAINER_TYPE, parseSecomTime, secomTime, signUpload, uploadSignedText, verifyUpload, type EnvelopeSigner, type ExchangeMetadata, type UploadEnvelope, type UploadObject } from './envelope.js';
export { SECOM_REASONS, SECOM_RESPONSE, SecomError, type SecomReason } from './errors.js';
export { RateLimiter, ReplayMemory } from './limits.js';
export { MAX_PAYLOAD_BYTES, openPayload, PAYLOAD_ENTRY, sealPayload, unzipBounded, type SealedPayload } from './payload.js';
export { certificateToBase64, createRoot, issueLeaf, issueTlsServer, mrnOf, thumbprint, UID_OID, type CertificateRequest, type SecomIdentity } from './pki.js';
export { checkGroupMember, GROUP_SUBSCRIPTION_FORMAT, groupSubscriptionSchema, type GroupHandOut, type GroupSubscription } from './group-subscription.js';
export { renewPermit, type RenewalConsumerOptions, type RenewalOutcome } from './consumer.js';
export { decideRenewal, RENEWAL_REQUEST_FORMAT, renewalRequestSchema, type RenewalRequest } from './renewal.js';
export { SECURITY_REPORT_FORMAT, securityReportSchema, type SecurityReport } from './report.js';
export { deliverPermit, type DeliveryOutcome, type PermitDelivery } from './permit-delivery.js';
export { refusal, secomApp, urlOf } from './http-app.js';
export { openUpload, parseJsonPayload, UPLOAD_BODY_SCHEMA, type UploadCheck } from './upload-check.js';
export { AUTHORITY_MRN, startVesselServer, type ReceivedPermit, type VesselServer, type VesselServerEvent, type VesselServerOptions } from './vessel-server.js';
export { pkgCatalogue, revocationList, REVOCATION_LIST_FORMAT } from './catalogue.js';
export { newTransactionId, startSecomService, type CatalogueItem, type SecomRecord, type SecomService, type SecomServiceOptions } from './server.js';
export { SIGNATURE_REFERENCE, signHex, verifyHex } from './signature.js';
