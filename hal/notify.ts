/**
 * Service-manager notifications (sd_notify(3) protocol: newline-separated `KEY=VALUE` datagrams to
 * $NOTIFY_SOCKET) and the service watchdog (sd_watchdog_enabled(3): $WATCHDOG_USEC, $WATCHDOG_PID).
 *
 * The watchdog is the last line of the fail-safe: the daemon pings only while its pipeline is healthy, so a hung
 * pipeline stops the pings, systemd kills and restarts the service, and the relay falls back to bypass.
 */
import { systemClock, type Clock, type TimerHandle } from './clock.js';

export interface ServiceNotifier {
  /** A service manager is listening ($NOTIFY_SOCKET is set); otherwise every call is a no-op. */
  readonly enabled: boolean;
  /** How often to ping: half of $WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; undefined when off. */
  readonly watchdogIntervalMs: number | undefined;
  /** `READY=1` (with an optional `STATUS=`): start-up is complete. */
  ready(status?: string): Promise<void>;
  /** `WATCHDOG=1`: still alive and healthy. */
  watchdog(): Promise<void>;
  /** `STOPPING=1`: orderly shutdown has begun. */
  stopping(status?: string): Promise<void>;
  /** `STATUS=…`: one line shown by `systemctl status`. */
  status(text: string): Promise<void>;
}

/** STATUS is one line: a newline would let the text inject other fields (`\nREADY=1`). */
export function notifyStatusField(text: string): string {
  if (typeof text !== 'string') throw new TypeError('"status" must be a string');
  if (/[\r\n\0]/.test(text)) throw new RangeError('"status" must be a single line without NUL');
  return `STATUS=${text}`;
}

/** The ping interval from the environment, following sd_watchdog_enabled(3); undefined when not requested. */
export function watchdogIntervalFromEnv(env: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usecText = env.WATCHDOG_USEC;
  if (usecText === undefined || !/^\d+$/.test(usecText)) return undefined;
  const usec = Number(usecText);
  if (!(usec > 0)) return undefined;
  // The watchdog may be meant for another process of the unit (WATCHDOG_PID names it).
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return usec / 2000;
}

export interface WatchdogOptions {
  notifier: ServiceNotifier;
  /** Asked before each ping: only a healthy pipeline keeps the service alive. */
  healthy: () => boolean;
  clock?: Clock;
  /** Defaults to the notifier's interval; when neither is set the watchdog does nothing. */
  intervalMs?: number;
  /** A ping that could not be sent (the next one may still succeed before systemd's timeout). */
  onError?: (error: unknown) => void;
}

export interface WatchdogHandle {
  readonly pings: number;
  /** Intervals in which the pipeline was unhealthy and no ping was sent. */
  readonly withheld: number;
  stop(): void;
}

/** Pings the service watchdog every interval while `healthy()` holds. */
export function startWatchdog(options: WatchdogOptions): WatchdogHandle {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? options.notifier.watchdogIntervalMs;
  let timer: TimerHandle | undefined;
  let stopped = false;
  const handle = {
    pings: 0,
    withheld: 0,
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
  if (intervalMs === undefined) return handle;
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) throw new RangeError('"intervalMs" must be a positive number');
  const tick = (): void => {
    if (stopped) return;
    if (options.healthy()) {
      handle.pings += 1;
      options.notifier.watchdog().catch((error: unknown) => options.onError?.(error));
    } else {
      handle.withheld += 1;
    }
    timer = clock.setTimeout(tick, intervalMs);
  };
  tick();
  return handle;
}
