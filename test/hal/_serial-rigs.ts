/**
 * Rigs for the serial contract suite: the same tests drive the simulated twin (on a fake clock) and a real
 * pseudo-terminal pair made by socat (on the system clock, waiting for conditions, never asserting on time).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';
import { FakeClock } from '../../hal/clock-sim.js';
import { systemClock } from '../../hal/clock.js';
import { createSerialLink } from '../../hal/serial-node.js';
import { SimSerialBus, createSimSerialLink, type SimSerialDevice } from '../../hal/serial-sim.js';
import type { SerialLink, SerialLinkOptions } from '../../hal/serial.js';

export type LinkOptions = Omit<SerialLinkOptions, 'path'>;

export interface SerialRig {
  readonly name: string;
  /** The application side: a link on the rig's port. */
  link(options?: LinkOptions): SerialLink;
  /** Device → application bytes. */
  deviceSend(text: string): void;
  /** Lines the device received from the application. */
  deviceLines(): readonly string[];
  /** The device stops reading / reads again. */
  deviceStall(): void;
  deviceResume(): void;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  /** Lets time pass until `predicate` holds; throws with `what` if it never does. */
  until(predicate: () => boolean, what: string): Promise<void>;
  dispose(): Promise<void>;
}

export const socatAvailable = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function simRig(): SerialRig & { clock: FakeClock; device: SimSerialDevice; bus: SimSerialBus } {
  const clock = new FakeClock();
  const bus = new SimSerialBus();
  const path = '/dev/ttySIM0';
  // A small high-water mark so that back-pressure shows up within a few dozen lines.
  const device = bus.createPort(path, { highWaterMark: 4096 });
  const links: SerialLink[] = [];
  return {
    name: 'simulated twin',
    clock,
    device,
    bus,
    link(options = {}) {
      const link = createSimSerialLink(bus, { path, ...options }, clock);
      links.push(link);
      return link;
    },
    deviceSend: (text) => device.emitData(text),
    deviceLines: () => device.lines,
    deviceStall: () => device.stall(),
    deviceResume: () => device.resume(),
    unplug: async () => device.unplug(),
    replug: async () => device.replug(),
    async until(predicate, what) {
      // Simulated time: 5 ms steps, up to 10 simulated minutes.
      for (let i = 0; i < 120_000; i += 1) {
        if (predicate()) return;
        await nextTurn();
        clock.advance(5);
      }
      throw new Error(`timed out (simulated) waiting for ${what}`);
    },
    async dispose() {
      await Promise.all(links.map((l) => l.close()));
    },
  };
}

/**
 * Real-time wait limit for the PTY rig: generous for two busy cores (socat and the reader are starved for seconds
 * there); a pass never waits this long. A PTY test waits several times, so its own timeout is a multiple of it.
 */
const PTY_WAIT_LIMIT_MS = 60_000;
export const PTY_TEST_TIMEOUT_MS = 4 * PTY_WAIT_LIMIT_MS;

export async function ptyRig(): Promise<SerialRig> {
  const dir = mkdtempSync(join(tmpdir(), 'mibc-pty-'));
  const appPath = join(dir, 'ttyAPP');
  const devPath = join(dir, 'ttyDEV');
  const links: SerialLink[] = [];
  let socat: ChildProcess | undefined;
  let devFd: number | undefined;
  let devStream: ReadStream | undefined;
  let received = '';
  const lines: string[] = [];

  const waitFor = async (predicate: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + PTY_WAIT_LIMIT_MS;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  const openDevice = (): void => {
    devFd = openSync(devPath, constants.O_RDWR | constants.O_NOCTTY);
    devStream = new ReadStream(devFd);
    devStream.on('data', (chunk: Buffer | string) => {
      received += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
      const parts = received.split('\r\n');
      received = parts.pop() ?? '';
      lines.push(...parts);
    });
    // The pty goes away under the reader when socat dies (EIO): that is the unplug being simulated.
    devStream.on('error', () => undefined);
  };

  const closeDevice = (): void => {
    devStream?.destroy();
    devStream = undefined;
    // The tty stream reads through its own reopened descriptor and closes only that one; ours is ours to close.
    if (devFd !== undefined) closeSync(devFd);
    devFd = undefined;
    received = '';
  };

  // The application's path appears only after the device side is open (atomic rename of socat's link), so a
  // reopening link never writes into a pty nobody reads yet.
  const plugIn = async (): Promise<void> => {
    const staging = join(dir, 'ttyAPP.staging');
    socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${staging}`, `pty,raw,echo=0,link=${devPath}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    socat.stderr?.resume();
    await waitFor(() => existsSync(staging) && existsSync(devPath), 'socat to create its ptys');
    openDevice();
    renameSync(staging, appPath);
  };

  const pullOut = async (): Promise<void> => {
    const proc = socat;
    socat = undefined;
    if (proc !== undefined && proc.exitCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    }
    closeDevice();
    // The renamed link now dangles; remove it so a reused /dev/pts number is never opened by mistake.
    rmSync(appPath, { force: true });
    rmSync(devPath, { force: true });
  };

  await plugIn();
  return {
    name: 'pseudo-terminal (socat)',
    link(options = {}) {
      const link = createSerialLink({ path: appPath, ...options }, systemClock);
      links.push(link);
      return link;
    },
    deviceSend(text) {
      if (devFd === undefined) throw new Error('device side is not open');
      writeSync(devFd, Buffer.from(text, 'latin1'));
    },
    deviceLines: () => lines,
    deviceStall: () => devStream?.pause(),
    deviceResume: () => devStream?.resume(),
    unplug: pullOut,
    replug: plugIn,
    until: waitFor,
    async dispose() {
      await Promise.all(links.map((l) => l.close()));
      await pullOut();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
