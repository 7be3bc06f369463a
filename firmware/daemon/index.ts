/** The appliance daemon (`mibc-ais run`): configuration, alarms, status endpoint and the Daemon itself. */
export {
  Daemon,
  INPUT_QUEUE_LIMIT,
  SLICE_LINE_LIMIT,
  SLICE_TIME_MS,
  TRANSIENT_ALARM_HOLD_MS,
  KEY_CHECK_INTERVAL_MS,
  REQUEUE_MEMORY_LIMIT,
  type DaemonCounters,
  type DaemonDeps,
  type DaemonEvents,
  type DaemonState,
  type DaemonStatus,
  type KeyValidity,
  type PipelineFactory,
  type KeyReloader,
  type KeyReloadResult,
  type PipelineHealth,
  type PortStatus,
  type ShipBypassReason,
} from './daemon.js';
export {
  daemonConfigSchema,
  modeSchema,
  parseConfig,
  parseConfigText,
  keysNeedingRestart,
  SIM_PORT_PREFIX,
  DEFAULT_LATENCY_BUDGET_MS,
  DEFAULT_HANG_THRESHOLD_MS,
  DEFAULT_TICK_INTERVAL_MS,
  type DaemonConfig,
  type DaemonConfigInput,
  type PortConfig,
} from './config.js';
export { AlarmBoard, ALARM_CODES, ALARM_BOARD_LIMIT, type ActiveAlarm, type AlarmCode, type AlarmSeverity } from './alarms.js';
export { startStatusServer, STATUS_AUTH_FAILURES_PER_MINUTE, STATUS_HOST, STATUS_MAX_CONNECTIONS, STATUS_MIN_PASSWORD_LENGTH, STATUS_PAGE_CSP, STATUS_REQUEST_TIMEOUT_MS, type StatusServer, type StatusServerOptions } from './status-server.js';
export { isLoopbackHost } from './loopback.js';
export { ShipTable, DEFAULT_SHIP_LIMIT, type ShipEntry, type ShipResult, type ShipTableSnapshot } from './ship-table.js';
export { DaemonError, DAEMON_ERROR_CODES, CONFIGURATION_ERROR_CODES, type DaemonErrorCode } from './errors.js';
export { PlainPipeline, createPlainPipeline } from './plain-pipeline.js';
