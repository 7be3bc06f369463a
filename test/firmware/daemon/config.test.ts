import { describe, expect, it } from 'vitest';
import { keysNeedingRestart, parseConfig, parseConfigText } from '../../../firmware/daemon/index.js';
import { configErrorMessage, minimalConfig } from './_config-fixture.js';

const minimal = minimalConfig;
const message = configErrorMessage;

describe('daemon configuration', () => {
  it('fills defaults for a minimal file', () => {
    const config = parseConfig(minimal);
    expect(config.ports.ship).toEqual({ path: '/dev/ttyAMA0', baud: 38_400, pace: true });
    expect(config.policies).toEqual({ forwardUnverified: 'flagged', tokenRemoved: 'mode1', plainFallback: 'on-failure', displayStatuses: 'news' });
    expect(config.timing.latencyBudgetMs).toBe(500);
  });

  it('takes a network endpoint as a port path, and names the valid forms for a bad one', () => {
    const config = parseConfig({ ...minimal, ports: { ship: { path: 'tcp-listen://:10110' }, radio: { path: 'tcp://127.0.0.1:10111' } } });
    expect(config.ports.ship.path).toBe('tcp-listen://:10110');
    const text = message(() => parseConfig({ ...minimal, ports: { ship: { path: 'http://x:1' }, radio: { path: 'tcp://:5' } } }));
    expect(text).toMatch(/ports\.ship\.path: must be a serial device path, tcp:\/\/host:port/);
    expect(text).toMatch(/ports\.radio\.path: must be/);
  });

  it('names every bad key by its path', () => {
    const text = message(() =>
      parseConfig({ ...minimal, ports: { ship: { path: 'a', baud: '38400' }, radio: { path: 'b' } }, mode: 7, policies: { forwardUnverified: 'yes' } }),
    );
    expect(text).toMatch(/ports\.ship\.baud: .*expected number/);
    expect(text).toMatch(/mode: must be a mode number 1–5/);
    expect(text).toMatch(/policies\.forwardUnverified: /);
  });

  it('rejects unknown (misspelt) keys instead of using a default', () => {
    expect(message(() => parseConfig({ ...minimal, timing: { latencyBudgetMS: 100 } }))).toMatch(/timing: Unrecognized key: "latencyBudgetMS"/);
  });

  it('checks relations between keys', () => {
    expect(message(() => parseConfig({ ...minimal, topology: 'inline' }))).toMatch(/gpio: is required for the inline topology/);
    expect(message(() => parseConfig({ ...minimal, ports: { ship: { path: 'x' }, radio: { path: 'x' } } }))).toMatch(/ports\.radio\.path: must differ/);
    expect(message(() => parseConfig({ ...minimal, timing: { latencyBudgetMs: 900, hangThresholdMs: 800 } }))).toMatch(/timing\.hangThresholdMs/);
    expect(message(() => parseConfig({ ...minimal, gpio: { bypassRelay: 5, leds: { power: 5 } } }))).toMatch(/gpio: uses a BCM line twice/);
  });

  it('reports JSON syntax errors with the source name', () => {
    expect(message(() => parseConfigText('{ "mode": ', '/etc/mibc-ais/config.json'))).toMatch(/\/etc\/mibc-ais\/config.json is not valid JSON/);
  });

  it('lists the changes a reload cannot apply', () => {
    const before = parseConfig(minimal);
    const after = parseConfig({ ...minimal, mode: 5, ports: { ...minimal.ports, radio: { path: '/dev/ttyUSB0' } } });
    expect(keysNeedingRestart(before, after)).toEqual(['ports']);
  });
});
