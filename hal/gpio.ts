/**
 * GPIO for the appliance front panel and the bypass relay. A {@link GpioProvider} hands out lines by BCM number
 * (real: onoff over sysfs; twin: SimGpio); the devices here — relay, LEDs, debounced inputs — are built on lines
 * only, so the twin runs exactly the code the hardware runs.
 *
 * Fail-safe (DESIGN.md §1): the relay is wired so that de-energised = bypass (plain AIS straight through). Every
 * path that does not positively decide "inline" leaves it released: it starts released, `close()` releases it.
 */
import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from './clock.js';

/** One GPIO line in logical terms: `true` = active (after any active-low inversion). */
export interface GpioLine {
  readonly bcm: number;
  read(): boolean;
  /** Outputs only. */
  write(value: boolean): void;
  /** Inputs only: called on every edge with the new logical value; returns an unsubscribe function. */
  watch(listener: (value: boolean) => void): () => void;
  /** Returns the line to the system (unexport); an output is driven inactive first. */
  release(): void;
}

export interface GpioLineOptions {
  /** The line is active when electrically low (a switch to ground with a pull-up, an active-low relay driver). */
  activeLow?: boolean;
}

export interface GpioProvider {
  /** An output line, driven to `initial` (logical) before anything else can happen. */
  output(bcm: number, options: GpioLineOptions & { initial: boolean }): GpioLine;
  /** An input line reporting both edges. */
  input(bcm: number, options?: GpioLineOptions): GpioLine;
}

export type RelayState = 'bypass' | 'inline';

export interface BypassRelayEvents {
  change: [RelayState];
}

/** The bypass relay: energised = inline through the appliance, released = bypass. Starts released. */
export class BypassRelay extends EventEmitter<BypassRelayEvents> {
  readonly #line: GpioLine;

  constructor(provider: GpioProvider, bcm: number, options: GpioLineOptions = {}) {
    super();
    this.#line = provider.output(bcm, { ...options, initial: false });
  }

  /** Read back from the line, so a test (or the status page) sees what the pin really is. */
  get state(): RelayState {
    return this.#line.read() ? 'inline' : 'bypass';
  }

  /** Energise: traffic goes through the appliance. Only when the pipeline is healthy. */
  engage(): void {
    this.#set(true);
  }

  /** De-energise: plain AIS straight through. */
  release(): void {
    this.#set(false);
  }

  /** Releases the relay and the line. */
  close(): void {
    this.release();
    this.#line.release();
  }

  #set(energised: boolean): void {
    const before = this.state;
    this.#line.write(energised);
    const after = this.state;
    if (after !== before) this.emit('change', after);
  }
}

export const LED_PATTERNS = ['off', 'on', 'blink-slow', 'blink-fast'] as const;
export type LedPattern = (typeof LED_PATTERNS)[number];
/** Half-periods: slow = "working, attention" (1 Hz), fast = "alarm" (4 Hz) — distinguishable at a glance. */
export const LED_BLINK_SLOW_MS = 500;
export const LED_BLINK_FAST_MS = 125;

/** A front-panel LED with steady and blinking patterns driven by the injected clock. */
export class StatusLed {
  readonly #line: GpioLine;
  readonly #clock: Clock;
  #pattern: LedPattern = 'off';
  #timer: TimerHandle | undefined;

