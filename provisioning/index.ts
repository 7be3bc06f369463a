/** The authority's provisioning tools (DESIGN.md §2): key permits, card writer, S-63 compatibility. */
export { issueIssuerCertificate, issuePermit, type Issuer, type PermitKey, type PermitRequest } from './permit-writer.js';
export { writePermitToCard } from './card-writer.js';
export * as s63 from './s63/index.js';
export * as pkg from './pkg/index.js';
