/**
 * The appliance's alarm board: stable codes (logs, status endpoint, LEDs and tests depend on them — add codes,
 * never rename them), raised and cleared as transitions. An alarm is identified by its code and a subject (the port
 * for PORT_DOWN, the key for KEY_EXPIRED), is logged once when raised and once when cleared, and never per
 * occurrence. Transient conditions (crypto falling behind, a dropped safety line) are `pulse`d: they stay raised
 * until nothing has renewed them for their hold time, so a condition that comes and goes does not flap.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../hal/index.js';

export const ALARM_CODES = {
  KEY_EXPIRED: { severity: 'alarm', text: 'An installed key has expired: messages it would sign or decrypt are not protected.' },
  KEY_EXPIRES_SOON: { severity: 'warning', text: 'An installed key expires in 30 days or less.' },
  CLOCK_DISAGREES: { severity: 'alarm', text: 'System clock disagrees with GNSS/AIS UTC; freshness and expiry cannot be decided.' },
  CLOCK_UNTRUSTED: { severity: 'alarm', text: 'System time is not confirmed by the ship\'s GNSS (clock stepped, disagreement beyond the bound, or no reference): mode 5 is held and amortised authentication is not shown verified.' },
  TOKEN_REMOVED: { severity: 'alarm', text: 'The key token was removed.' },
  KEY_RELOAD_FAILED: { severity: 'warning', text: 'A new permit (from an inserted card or the inbox) was not installed; the keys in use are kept.' },
  PORT_DOWN: { severity: 'alarm', text: 'A serial port is down; it is being reopened.' },
  CRYPTO_BEHIND: { severity: 'warning', text: 'Secured sending fell behind; own-ship messages were sent in mode 1 where the mode allows it, withheld otherwise.' },
  OWN_SHIP_WITHHELD: { severity: 'alarm', text: 'Own-ship messages that could not be secured were withheld: the mode does not send them in clear.' },
  OWN_SHIP_UNSECURED: { severity: 'alarm', text: 'Own-ship messages that could not be secured went out without protection, as the mode\'s fallback allows (the subject is the reason).' },
  OWN_SHIP_SUPERSEDED: { severity: 'warning', text: 'Own-ship reports waited on the radio port (down or saturated) until a newer report of the same ship and message type replaced them: the newest goes out, not a late burst.' },
  LINES_DROPPED: { severity: 'warning', text: 'Lines were dropped for want of capacity (an input queue, or a port\'s output queue: the subject names which).' },
  VERIFY_OVERLOAD: { severity: 'warning', text: 'The receiver\'s total verification budget is spent (a flood of secured messages): some received messages, genuine ones among them, are shown failed with BUDGET_TOTAL instead of verified.' },
  PIPELINE_ERROR: { severity: 'warning', text: 'The pipeline threw on an input; it was counted and skipped.' },
  SAFETY_LINE_DROPPED: { severity: 'alarm', text: 'An own-ship safety line could not be sent (output queue full or port lost).' },
  PIPELINE_HUNG: { severity: 'alarm', text: 'A pipeline call exceeded the hang threshold; the relay is in bypass and the watchdog is withheld.' },
  PIPELINE_FAILED: { severity: 'alarm', text: 'The pipeline could not be created; the relay is in bypass.' },
  MODE_UNAVAILABLE: { severity: 'warning', text: 'The requested mode could not be set; the previous mode is kept.' },
  CONFIG_RELOAD_FAILED: { severity: 'warning', text: 'The configuration file could not be reloaded; the running configuration is kept.' },
  TAMPER: { severity: 'alarm', text: 'The enclosure tamper switch is open.' },
} as const;

export type AlarmCode = keyof typeof ALARM_CODES;
export type AlarmSeverity = (typeof ALARM_CODES)[AlarmCode]['severity'];

export interface ActiveAlarm {
  readonly code: AlarmCode;
  /** What the alarm is about (`ship`, `radio`, a key identity); `-` when the alarm is about the appliance. */
  readonly subject: string;
  readonly severity: AlarmSeverity;
  readonly text: string;
  /** The latest detail given; never key material. */
  readonly detail: string;
  /** System UTC when raised, ISO 8601. */
  readonly since: string;
}

export interface AlarmBoardEvents {
  raised: [ActiveAlarm];
  cleared: [ActiveAlarm];
}

/** Alarms held at once; codes × subjects is small, so reaching this means a subject is being invented per event. */
export const ALARM_BOARD_LIMIT = 64;

export class AlarmBoard extends EventEmitter<AlarmBoardEvents> {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #active = new Map<string, ActiveAlarm>();
  readonly #holds = new Map<string, TimerHandle>();

  constructor(clock: Clock, logger: Logger) {
    super();
    this.#clock = clock;
    this.#log = logger;
  }

  /** Raises the alarm unless it is already active (then only its detail is updated). */
  raise(code: AlarmCode, subject = '-', detail = ''): void {
    const key = `${code}/${subject}`;
    const existing = this.#active.get(key);
    if (existing !== undefined) {
      this.#active.set(key, { ...existing, detail });
      return;
    }
    if (this.#active.size >= ALARM_BOARD_LIMIT) {
      this.#log.error({ code, subject }, 'alarm board full; alarm not recorded');
      return;
    }
    const { severity, text } = ALARM_CODES[code];
    const alarm: ActiveAlarm = { code, subject, severity, text, detail, since: new Date(this.#clock.utcNow()).toISOString() };
    this.#active.set(key, alarm);
    this.#log.warn({ alarm: code, subject, severity, detail }, `alarm raised: ${code}`);
    this.emit('raised', alarm);
  }

  clear(code: AlarmCode, subject = '-'): void {
    const key = `${code}/${subject}`;
    const alarm = this.#active.get(key);
    this.#cancelHold(key);
    if (alarm === undefined) return;
    this.#active.delete(key);
    this.#log.info({ alarm: code, subject }, `alarm cleared: ${code}`);
    this.emit('cleared', alarm);
  }

  /** Raises (or renews) a transient alarm that clears itself `holdMs` after the last pulse. */
  pulse(code: AlarmCode, subject: string, detail: string, holdMs: number): void {
    this.raise(code, subject, detail);
    const key = `${code}/${subject}`;
    this.#cancelHold(key);
    this.#holds.set(
      key,
      this.#clock.setTimeout(() => {
        this.#holds.delete(key);
        this.clear(code, subject);
      }, holdMs),
    );
  }

  /** Sets the alarm to `on` (raise or clear): for conditions that are re-evaluated as a whole. */
  set(code: AlarmCode, subject: string, on: boolean, detail = ''): void {
    if (on) this.raise(code, subject, detail);
    else this.clear(code, subject);
  }

  has(code: AlarmCode, subject?: string): boolean {
    if (subject !== undefined) return this.#active.has(`${code}/${subject}`);
    for (const alarm of this.#active.values()) if (alarm.code === code) return true;
    return false;
  }

  /** Subjects currently raised under `code`. */
  subjects(code: AlarmCode): string[] {
    return [...this.#active.values()].filter((a) => a.code === code).map((a) => a.subject);
  }

  active(): ActiveAlarm[] {
    return [...this.#active.values()];
  }

  /** Stops the hold timers (shutdown); active alarms stay listed. */
  close(): void {
    for (const key of [...this.#holds.keys()]) this.#cancelHold(key);
  }

  #cancelHold(key: string): void {
    const timer = this.#holds.get(key);
    if (timer !== undefined) this.#clock.clearTimeout(timer);
    this.#holds.delete(key);
  }
}
