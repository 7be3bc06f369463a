import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../hal/clock-sim.js';
import { RecordingNotifier } from '../../hal/notify-sim.js';
import { SystemdNotifier, type NotifySpawner } from '../../hal/notify-systemd.js';
import { startWatchdog, watchdogIntervalFromEnv } from '../../hal/notify.js';

describe('watchdog interval from the environment (sd_watchdog_enabled)', () => {
  it('is half of WATCHDOG_USEC, only for the named process', () => {
    expect(watchdogIntervalFromEnv({ WATCHDOG_USEC: '10000000' }, 42)).toBe(5000);
    expect(watchdogIntervalFromEnv({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '42' }, 42)).toBe(5000);
    expect(watchdogIntervalFromEnv({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '7' }, 42)).toBeUndefined();
    expect(watchdogIntervalFromEnv({}, 42)).toBeUndefined();
    expect(watchdogIntervalFromEnv({ WATCHDOG_USEC: '0' }, 42)).toBeUndefined();
    expect(watchdogIntervalFromEnv({ WATCHDOG_USEC: '-5' }, 42)).toBeUndefined();
  });
});

describe('watchdog pinger (twin, fake clock)', () => {
  it('pings every interval while healthy and withholds pings while the pipeline is hung', () => {
    const clock = new FakeClock();
    const notifier = new RecordingNotifier({ watchdogIntervalMs: 5000, clock });
    let healthy = true;
    const dog = startWatchdog({ notifier, clock, healthy: () => healthy });
    clock.advance(10_000);
    expect(dog.pings).toBe(3);
    healthy = false;
    clock.advance(20_000);
    expect(dog.pings).toBe(3);
    expect(dog.withheld).toBe(4);
    expect(notifier.notifications.map((n) => n.atMs)).toEqual([0, 5000, 10_000]);
    dog.stop();
    healthy = true;
    clock.advance(20_000);
    expect(dog.pings).toBe(3);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does nothing when no watchdog was requested', () => {
    const clock = new FakeClock();
    const dog = startWatchdog({ notifier: new RecordingNotifier({ clock }), clock, healthy: () => true });
    clock.advance(60_000);
    expect(dog.pings).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reports failed pings to onError', async () => {
    const clock = new FakeClock();
    const notifier = new RecordingNotifier({ watchdogIntervalMs: 1000, clock });
    notifier.fail();
    const errors: unknown[] = [];
    startWatchdog({ notifier, clock, healthy: () => true, onError: (e) => errors.push(e) }).stop();
    await Promise.resolve();
    await Promise.resolve();
    expect(errors).toEqual([expect.objectContaining({ code: 'NOTIFY_FAILED' })]);
  });
});

describe('SystemdNotifier', () => {
  it('is a no-op outside systemd (no NOTIFY_SOCKET) and never spawns', async () => {
    const spawner = (() => {
      throw new Error('must not spawn');
    }) as unknown as NotifySpawner;
    const notifier = new SystemdNotifier({ env: { WATCHDOG_USEC: '1000000' }, spawner });
    expect(notifier.enabled).toBe(false);
    expect(notifier.watchdogIntervalMs).toBeUndefined();
    await notifier.ready('up');
    await notifier.watchdog();
  });

  it('refuses a STATUS text that would inject other fields', () => {
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: '/nonexistent' } });
    expect(() => notifier.status('ok\nREADY=1')).toThrow(RangeError);
  });

  it('reports a missing systemd-notify binary as a typed error', async () => {
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: '/nonexistent' }, command: '/nonexistent/systemd-notify' });
    await expect(notifier.ready()).rejects.toMatchObject({ code: 'NOTIFY_FAILED' });
  });
});

const haveTools =
  spawnSync('systemd-notify', ['--version'], { stdio: 'ignore' }).status === 0 &&
  spawnSync('python3', ['-c', 'import socket; socket.AF_UNIX'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!haveTools)(
  `SystemdNotifier over a real unix datagram socket${haveTools ? '' : ' (skipped: needs systemd-notify and python3)'}`,
  () => {
    let receiver: ChildProcess | undefined;
    let dir: string | undefined;
    afterEach(async () => {
      receiver?.kill();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('delivers READY (with STATUS), WATCHDOG and STOPPING in order', async () => {
      dir = await mkdtemp(join(tmpdir(), 'mibc-notify-'));
      const socketPath = join(dir, 'notify.sock');
      const helper = fileURLToPath(new URL('./_notify-receiver.py', import.meta.url));
      const proc = spawn('python3', [helper, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
      receiver = proc;
      const datagrams: string[] = [];
      let listening = false;
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        const message = JSON.parse(line) as { listening?: string; datagram?: string };
        if (message.listening !== undefined) listening = true;
        if (message.datagram !== undefined) datagrams.push(message.datagram);
      });
      await until(() => listening);

      const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '4000000' } });
      expect(notifier.watchdogIntervalMs).toBe(2000);
      await Promise.all([notifier.ready('links up'), notifier.watchdog(), notifier.stopping()]);
      await until(() => datagrams.filter((d) => d !== 'BARRIER=1').length === 3);
      expect(datagrams.filter((d) => d !== 'BARRIER=1')).toEqual(['READY=1\nSTATUS=links up', 'WATCHDOG=1', 'STOPPING=1']);
    });
  },
);

/** Waits on a python3 child: the limit is for both cores busy (its start alone can take seconds); a pass is quick. */
async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!predicate() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!predicate()) throw new Error('condition not reached');
}
