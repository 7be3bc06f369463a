/**
 * Real GPIO through onoff (sysfs). Since Raspberry Pi kernel 6.6 the sysfs numbers are no longer the BCM numbers:
 * the bank's base is 512 on Pi 0–4 and 571 (earlier 399) on Pi 5, and may move again (raspberrypi/linux#5638).
 * So the base is read from `/sys/class/gpio/gpiochip*​/{label,base,ngpio}` at start-up, never hard-coded.
 * onoff (and its native epoll addon) is imported lazily; when it cannot load or `Gpio.accessible` is false the
 * simulated twin is returned and the caller is told why.
 *
 * sysfs keeps an output's value after the process exits — the wrong direction for a fail-safe relay — so the
 * relay must also be released by the service manager after a crash (deploy/mibc-ais.service, ExecStopPost) and
 * by the hardware watchdog's reset; see docs/raspberry-pi.md.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GpioChipNotFoundError } from './errors.js';
import type { GpioLine, GpioLineOptions, GpioProvider } from './gpio.js';
import { SimGpio } from './gpio-sim.js';

/** Labels of the bank that carries the 40-pin header, in order of preference: Pi 5 (RP1), Pi 4, Pi 0–3. */
export const PI_HEADER_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;
export const DEFAULT_SYSFS_GPIO_ROOT = '/sys/class/gpio';

export interface SysfsGpioChip {
  /** Directory name, e.g. `gpiochip512`. */
  chip: string;
  label: string;
  base: number;
  ngpio: number;
}

/** Finds the header's GPIO bank in a sysfs tree (the first label in `labels` that any chip carries). */
export async function findSysfsGpioChip(
  root: string = DEFAULT_SYSFS_GPIO_ROOT,
  labels: readonly string[] = PI_HEADER_CHIP_LABELS,
): Promise<SysfsGpioChip> {
  let entries: string[];
  try {
    entries = (await readdir(root)).filter((name) => /^gpiochip\d+$/.test(name));
  } catch (error) {
    throw new GpioChipNotFoundError(root, labels, { cause: error });
  }
  const chips: SysfsGpioChip[] = [];
  for (const chip of entries) {
    const attr = async (name: string): Promise<string> => (await readFile(join(root, chip, name), 'latin1')).trim();
    const [label, base, ngpio] = await Promise.all([attr('label'), attr('base'), attr('ngpio')]);
    const parsed = { chip, label, base: Number(base), ngpio: Number(ngpio) };
    if (Number.isInteger(parsed.base) && parsed.base >= 0 && Number.isInteger(parsed.ngpio) && parsed.ngpio > 0) chips.push(parsed);
  }
  for (const label of labels) {
    // Several chips may share a label (one per bank); the header is bank 0, the lowest base.
    const match = chips.filter((c) => c.label === label).sort((a, b) => a.base - b.base)[0];
    if (match !== undefined) return match;
  }
  throw new GpioChipNotFoundError(root, labels);
}

type OnoffGpio = import('onoff').Gpio;
type OnoffModule = typeof import('onoff');

export interface OnoffProviderOptions {
  /** Receives errors from input watchers (epoll), which have no caller to throw to. */
  onError?: (error: Error, bcm: number) => void;
}

class OnoffGpioProvider implements GpioProvider {
  readonly #Gpio: OnoffModule['Gpio'];
  readonly #chip: SysfsGpioChip;
  readonly #onError: (error: Error, bcm: number) => void;

  constructor(Gpio: OnoffModule['Gpio'], chip: SysfsGpioChip, options: OnoffProviderOptions) {
    this.#Gpio = Gpio;
    this.#chip = chip;
    // Without a handler an input error must not vanish: crash, and let systemd restart us with the relay released.
    this.#onError =
      options.onError ??
      ((error) => {
        queueMicrotask(() => {
          throw error;
        });
      });
  }

  output(bcm: number, options: GpioLineOptions & { initial: boolean }): GpioLine {
    const activeLow = options.activeLow ?? false;
    // sysfs "high"/"low" set the raw electrical level, before active_low applies.
    const gpio = new this.#Gpio(this.#number(bcm), options.initial !== activeLow ? 'high' : 'low', 'none', { activeLow });
    return this.#line(bcm, gpio, 'out');
  }

  input(bcm: number, options: GpioLineOptions = {}): GpioLine {
    const gpio = new this.#Gpio(this.#number(bcm), 'in', 'both', { activeLow: options.activeLow ?? false });
    return this.#line(bcm, gpio, 'in');
  }

  #number(bcm: number): number {
    if (!Number.isInteger(bcm) || bcm < 0 || bcm >= this.#chip.ngpio) {
      throw new RangeError(`"bcm" ${bcm} is outside ${this.#chip.chip} (0–${this.#chip.ngpio - 1})`);
    }
    return this.#chip.base + bcm;
  }

  #line(bcm: number, gpio: OnoffGpio, direction: 'in' | 'out'): GpioLine {
    let released = false;
    return {
      bcm,
      read: () => gpio.readSync() === 1,
      write: (value) => gpio.writeSync(value ? 1 : 0),
      watch: (listener) => {
        const callback = (error: Error | null | undefined, value: 0 | 1): void => {
          if (error) this.#onError(error, bcm);
          else listener(value === 1);
        };
        gpio.watch(callback);
        return () => gpio.unwatch(callback);
      },
      release: () => {
        if (released) return;
        released = true;
        if (direction === 'out') gpio.writeSync(0);
        gpio.unexport();
      },
    };
  }
}

export interface OpenGpioOptions extends OnoffProviderOptions {
  sysfsRoot?: string;
  chipLabels?: readonly string[];
  /** Throw instead of falling back to the twin (production images, where a missing GPIO is a fault). */
  requireHardware?: boolean;
}

export type OpenedGpio =
  | { provider: GpioProvider; simulated: false; chip: SysfsGpioChip }
  | { provider: SimGpio; simulated: true; reason: string };

/** The bench twin stands in for an appliance wired as documented: its switches start at rest. */
const BENCH_SIM_GPIO = { restingInputs: 'inactive' } as const;

/** The real GPIO provider when sysfs GPIO is usable, else the twin with the reason. */
export async function openGpioProvider(options: OpenGpioOptions = {}): Promise<OpenedGpio> {
  let onoff: OnoffModule;
  try {
    onoff = await import('onoff');
  } catch (error) {
    if (options.requireHardware) throw error;
    return { provider: new SimGpio(BENCH_SIM_GPIO), simulated: true, reason: `onoff cannot load: ${(error as Error).message}` };
  }
  if (!onoff.Gpio.accessible) {
    const reason = 'sysfs GPIO is not accessible (no /sys/class/gpio/export, or no permission)';
    if (options.requireHardware) throw new Error(reason);
    return { provider: new SimGpio(BENCH_SIM_GPIO), simulated: true, reason };
  }
  const chip = await findSysfsGpioChip(options.sysfsRoot, options.chipLabels);
  const providerOptions = options.onError === undefined ? {} : { onError: options.onError };
  return { provider: new OnoffGpioProvider(onoff.Gpio, chip, providerOptions), simulated: false, chip };
}
