/**
 * The notifier twin: records every notification with its monotonic time, as a fake systemd would receive them,
 * and can be told to fail (a manager that went away).
 */
import { systemClock, type Clock } from './clock.js';
import { NotifyError } from './errors.js';
import { notifyStatusField, type ServiceNotifier } from './notify.js';

export interface RecordedNotification {
  /** The datagram's fields, e.g. `['READY=1', 'STATUS=up']`. */
  fields: string[];
  atMs: number;
}

/** Notifications a twin keeps; a long simulated run must not grow the record forever (oldest go first). */
export const RECORDING_NOTIFIER_LIMIT = 10_000;

export class RecordingNotifier implements ServiceNotifier {
  readonly enabled = true;
  readonly watchdogIntervalMs: number | undefined;
  readonly #clock: Clock;
  readonly #log: RecordedNotification[] = [];
  #failing: Error | undefined;

  constructor(options: { watchdogIntervalMs?: number; clock?: Clock } = {}) {
    this.watchdogIntervalMs = options.watchdogIntervalMs;
    this.#clock = options.clock ?? systemClock;
  }

  get notifications(): readonly RecordedNotification[] {
    return this.#log;
  }

  /** Every field sent so far, flattened, e.g. `['READY=1', 'WATCHDOG=1']`. */
  get fields(): string[] {
    return this.#log.flatMap((n) => n.fields);
  }

  /** Notifications fail until `recover()` (the manager's socket is gone). */
  fail(error: Error = Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' })): void {
    this.#failing = error;
  }

  recover(): void {
    this.#failing = undefined;
  }

  ready(status?: string): Promise<void> {
    return this.#record(['READY=1', ...(status === undefined ? [] : [notifyStatusField(status)])]);
  }

  watchdog(): Promise<void> {
    return this.#record(['WATCHDOG=1']);
  }

  stopping(status?: string): Promise<void> {
    return this.#record(['STOPPING=1', ...(status === undefined ? [] : [notifyStatusField(status)])]);
  }

  status(text: string): Promise<void> {
    return this.#record([notifyStatusField(text)]);
  }

  async #record(fields: string[]): Promise<void> {
    if (this.#failing !== undefined) throw new NotifyError(fields.join(' '), { cause: this.#failing });
    this.#log.push({ fields, atMs: this.#clock.monotonicNow() });
    if (this.#log.length > RECORDING_NOTIFIER_LIMIT) this.#log.shift();
  }
}
