/** `mibc-ais run` as systemd runs it: a process with a config file, signals and exit codes (simulated ports). */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'mibc-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (mode: number) => ({
  ports: { ship: { path: 'sim:ship' }, radio: { path: 'sim:radio' } },
  topology: 'inline',
  mode,
  gpio: { bypassRelay: 5, leds: { alarm: 22 } },
  status: { port: 0 },
});

interface LogLine {
  msg: string;
  [key: string]: unknown;
}

describe('mibc-ais run', () => {
  it('refuses an invalid config file with EX_CONFIG and names the bad keys', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ ...config(1), mode: 9, status: { port: 'x' } }));
    const result = spawnSync('npx', ['tsx', 'cli/main.ts', 'run', '--config', path], { encoding: 'utf8' });
    expect(result.status).toBe(78);
    expect(result.stderr).toMatch(/mode: must be a mode number 1–5/);
    expect(result.stderr).toMatch(/status\.port: /);
  });

  it('becomes ready, reloads on SIGHUP and stops on SIGTERM with the relay released', async () => {
    const path = join(dir, 'good.json');
    writeFileSync(path, JSON.stringify(config(1)));
    // Node itself, not npx, so that signals reach the daemon as systemd would deliver them.
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'run', '--config', path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const logs: LogLine[] = [];
    const waiters: { test: (l: LogLine) => boolean; resolve: () => void }[] = [];
    createInterface({ input: child.stdout }).on('line', (text) => {
      const line = JSON.parse(text) as LogLine;
      logs.push(line);
      for (const w of waiters.filter((w) => w.test(line))) w.resolve();
    });
    const logged = (test: (l: LogLine) => boolean): Promise<void> =>
      logs.some(test) ? Promise.resolve() : new Promise((resolve) => waiters.push({ test, resolve }));

    // A failed assertion must not leave the daemon running behind the test.
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await logged((l) => l.msg === 'ready');
    expect(logs.find((l) => l.msg === 'relay inline')).toBeDefined();

    // The mode-1 build refuses mode 2: the reload is applied and the refusal is an alarm, not a crash.
    writeFileSync(path, JSON.stringify(config(2)));
    child.kill('SIGHUP');
    await logged((l) => l.alarm === 'MODE_UNAVAILABLE');
    expect(logs.find((l) => l.msg === 'configuration reloaded')).toMatchObject({ mode: 2 });

    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const order = logs.map((l) => l.msg);
    expect(order.indexOf('relay bypass')).toBeGreaterThan(order.indexOf('signal'));
    expect(order.indexOf('relay bypass')).toBeLessThan(order.indexOf('stopped'));
  });
});
