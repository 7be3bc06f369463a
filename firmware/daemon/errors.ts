/** Typed errors of the appliance daemon: a literal `code` per failure, so that the CLI and tests can tell them apart. */

export const DAEMON_ERROR_CODES = [
  'CONFIG_INVALID', 'CONFIG_UNREADABLE', 'KEYS_INVALID', 'PERMIT_REFUSED', 'STATE_UNUSABLE', 'PIPELINE_INIT', 'DAEMON_STATE', 'STATUS_LISTEN',
  'TOKEN_UNAVAILABLE',
] as const;
export type DaemonErrorCode = (typeof DAEMON_ERROR_CODES)[number];

/**
 * Start-up failures that a restart cannot fix — the configuration, a key or params file, the permit, the stored
 * key set, a status port another service holds (systemd stops the old instance before starting a new one, so a
 * taken port is a clash, not a leftover): `mibc-ais run` exits 78 (EX_CONFIG) on them, which the unit's
 * RestartPreventExitStatus= names, so a bad install stops instead of restarting and rebooting the board in a loop.
 */
/* TOKEN_UNAVAILABLE (no card in the reader, pcscd not up yet) is not among them: a restart may find the card. */
export const CONFIGURATION_ERROR_CODES: readonly DaemonErrorCode[] = [
  'CONFIG_INVALID', 'CONFIG_UNREADABLE', 'KEYS_INVALID', 'PERMIT_REFUSED', 'STATE_UNUSABLE', 'PIPELINE_INIT', 'STATUS_LISTEN',
];

export class DaemonError extends Error {
  override readonly name = 'DaemonError';
  readonly code: DaemonErrorCode;
  constructor(code: DaemonErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
