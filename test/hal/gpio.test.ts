import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../hal/clock-sim.js';
import { BypassRelay, DebouncedInput, StatusLed, openApplianceGpio, type RelayState } from '../../hal/gpio.js';
import { findSysfsGpioChip, openGpioProvider } from '../../hal/gpio-node.js';
import { SimGpio } from '../../hal/gpio-sim.js';

describe('bypass relay (twin)', () => {
  it('starts released (bypass), reports inline only while energised, and releases on close', () => {
    const gpio = new SimGpio();
    const relay = new BypassRelay(gpio, 5);
    const changes: RelayState[] = [];
    relay.on('change', (s) => changes.push(s));
    expect(relay.state).toBe('bypass');
    expect(gpio.level(5)).toBe(false);
    relay.engage();
    expect(relay.state).toBe('inline');
    expect(gpio.level(5)).toBe(true);
    relay.engage();
    relay.close();
    expect(gpio.level(5)).toBe(false);
    expect(gpio.claimed(5)).toBe(false);
    expect(changes).toEqual(['inline', 'bypass']);
  });

  it('with an active-low driver, bypass is the electrically high level', () => {
    const gpio = new SimGpio();
    const relay = new BypassRelay(gpio, 6, { activeLow: true });
    expect(relay.state).toBe('bypass');
    expect(gpio.level(6)).toBe(true);
    relay.engage();
    expect(gpio.level(6)).toBe(false);
    relay.close();
    expect(gpio.level(6)).toBe(true);
  });

  it('a line can be claimed once (EBUSY), and only lines that exist (EINVAL)', () => {
    const gpio = new SimGpio();
    new BypassRelay(gpio, 5);
    expect(() => new BypassRelay(gpio, 5)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(() => new BypassRelay(gpio, 54)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('mode switch and tamper input (twin, fake clock)', () => {
  it('reports a binary-coded position only after the contacts settle for the debounce time', () => {
    const clock = new FakeClock();
    const gpio = new SimGpio();
    const mode = new DebouncedInput(gpio, [20, 21, 26], { debounceMs: 50, clock });
    const seen: number[] = [];
    mode.on('change', (v) => seen.push(v));
    expect(mode.value).toBe(0);
    // Turning from position 0 to 3 (bits 0 and 1): both contacts bounce, one settles 10 ms after the other.
    for (const level of [true, false, true, false, true]) {
      gpio.setLevel(20, level);
      clock.advance(2);
    }
    clock.advance(8);
    gpio.setLevel(21, true);
    gpio.setLevel(21, false);
    clock.advance(3);
    gpio.setLevel(21, true);
    clock.advance(49);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen).toEqual([3]);
    expect(mode.value).toBe(3);
  });

  it('ignores a glitch shorter than the debounce time', () => {
    const clock = new FakeClock();
    const gpio = new SimGpio();
    const tamper = new DebouncedInput(gpio, [16], { clock });
    const seen: number[] = [];
    tamper.on('change', (v) => seen.push(v));
    gpio.setLevel(16, true);
    clock.advance(10);
    gpio.setLevel(16, false);
    clock.advance(500);
    expect(seen).toEqual([]);
  });

  it('an active-low tamper switch (pull-up; the switch grounds the line when the lid opens) reads 1 when opened', () => {
    const clock = new FakeClock();
    const gpio = new SimGpio();
    gpio.setLevel(16, true); // lid closed: the pull-up holds the line high
    const tamper = new DebouncedInput(gpio, [16], { activeLow: true, clock });
    expect(tamper.value).toBe(0);
    gpio.setLevel(16, false);
    clock.advance(50);
    expect(tamper.value).toBe(1);
    tamper.close();
    expect(gpio.claimed(16)).toBe(false);
  });
});

describe('status LED (twin, fake clock)', () => {
  it('is steady or blinks at the pattern rate', () => {
    const clock = new FakeClock();
    const gpio = new SimGpio();
    const led = new StatusLed(gpio, 17, { clock });
    expect(led.lit).toBe(false);
    led.set('on');
    expect(led.lit).toBe(true);
    led.set('blink-fast');
    const samples: boolean[] = [];
    for (let i = 0; i < 4; i += 1) {
      samples.push(led.lit);
      clock.advance(125);
    }
    expect(samples).toEqual([true, false, true, false]);
    led.set('off');
    clock.advance(1000);
    expect(led.lit).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('appliance GPIO set', () => {
  it('opens the relay released and closes it released; refuses a line used twice', () => {
    const gpio = new SimGpio();
    const clock = new FakeClock();
    const pins = { bypassRelay: 5, leds: { power: 17, alarm: 27 }, modeSwitch: [20, 21, 26], tamper: 16 };
    const hw = openApplianceGpio(gpio, pins, clock);
    expect(hw.relay.state).toBe('bypass');
    hw.relay.engage();
    hw.leds.alarm?.set('blink-slow');
    hw.close();
    expect(gpio.level(5)).toBe(false);
    expect([5, 17, 27, 20, 21, 26, 16].some((bcm) => gpio.claimed(bcm))).toBe(false);
    expect(() => openApplianceGpio(new SimGpio(), { ...pins, tamper: 17 }, clock)).toThrow(RangeError);
  });

  it('releases every line it opened when a later one cannot be claimed', () => {
    const gpio = new SimGpio();
    gpio.input(16); // someone else holds the tamper line
    const pins = { bypassRelay: 5, leds: { power: 17 }, modeSwitch: [20], tamper: 16 };
    expect(() => openApplianceGpio(gpio, pins, new FakeClock())).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect([5, 17, 20].some((bcm) => gpio.claimed(bcm))).toBe(false);
  });
});

describe('sysfs GPIO base', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'mibc-sysfs-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function chip(name: string, label: string, base: number, ngpio: number): Promise<void> {
    await mkdir(join(root, name));
    await writeFile(join(root, name, 'label'), `${label}\n`);
    await writeFile(join(root, name, 'base'), `${base}\n`);
    await writeFile(join(root, name, 'ngpio'), `${ngpio}\n`);
  }

  it('finds the Pi 4 header bank on a 6.6 kernel (base 512), ignoring the expander', async () => {
    await chip('gpiochip512', 'pinctrl-bcm2711', 512, 58);
    await chip('gpiochip570', 'raspberrypi-exp-gpio', 570, 8);
    await writeFile(join(root, 'export'), '');
    expect(await findSysfsGpioChip(root)).toEqual({ chip: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 });
  });

  it('finds the Pi 5 RP1 bank (base 571) before the SoC banks', async () => {
    await chip('gpiochip512', 'gpio-brcmstb@107d508500', 512, 32);
    await chip('gpiochip571', 'pinctrl-rp1', 571, 54);
    expect((await findSysfsGpioChip(root)).base).toBe(571);
  });

  it('finds an old 0-based kernel and honours custom labels', async () => {
    await chip('gpiochip0', 'pinctrl-bcm2835', 0, 54);
    await chip('gpiochip100', 'my-board', 100, 16);
    expect((await findSysfsGpioChip(root)).base).toBe(0);
    expect((await findSysfsGpioChip(root, ['my-board'])).base).toBe(100);
  });

  it('throws a typed error when no bank matches or there is no sysfs', async () => {
    await chip('gpiochip0', 'something-else', 0, 8);
    await expect(findSysfsGpioChip(root)).rejects.toMatchObject({ code: 'GPIO_CHIP_NOT_FOUND' });
    await expect(findSysfsGpioChip(join(root, 'missing'))).rejects.toMatchObject({ code: 'GPIO_CHIP_NOT_FOUND' });
  });
});

describe('openGpioProvider', () => {
  it.runIf(!existsSync('/sys/class/gpio/export'))('falls back to the twin, with the reason, when sysfs GPIO is not accessible', async () => {
    const opened = await openGpioProvider();
    expect(opened.simulated).toBe(true);
    expect(opened.simulated && opened.reason).toMatch(/not accessible|cannot load/);
    await expect(openGpioProvider({ requireHardware: true })).rejects.toThrow();
  });
});

