/**
 * The GPIO twin: a bank of simulated pins with electrical levels. It behaves like sysfs GPIO where it matters —
 * a line can be claimed only once until released (EBUSY), outputs cannot be watched and inputs cannot be driven
 * (EPERM), numbers outside the bank do not exist — and lets tests drive input levels (including contact bounce)
 * and read back what outputs drive.
 */
import type { GpioLine, GpioLineOptions, GpioProvider } from './gpio.js';

/** BCM2835/2711 expose 54 lines on bank 0; the header uses 0–27. */
export const SIM_GPIO_LINES = 54;

interface SimPin {
  direction: 'in' | 'out';
  activeLow: boolean;
  watchers: Set<(value: boolean) => void>;
}

export interface SimGpioOptions {
  /**
   * What an input no one drives reads. `low` (default): as with a pull-down, for tests that drive every level.
   * `inactive`: as the appliance is wired — an active-low switch has its pull-up and rests high, an active-high one
   * rests low — so a bench without hardware starts with switches at rest, not with every alarm input asserted.
   */
  restingInputs?: 'low' | 'inactive';
}

export class SimGpio implements GpioProvider {
  readonly #levels = new Map<number, boolean>();
  readonly #claimed = new Map<number, SimPin>();
  readonly #restingInputs: 'low' | 'inactive';

  constructor(options: SimGpioOptions = {}) {
    this.#restingInputs = options.restingInputs ?? 'low';
  }

  output(bcm: number, options: GpioLineOptions & { initial: boolean }): GpioLine {
    const pin = this.#claim(bcm, 'out', options.activeLow ?? false);
    this.#levels.set(bcm, options.initial !== pin.activeLow);
    return this.#line(bcm, pin);
  }

  input(bcm: number, options: GpioLineOptions = {}): GpioLine {
    const pin = this.#claim(bcm, 'in', options.activeLow ?? false);
    if (this.#restingInputs === 'inactive' && !this.#levels.has(bcm)) this.#levels.set(bcm, pin.activeLow);
    return this.#line(bcm, pin);
  }

  /** Electrical level of a pin (true = high); undriven pins read low, as with a pull-down. */
  level(bcm: number): boolean {
    return this.#levels.get(bcm) ?? false;
  }

  /** Whether a line is currently claimed. */
  claimed(bcm: number): boolean {
    return this.#claimed.has(bcm);
  }

  /** The outside world drives an input pin; watchers see an edge only when the level really changes. */
  setLevel(bcm: number, high: boolean): void {
    const pin = this.#claimed.get(bcm);
    if (pin?.direction === 'out') throw errno('EPERM', `gpio ${bcm} is an output`);
    if (this.level(bcm) === high) return;
    this.#levels.set(bcm, high);
    if (pin === undefined) return;
    for (const watcher of pin.watchers) watcher(high !== pin.activeLow);
  }

  #claim(bcm: number, direction: 'in' | 'out', activeLow: boolean): SimPin {
    if (!Number.isInteger(bcm) || bcm < 0 || bcm >= SIM_GPIO_LINES) {
      throw errno('EINVAL', `gpio ${bcm} does not exist (0–${SIM_GPIO_LINES - 1})`);
    }
    if (this.#claimed.has(bcm)) throw errno('EBUSY', `gpio ${bcm}: Device or resource busy`);
    const pin: SimPin = { direction, activeLow, watchers: new Set() };
    this.#claimed.set(bcm, pin);
    return pin;
  }

  #line(bcm: number, pin: SimPin): GpioLine {
    const live = (): void => {
      if (this.#claimed.get(bcm) !== pin) throw errno('EINVAL', `gpio ${bcm} was released`);
    };
    return {
      bcm,
      read: () => {
        live();
        return this.level(bcm) !== pin.activeLow;
      },
      write: (value) => {
        live();
        if (pin.direction !== 'out') throw errno('EPERM', `gpio ${bcm} is an input`);
        this.#levels.set(bcm, value !== pin.activeLow);
      },
      watch: (listener) => {
        live();
        if (pin.direction !== 'in') throw errno('EPERM', `gpio ${bcm} is an output`);
        pin.watchers.add(listener);
        return () => pin.watchers.delete(listener);
      },
      release: () => {
        if (this.#claimed.get(bcm) !== pin) return;
        if (pin.direction === 'out') this.#levels.set(bcm, pin.activeLow);
        pin.watchers.clear();
        this.#claimed.delete(bcm);
      },
    };
  }
}

function errno(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}
