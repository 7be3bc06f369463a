/** Typed errors of the appliance daemon: a literal `code` per failure, so that the CLI and tests can tell them apart. */

export const DAEMON_ERROR_CODES = ['CONFIG_INVALID', 'CONFIG_UNREADABLE', 'PIPELINE_INIT', 'DAEMON_STATE', 'STATUS_LISTEN'] as const;
export type DaemonErrorCode = (typeof DAEMON_ERROR_CODES)[number];

export class DaemonError extends Error {
  override readonly name = 'DaemonError';
  readonly code: DaemonErrorCode;
  constructor(code: DaemonErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
