/** Typed errors of the PKG: a literal code per failure the operator must tell apart, and the cause kept. */
export const PKG_ERROR_CODES = [
  /** No passphrase file and no MIBC_PKG_PASSPHRASE, or one too short to protect the master secret. */
  'PKG_PASSPHRASE_MISSING',
  /** The passphrase does not open the vault (its check value differs). */
  'PKG_PASSPHRASE_WRONG',
  /** The vault file is not JSON of our format, or its ciphertext does not authenticate under the right key. */
  'PKG_VAULT_CORRUPT',
  /** DIR holds no PKG (`pkg setup` not run) or a file of it is missing or unreadable. */
  'PKG_NOT_INITIALISED',
  /** `pkg setup` refuses to overwrite an existing PKG. */
  'PKG_ALREADY_INITIALISED',
  /** The register's hash chain or authentication tags do not verify: someone edited, removed or reordered entries. */
  'PKG_REGISTER_TAMPERED',
  /**
   * The register is shorter than, or diverges from, the head anchored in the vault: its tail was cut, or it was
   * replaced by an older copy. Nothing is issued until the authority restores it from a backup.
   */
  'PKG_REGISTER_ROLLED_BACK',
  /** A request the registers refuse: MRN already bound to another MMSI, pseudonym used as a real MMSI, etc. */
  'PKG_CONFLICT',
  /** The pseudonym range has no free number left (after bounded random draws). */
  'PKG_PSEUDONYM_EXHAUSTED',
  /** An input file (key file, device key) is not what the command expects. */
  'PKG_INPUT',
  /** An output file exists and --force was not given: issued files are never overwritten silently. */
  'PKG_OUTPUT_EXISTS',
  /** An output file could not be written (the message names the path and the cause); nothing was recorded. */
  'PKG_OUTPUT',
] as const;
export type PkgErrorCode = (typeof PKG_ERROR_CODES)[number];

export class PkgError extends Error {
  override readonly name = 'PkgError';
  constructor(
    readonly code: PkgErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}
