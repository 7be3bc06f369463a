/**
 * hal/ — every piece of IO the appliance touches, each behind a small interface with a real implementation and a
 * simulated twin (DESIGN.md §2, STYLE.md). Firmware imports from here only; the `_*.ts` files are internal.
 */
export * from './errors.js';
export {
  systemClock,
  UtcCrossCheck,
  UTC_SOURCES,
  DEFAULT_UTC_TOLERANCE_MS,
  DEFAULT_UTC_CONFIRM_SAMPLES,
  DEFAULT_UTC_MAX_REFERENCE_AGE_MS,
  type Clock,
  type TimerHandle,
  type UtcSource,
  type UtcSample,
  type UtcCheckState,
  type UtcCheckStatus,
  type UtcDisagreement,
  type UtcCrossCheckEvents,
  type UtcCrossCheckOptions,
} from './clock.js';
export { FakeClock } from './clock-sim.js';
export {
  TrustedTime,
  DEFAULT_TRUST_CONFIRM_SAMPLES,
  type TimeTrustReason,
  type TimeTrustStatus,
  type TrustedTimeEvents,
  type TrustedTimeOptions,
  type TrustedUtcSample,
} from './clock-trust.js';
export * from './serial.js';
export { createSerialLink } from './serial-node.js';
export { SimSerialBus, SimSerialDevice, createSimSerialLink, type SimPortOptions } from './serial-sim.js';
export {
  BypassRelay,
  StatusLed,
  DebouncedInput,
  openApplianceGpio,
  LED_PATTERNS,
  LED_BLINK_SLOW_MS,
  LED_BLINK_FAST_MS,
  DEFAULT_DEBOUNCE_MS,
  type GpioLine,
  type GpioLineOptions,
  type GpioProvider,
  type RelayState,
  type LedPattern,
  type AppliancePins,
  type ApplianceGpio,
  type BypassRelayEvents,
  type DebouncedInputEvents,
} from './gpio.js';
export {
  openGpioProvider,
  findSysfsGpioChip,
  PI_HEADER_CHIP_LABELS,
  DEFAULT_SYSFS_GPIO_ROOT,
  type SysfsGpioChip,
  type OpenGpioOptions,
  type OpenedGpio,
  type OnoffProviderOptions,
} from './gpio-node.js';
export { SimGpio, SIM_GPIO_LINES } from './gpio-sim.js';
export {
  KEYSTORE_MAX_PAYLOAD_BYTES,
  KEYSTORE_MAGIC,
  assertKeyName,
  encodeKeyFile,
  decodeKeyFile,
  type KeyStore,
} from './keystore.js';
export { FileKeyStore, type KeyStoreFs } from './keystore-file.js';
export { MemoryKeyStore } from './keystore-sim.js';
export {
  NonceStateCorruptError,
  NonceStateWriteError,
  NONCE_MAX_MARKS,
  encodeNonceRecord,
  decodeNonceRecord,
  type NonceRecord,
  type NonceStore,
} from './nonce-store.js';
export { FileNonceStore, type NonceFs } from './nonce-store-file.js';
export { MemoryNonceStore } from './nonce-store-sim.js';
export {
  startWatchdog,
  watchdogIntervalFromEnv,
  notifyStatusField,
  type ServiceNotifier,
  type WatchdogOptions,
  type WatchdogHandle,
} from './notify.js';
export {
  SystemdNotifier,
  NOTIFY_QUEUE_LIMIT,
  NOTIFY_TIMEOUT_MS,
  type SystemdNotifierOptions,
  type NotifySpawner,
} from './notify-systemd.js';
export { RecordingNotifier, RECORDING_NOTIFIER_LIMIT, type RecordedNotification } from './notify-sim.js';
export { TokenError, TOKEN_ERROR_CODES, type KeyToken, type TokenEvent, type TokenErrorCode } from './token.js';
export { openKeyToken, readerPattern, waitForToken, type TokenSpec } from './token-open.js';
export { CredentialError, CREDENTIAL_ERROR_CODES, CREDENTIAL_NAME, readCredential, type CredentialErrorCode } from './token-credential.js';
