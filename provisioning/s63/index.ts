/** S-63 (IHO Data Protection Scheme ed. 1.2.1) compatibility: permits, PERMIT.TXT and signature files. */
export { S63Error, SSE_MESSAGES, type SseCode } from './errors.js';
export { createUserPermit, decodeUserPermit, type UserPermitFields } from './userpermit.js';
export { createCellPermit, verifyCellPermit, type CellPermit } from './cell-permit.js';
export {
  parsePermitFile,
  checkPermitFile,
  type PermitFile,
  type PermitRecord,
  type PermitFileCheck,
  type InstalledCellPermit,
} from './permit-file.js';
export { dsaVerifySha1, type DsaPublicKey, type DsaSignature } from './dsa.js';
export {
  parseSignatureFile,
  parsePublicKeyText,
  publicKeyText,
  checkSignatureFile,
  signatureFileName,
  type SignatureFile,
  type SignatureCheck,
} from './signature-file.js';
export { crc32 } from './crc32.js';
