/**
 * Typed errors of the hardware layer (STYLE.md guideline 3): each class carries a literal `code` so that the
 * firmware can count and alarm by code without `instanceof` chains, and keeps the underlying OS error as `cause`.
 * Misuse (bad arguments) stays `TypeError`/`RangeError`.
 */
export abstract class HalError extends Error {
  abstract readonly code: string;
}

/** The serial device could not be opened (absent, locked by another process, permission). */
export class SerialOpenError extends HalError {
  readonly code = 'SERIAL_OPEN' as const;
  constructor(readonly path: string, options?: ErrorOptions) {
    super(`cannot open serial port ${path}`, options);
    this.name = 'SerialOpenError';
  }
}

/** An open serial device went away (USB unplug, PTY peer closed, I/O error). */
export class SerialDisconnectedError extends HalError {
  readonly code = 'SERIAL_DISCONNECTED' as const;
  constructor(readonly path: string, options?: ErrorOptions) {
    super(`serial port ${path} disconnected`, options);
    this.name = 'SerialDisconnectedError';
  }
}

/** No GPIO chip in sysfs matched the expected labels, so line numbers cannot be computed. */
export class GpioChipNotFoundError extends HalError {
  readonly code = 'GPIO_CHIP_NOT_FOUND' as const;
  constructor(readonly root: string, readonly labels: readonly string[], options?: ErrorOptions) {
    super(`no gpiochip under ${root} with a label in [${labels.join(', ')}]`, options);
    this.name = 'GpioChipNotFoundError';
  }
}

/** The key store file does not exist (never provisioned, or wrong path). */
export class KeyStoreMissingError extends HalError {
  readonly code = 'KEYSTORE_MISSING' as const;
  constructor(readonly file: string, options?: ErrorOptions) {
    super(`key store file ${file} does not exist`, options);
    this.name = 'KeyStoreMissingError';
  }
}

/** The key store file exists but fails its framing or checksum (torn write on another system, bit rot). */
export class KeyStoreCorruptError extends HalError {
  readonly code = 'KEYSTORE_CORRUPT' as const;
  constructor(readonly file: string, readonly detail: string, options?: ErrorOptions) {
    super(`key store file ${file} is corrupt: ${detail}`, options);
    this.name = 'KeyStoreCorruptError';
  }
}

/** The key store file is readable by group or others: refuse it rather than use leaked key material. */
export class KeyStorePermissionError extends HalError {
  readonly code = 'KEYSTORE_PERMISSIONS' as const;
  constructor(readonly file: string, readonly mode: number, options?: ErrorOptions) {
    super(`key store file ${file} has mode ${mode.toString(8).padStart(4, '0')}, expected 0600`, options);
    this.name = 'KeyStorePermissionError';
  }
}

/**
 * Writing the key store failed. Before the rename (`stage` temp/rename) the previous file is untouched; at
 * `dir-sync` the new file is in place but its directory entry may not survive a power loss.
 */
export class KeyStoreWriteError extends HalError {
  readonly code = 'KEYSTORE_WRITE' as const;
  constructor(readonly file: string, readonly stage: 'temp' | 'rename' | 'dir-sync', options?: ErrorOptions) {
    super(
      stage === 'dir-sync'
        ? `key store file ${file} was replaced but the directory could not be synced`
        : `writing key store file ${file} failed (${stage}); the previous version is kept`,
      options,
    );
    this.name = 'KeyStoreWriteError';
  }
}

/** A service-manager notification could not be delivered. */
export class NotifyError extends HalError {
  readonly code = 'NOTIFY_FAILED' as const;
  constructor(readonly notification: string, options?: ErrorOptions) {
    super(`service notification ${notification} failed`, options);
    this.name = 'NotifyError';
  }
}
