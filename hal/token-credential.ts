/**
 * Secrets for the token (its user PIN) from systemd credentials: `LoadCredential=NAME:/path` in the unit puts the
 * file at $CREDENTIALS_DIRECTORY/NAME, readable by the service only (systemd.exec(5) "Credentials"). The secret
 * itself never travels in an argument or an environment variable (both are visible in /proc to other local users);
 * only the directory's path does. A file others could read is refused: the secret may have leaked.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export const CREDENTIAL_ERROR_CODES = ['CREDENTIAL_MISSING', 'CREDENTIAL_UNSAFE', 'CREDENTIAL_INVALID'] as const;
export type CredentialErrorCode = (typeof CREDENTIAL_ERROR_CODES)[number];

export class CredentialError extends Error {
  override readonly name = 'CredentialError';
  readonly code: CredentialErrorCode;
  constructor(code: CredentialErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** A credential name as systemd accepts it: one path component, no "." or "..". */
export const CREDENTIAL_NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.@-]{1,255}$/;

/** Credentials are small; a larger file is not a PIN. */
const MAX_CREDENTIAL_BYTES = 4096;

/**
 * Reads credential `name` from `directory` (default $CREDENTIALS_DIRECTORY), without its trailing line end.
 * Throws CredentialError.
 */
export function readCredential(name: string, directory: string | undefined = process.env['CREDENTIALS_DIRECTORY']): string {
  if (!CREDENTIAL_NAME.test(name)) throw new CredentialError('CREDENTIAL_INVALID', `"${name}" is not a credential name`);
  if (directory === undefined || directory === '') {
    throw new CredentialError('CREDENTIAL_MISSING', `no $CREDENTIALS_DIRECTORY: give the PIN with LoadCredential=${name}:/path/to/file in the unit`);
  }
  if (!isAbsolute(directory)) throw new CredentialError('CREDENTIAL_INVALID', `$CREDENTIALS_DIRECTORY ${directory} is not an absolute path`);
  const path = join(directory, name);
  let mode: number;
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new CredentialError('CREDENTIAL_INVALID', `credential ${path} is not a file`);
    mode = st.mode & 0o777;
    size = st.size;
  } catch (error) {
    if (error instanceof CredentialError) throw error;
    throw new CredentialError('CREDENTIAL_MISSING', `credential ${path}: ${(error as Error).message}`, { cause: error });
  }
  if ((mode & 0o077) !== 0) {
    throw new CredentialError('CREDENTIAL_UNSAFE', `credential ${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); it must be 0400 or 0600`);
  }
  if (size > MAX_CREDENTIAL_BYTES) throw new CredentialError('CREDENTIAL_INVALID', `credential ${path} is larger than ${MAX_CREDENTIAL_BYTES} bytes`);
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}
