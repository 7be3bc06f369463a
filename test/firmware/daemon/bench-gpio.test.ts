/**
 * The documented configuration (docs/raspberry-pi.md §4) on a bench without GPIO hardware: the daemon falls back to
 * the simulated GPIO and must start without false alarms (no TAMPER, no MODE_UNAVAILABLE), in the configured mode.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, RecordingNotifier, SimGpio, SimSerialBus, createSimSerialLink, openGpioProvider } from '../../../hal/index.js';
import { Daemon, parseConfig } from '../../../firmware/daemon/index.js';
import { TwinPipeline } from './_twin-pipeline.js';

const DOCUMENTED_GPIO = { bypassRelay: 5, leds: { power: 17, secure: 27, alarm: 22 }, modeSwitch: [23, 24, 25], tamper: 26 };

const daemons: Daemon[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop();
});

async function settle(): Promise<void> {
  for (let i = 0; i < 8; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('the documented bench configuration on simulated GPIO', () => {
  it('the GPIO fallback starts with the switches at rest: no TAMPER, no MODE_UNAVAILABLE, the configured mode', async (ctx) => {
    const opened = await openGpioProvider({ sysfsRoot: '/nonexistent-gpio-root' });
    if (!opened.simulated) ctx.skip();
    const clock = new FakeClock();
    const bus = new SimSerialBus();
    bus.createPort('sim:ship');
    bus.createPort('sim:radio');
    const config = parseConfig({
      ports: { ship: { path: 'sim:ship', pace: false }, radio: { path: 'sim:radio', pace: false } },
      topology: 'inline',
      mode: 2,
      gpio: DOCUMENTED_GPIO,
      status: { port: 0 },
    });
    const daemon = new Daemon(config, {
      createPipeline: () => new TwinPipeline({ spend: (ms) => clock.advance(ms) }),
      openLink: (_side, port) => createSimSerialLink(bus, { path: port.path, baudRate: port.baud, paceOutput: port.pace }, clock),
      notifier: new RecordingNotifier({ clock }),
      logger: pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() })),
      clock,
      gpio: opened.provider,
    });
    daemons.push(daemon);
    await daemon.start();
    await settle();
    expect(daemon.alarms.has('TAMPER')).toBe(false);
    expect(daemon.alarms.has('MODE_UNAVAILABLE')).toBe(false);
    expect(daemon.status().mode).toBe(2);

    // The inputs still work: opening the (active-low) tamper switch pulls its line low and raises the alarm.
    (opened.provider as SimGpio).setLevel(26, false);
    clock.advance(1_000);
    await settle();
    expect(daemon.alarms.has('TAMPER')).toBe(true);
  });

  it('a SimGpio with inputs at rest reads an undriven active-low input as inactive, an active-high one too', () => {
    const gpio = new SimGpio({ restingInputs: 'inactive' });
    expect(gpio.input(26, { activeLow: true }).read()).toBe(false);
    expect(gpio.input(23, { activeLow: false }).read()).toBe(false);
    expect(new SimGpio().input(26, { activeLow: true }).read()).toBe(true);
  });
});
