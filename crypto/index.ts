/**
 * crypto/ — the mIBC identity-based cryptography (Goudosis & Katsikas 2020 §4; DESIGN.md §3) on BLS12-381 with
 * mcl-wasm. Pure functions on Uint8Array; the only global is the one-time mcl initialisation (top-level await).
 */
export {
  CryptoError, CryptoDecodeError, KemRejectedError, AeadAuthError, KeyMismatchError, MrnError,
  type CryptoErrorCode, type MrnErrorCode,
} from './errors.js';
export {
  setup, decodePublicParams, checkMasterSecret, type PublicParams,
  PARAMS_BYTES, MASTER_SECRET_BYTES, PARAMS_VERSION, SUITE_CURVE_BLS12_381, SUITE_HASH_XMD_SHA256,
} from './params.js';
export {
  parseMrn, parseMcpMrn, isMrn, isMcpMrn, canonicalMrn, isCanonicalMrn, isValidMmsi, isValidImo, vesselMrn, type VesselMrn,
  MCP_TYPES, MRN_MAX_LENGTH, type Mrn, type McpMrn, type McpType,
} from './mrn.js';
export {
  mmsiForm, mmsiRefusal, isPseudoMmsi, MMSI_FORMS, MID_MIN, MID_MAX, PSEUDO_MMSI_MIN, PSEUDO_MMSI_MAX, type MmsiForm,
} from './mmsi.js';
export { identityBytes, mmsiIdentity, IDENTITY_KIND, MAX_EPOCH, MAX_MMSI, type Identity } from './identity.js';
export {
  extractSigningKey, extractDecryptionKey, checkSigningKey, checkDecryptionKey,
  SIGNING_KEY_BYTES, DECRYPTION_KEY_BYTES,
} from './extract.js';
export {
  sign, verify, prepareSigner, prepareVerifier, SIGNATURE_BYTES, CHALLENGE_BYTES,
  type ChallengeForm, type SignOptions, type Signer, type Verifier,
} from './blmq.js';
export {
  encapsulate, decapsulate, prepareDecryptor, KEM_KEY_BYTES, KEM_CIPHERTEXT_BYTES, type Decryptor,
} from './skkem.js';
export {
  groupNonce, groupSeal, groupOpen, nextGroupSequence, recoverUtcSeconds, wrapGroupKey, unwrapGroupKey,
  GROUP_KEY_BYTES, GROUP_NONCE_BYTES, GROUP_TAG_BYTES, MAX_GROUP_COUNTER, MAX_GROUP_INSTANCE, WRAPPED_GROUP_KEY_BYTES,
  type GroupNonce, type GroupSealOptions,
} from './group-aead.js';
export { uintBE, type RandomSource } from './_utils.js';
export { wasmMemoryBytes } from './wasm-memory.js';
