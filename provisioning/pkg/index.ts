/** The authority's PKG (paper §4.1–4.2, DESIGN.md §3): setup, extraction, pseudonyms, group keys, permits, registers. */
export { PkgError, PKG_ERROR_CODES, type PkgErrorCode } from './errors.js';
export {
  DEFAULT_PKG_ENV, DEFAULT_POLICY_DAYS, MAX_EPOCHS_PER_EXTRACT, MAX_GROUP_KEY_HOURS, MAX_POLICY_DAYS, PKG_FILES, Pkg, parseDeviceKey, parseKeyInput, readInput, setupPkg,
  checkAnchor, type AnchorReport, type IssueWriter,
  type AuthorityFile, type ExtractTarget, type GroupKeyOptions, type GroupKeyResult, type PkgEnv, type SetupOptions, type SetupResult,
} from './pkg.js';
export { PSEUDO_MMSI_MAX, PSEUDO_MMSI_MIN, drawPseudoMmsi, isPseudoMmsi } from './pseudonym.js';
export { mrnBindingKey, replayRegister, type RegisterEntry, type RegisterEvent, type RegisterState } from './register.js';
export { type RegisterAnchor, DEFAULT_SCRYPT_LOG_N, MIN_PASSPHRASE_CHARS, MIN_SCRYPT_LOG_N, MAX_SCRYPT_LOG_N } from './vault.js';
export { writeFileAtomic, type WriteOptions } from './_files.js';
