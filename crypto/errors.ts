/**
 * Typed errors of the crypto layer (STYLE.md guideline 3).
 *
 * Misuse (wrong argument types, lengths the caller controls, out-of-range integers) throws TypeError/RangeError.
 * Bad data — bytes that came from a file, a token or the air — throws a `CryptoError` subclass whose literal
 * `code` lets the stream layer count failures by cause without parsing messages. `verify()` does not throw for
 * a well-formed signature that fails to verify; it returns false.
 */

export type CryptoErrorCode =
  | 'CRYPTO_BAD_LENGTH'
  | 'CRYPTO_BAD_ENCODING'
  | 'CRYPTO_NOT_ON_CURVE'
  | 'CRYPTO_WRONG_SUBGROUP'
  | 'CRYPTO_IDENTITY_ELEMENT'
  | 'CRYPTO_SCALAR_RANGE'
  | 'CRYPTO_UNSUPPORTED_VERSION'
  | 'CRYPTO_UNSUPPORTED_SUITE'
  | 'CRYPTO_INCONSISTENT_PARAMS'
  | 'CRYPTO_KEY_MISMATCH'
  | 'CRYPTO_KEM_REJECTED'
  | 'CRYPTO_AEAD_AUTH';

/** Base class: every bad-data failure in crypto/ is one of these. */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An encoding (point, scalar, parameter file, signature, ciphertext) that could not be decoded. */
export class CryptoDecodeError extends CryptoError {}

/** Decapsulation re-encryption check failed (IEEE 1363.3 SK-KEM): ciphertext not for this key or tampered. */
export class KemRejectedError extends CryptoError {
  constructor(message = 'SK-KEM ciphertext rejected', options?: { cause?: unknown }) {
    super('CRYPTO_KEM_REJECTED', message, options);
  }
}

/** AEAD tag mismatch: nothing of the plaintext is released. */
export class AeadAuthError extends CryptoError {
  constructor(message = 'group AEAD authentication failed', options?: { cause?: unknown }) {
    super('CRYPTO_AEAD_AUTH', message, options);
  }
}

/** A key that decodes but does not belong to the claimed identity/parameters. */
export class KeyMismatchError extends CryptoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CRYPTO_KEY_MISMATCH', message, options);
  }
}

export type MrnErrorCode = 'MRN_SYNTAX' | 'MRN_NOT_MCP' | 'MRN_PROFILE';

/** An MRN that does not follow the ABNF of MCP IDsec 2 §1 / RFC 8141, or a profile rule (MMSI, IMO). */
export class MrnError extends Error {
  readonly code: MrnErrorCode;
  /** Offset in the input where parsing stopped (−1 when not positional). */
  readonly offset: number;
  constructor(code: MrnErrorCode, message: string, offset = -1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MrnError';
    this.code = code;
    this.offset = offset;
  }
}
