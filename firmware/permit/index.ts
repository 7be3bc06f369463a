/** Key permits on the appliance: decode, verify and install (S-63's permit process with modern crypto). */
export { PERMIT_ALARMS, PermitError, type PermitAlarmCode, type PermitErrorCode } from './alarms.js';
export {
  decodeIssuerCertificate,
  encodeIssuerCertificate,
  issuerCertificateTbs,
  verifyIssuerCertificate,
  type IssuerCertificate,
  type IssuerCertificateFields,
} from './certificate.js';
export {
  KEY_KINDS,
  MAX_PERMIT_BYTES,
  MAX_RECORDS,
  decodePermitFile,
  encodePermitBody,
  encodePermitFile,
  recordAad,
  type KeyKind,
  type PermitFile,
  type PermitHeader,
  type PermitRecord,
  type PermitRecordFields,
} from './format.js';
export { deviceIdOf, deviceKeyFromSecret, deriveKek, wrapKey } from './key-wrap.js';
export {
  DAY,
  DEFAULT_WARN_DAYS,
  EMPTY_KEY_SET,
  installPermit,
  keySetAlarms,
  type DeviceKey,
  type InstallContext,
  type InstallResult,
  type InstalledKey,
  type KeySet,
  type PermitWarning,
} from './install.js';
export { KEY_SET_FORMAT, KEY_SET_VERSION, KeySetCodecError, decodeKeySet, encodeKeySet } from './key-set-codec.js';