  constructor(provider: GpioProvider, bcm: number, options: GpioLineOptions & { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#line = provider.output(bcm, { ...(options.activeLow === undefined ? {} : { activeLow: options.activeLow }), initial: false });
  }

  get pattern(): LedPattern {
    return this.#pattern;
  }

  get lit(): boolean {
    return this.#line.read();
  }

  set(pattern: LedPattern): void {
    if (!(LED_PATTERNS as readonly string[]).includes(pattern)) throw new TypeError(`"pattern" must be one of ${LED_PATTERNS.join(', ')}`);
    if (pattern === this.#pattern) return;
    this.#pattern = pattern;
    this.#stopBlink();
    if (pattern === 'off' || pattern === 'on') {
      this.#line.write(pattern === 'on');
      return;
    }
    const half = pattern === 'blink-slow' ? LED_BLINK_SLOW_MS : LED_BLINK_FAST_MS;
    const toggle = (): void => {
      this.#line.write(!this.#line.read());
      this.#timer = this.#clock.setTimeout(toggle, half);
    };
    this.#line.write(true);
    this.#timer = this.#clock.setTimeout(toggle, half);
  }

  close(): void {
    this.#stopBlink();
    this.#line.release();
  }

  #stopBlink(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** Mechanical switches bounce for a few ms; 50 ms is well past that and still feels immediate to a person. */
export const DEFAULT_DEBOUNCE_MS = 50;

export interface DebouncedInputEvents {
  /** The settled value changed. */
  change: [number];
}

/**
 * One or more input lines read as a number (bit i = line i, least significant first): a single-line tamper
 * switch gives 0/1, a binary-coded rotary mode switch gives its position. A new value is reported only after all
 * lines have been quiet for `debounceMs`, so contact bounce and the moment between two positions of a rotary
 * switch never reach the firmware.
 */
export class DebouncedInput extends EventEmitter<DebouncedInputEvents> {
  readonly debounceMs: number;
  readonly #lines: GpioLine[];
  readonly #unwatch: (() => void)[];
  readonly #clock: Clock;
  #value: number;
  #timer: TimerHandle | undefined;

  constructor(provider: GpioProvider, bcms: readonly number[], options: GpioLineOptions & { debounceMs?: number; clock?: Clock } = {}) {
    super();
    if (bcms.length === 0 || bcms.length > 8) throw new RangeError('"bcms" must name 1 to 8 lines');
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    if (!(Number.isFinite(this.debounceMs) && this.debounceMs >= 0)) throw new RangeError('"debounceMs" must be ≥ 0');
    this.#clock = options.clock ?? systemClock;
    const lineOptions = options.activeLow === undefined ? {} : { activeLow: options.activeLow };
    this.#lines = bcms.map((bcm) => provider.input(bcm, lineOptions));
    this.#value = this.#sample();
    this.#unwatch = this.#lines.map((line) => line.watch(() => this.#edge()));
  }

  /** The settled value. */
  get value(): number {
    return this.#value;
  }

  close(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const unwatch of this.#unwatch) unwatch();
    for (const line of this.#lines) line.release();
  }

  #edge(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      const now = this.#sample();
      if (now !== this.#value) {
        this.#value = now;
        this.emit('change', now);
      }
    }, this.debounceMs);
  }

  #sample(): number {
    return this.#lines.reduce((acc, line, i) => acc | ((line.read() ? 1 : 0) << i), 0);
  }
}

/** Which BCM lines the appliance uses; numbers are BCM GPIO numbers, never sysfs numbers. */
export interface AppliancePins {
  bypassRelay: number;
  relayActiveLow?: boolean;
  /** Front-panel LEDs by name, e.g. `{ power: 17, secure: 27, alarm: 22 }`. */
  leds: Record<string, number>;
  /** Mode switch lines, least significant bit first. */
  modeSwitch: readonly number[];
  modeSwitchActiveLow?: boolean;
  tamper: number;
  tamperActiveLow?: boolean;
  debounceMs?: number;
}

export interface ApplianceGpio {
  relay: BypassRelay;
  leds: Record<string, StatusLed>;
  modeSwitch: DebouncedInput;
  tamper: DebouncedInput;
  /** Releases the relay first, then every line. */
  close(): void;
}

/** Opens every front-panel device on `provider`. The relay is opened first, released. */
export function openApplianceGpio(provider: GpioProvider, pins: AppliancePins, clock: Clock = systemClock): ApplianceGpio {
  const used = [pins.bypassRelay, ...Object.values(pins.leds), ...pins.modeSwitch, pins.tamper];
  if (new Set(used).size !== used.length) throw new RangeError('"pins" uses a BCM line twice');
  // Opened in order, closed in order: the relay first, so it is released before anything else happens.
  const opened: { close(): void }[] = [];
  const open = <T extends { close(): void }>(device: T): T => {
    opened.push(device);
    return device;
  };
  const closeAll = (): void => {
    for (const device of opened) device.close();
  };
  try {
    const relay = open(new BypassRelay(provider, pins.bypassRelay, activeLow(pins.relayActiveLow)));
    const leds: Record<string, StatusLed> = {};
    for (const [name, bcm] of Object.entries(pins.leds)) leds[name] = open(new StatusLed(provider, bcm, { clock }));
    const debounce = { clock, ...(pins.debounceMs === undefined ? {} : { debounceMs: pins.debounceMs }) };
    const modeSwitch = open(new DebouncedInput(provider, pins.modeSwitch, { ...debounce, ...activeLow(pins.modeSwitchActiveLow) }));
    const tamper = open(new DebouncedInput(provider, [pins.tamper], { ...debounce, ...activeLow(pins.tamperActiveLow) }));
    return { relay, leds, modeSwitch, tamper, close: closeAll };
  } catch (error) {
    // A line that cannot be claimed (EBUSY, wrong number) must not leave the others claimed.
    closeAll();
    throw error;
  }
}

function activeLow(value: boolean | undefined): GpioLineOptions {
  return value === undefined ? {} : { activeLow: value };
}
