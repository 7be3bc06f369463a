/**
 * A pseudo-terminal pair made by socat standing in for one serial cable: the daemon opens `appPath` with the real
 * serial driver; the test holds the device end (what a transponder, ECDIS or radio module would hold). `pullOut`
 * kills socat (the cable is pulled), `plugIn` starts a new one under the same names.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';
import { pino } from 'pino';
import type { DaemonConfigInput, DaemonDeps } from '../../../firmware/daemon/index.js';
import type { Pipeline } from '../../../firmware/pipeline.js';
import { RecordingNotifier, SimGpio, createSerialLink, systemClock } from '../../../hal/index.js';

export const socatAvailable = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;

/**
 * Real-time limit for waiting on a condition: generous for a machine whose cores are all busy (two cores shared by
 * many processes stretch a 1-s exchange past 20 s); a pass never waits this long. Tests that wait more than once
 * set their own timeout from it (`PTY_TEST_TIMEOUT_MS`).
 */
export const WAIT_LIMIT_MS = 60_000;
/** Per-test (and per-hook) timeout for tests that wait on pseudo-terminals: a few waits, each up to the limit. */
export const PTY_TEST_TIMEOUT_MS = 4 * WAIT_LIMIT_MS;

/** Waits for `predicate`; on timeout the error names `what` and, if given, the state `detail()` describes. */
export async function until(predicate: () => boolean, what: string, limitMs = WAIT_LIMIT_MS, detail?: () => string): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail === undefined ? '' : ` (${detail()})`}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export class PtyCable {
  readonly appPath: string;
  readonly #devPath: string;
  readonly #staging: string;
  readonly lines: string[] = [];
  /** Lines the device end could not send because the cable was out (a radio does not hear a pulled cable). */
  unsent = 0;
  #socat: ChildProcess | undefined;
  #fd: number | undefined;
  #stream: ReadStream | undefined;
  #partial = '';
  #outbox = Buffer.alloc(0);
  #retry: ReturnType<typeof setTimeout> | undefined;
  readonly #listeners: ((line: string) => void)[] = [];

  constructor(dir: string, name: string) {
    this.appPath = join(dir, `${name}.app`);
    this.#devPath = join(dir, `${name}.dev`);
    this.#staging = join(dir, `${name}.staging`);
  }

  get plugged(): boolean {
    return this.#fd !== undefined;
  }

  onLine(listener: (line: string) => void): void {
    this.#listeners.push(listener);
  }

  /** Device → daemon, in order; what the pty does not take yet waits in the outbox (never a lost or cut line). */
  send(line: string): void {
    if (this.#fd === undefined) {
      this.unsent += 1;
      return;
    }
    this.#outbox = Buffer.concat([this.#outbox, Buffer.from(`${line}\r\n`, 'latin1')]);
    this.#flush();
  }

  // The device end is non-blocking (the tty read stream makes it so): a full pty takes part of a write or none
  // (EAGAIN), which happens whenever the daemon reads slower than the test writes, as on a busy machine.
  #flush(): void {
    while (this.#fd !== undefined && this.#outbox.length > 0) {
      try {
        this.#outbox = this.#outbox.subarray(writeSync(this.#fd, this.#outbox));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        break;
      }
    }
    if (this.#fd !== undefined && this.#outbox.length > 0 && this.#retry === undefined) {
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        try {
          this.#flush();
        } catch {
          this.#outbox = Buffer.alloc(0); // the cable went away under the write: what was in flight is lost
        }
      }, 5);
    }
  }

  async plugIn(): Promise<void> {
    this.#socat = spawn('socat', [`pty,raw,echo=0,link=${this.#staging}`, `pty,raw,echo=0,link=${this.#devPath}`], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    await until(() => existsSync(this.#staging) && existsSync(this.#devPath), 'socat to create its ptys');
    this.#fd = openSync(this.#devPath, constants.O_RDWR | constants.O_NOCTTY);
    this.#stream = new ReadStream(this.#fd);
    this.#stream.on('data', (chunk: Buffer | string) => {
      this.#partial += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
      const parts = this.#partial.split('\r\n');
      this.#partial = parts.pop() ?? '';
      for (const line of parts) {
        this.lines.push(line);
        for (const listener of this.#listeners) listener(line);
      }
    });
    // The pty goes away under the reader when socat dies (EIO): that is the pulled cable.
    this.#stream.on('error', () => undefined);
    // The daemon's path appears only once the device end is open, so it never writes into a pty nobody reads.
    renameSync(this.#staging, this.appPath);
  }

  async pullOut(): Promise<void> {
    const proc = this.#socat;
    this.#socat = undefined;
    if (proc !== undefined && proc.exitCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    }
    this.#stream?.destroy();
    this.#stream = undefined;
    // The tty stream reads through its own reopened descriptor and closes only that one; ours is ours to close.
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    this.#partial = '';
    // Bytes still in the outbox go with the pulled cable, as lines in a real cable would.
    this.#outbox = Buffer.alloc(0);
    clearTimeout(this.#retry);
    this.#retry = undefined;
    rmSync(this.appPath, { force: true });
    rmSync(this.#devPath, { force: true });
  }
}

/** The VHF link between two ships' radio ports: what one radio module transmits, the other receives. */
export class RadioTwin {
  transmitted = 0;

  constructor(a: PtyCable, b: PtyCable) {
    a.onLine((line) => {
      this.transmitted += 1;
      b.send(line);
    });
    b.onLine((line) => {
      this.transmitted += 1;
      a.send(line);
    });
  }
}

/** A ship and a radio cable (`<name>-ship`, `<name>-radio`), both plugged in. */
export async function plugInPair(dir: string, name: string): Promise<{ ship: PtyCable; radio: PtyCable }> {
  const ship = new PtyCable(dir, `${name}-ship`);
  const radio = new PtyCable(dir, `${name}-radio`);
  await ship.plugIn();
  await radio.plugIn();
  return { ship, radio };
}

/** The daemon's `ports` section for the application ends of two cables. */
export function portsOn(ship: PtyCable, radio: PtyCable): { ship: { path: string }; radio: { path: string } } {
  return { ship: { path: ship.appPath }, radio: { path: radio.appPath } };
}

/** An inline appliance in mode 2 on two cables, status on a free port, the bypass relay on GPIO 5; `more` on top. */
export function inlineOn(ship: PtyCable, radio: PtyCable, more: Partial<DaemonConfigInput> = {}): DaemonConfigInput {
  return { ports: portsOn(ship, radio), topology: 'inline', mode: 2, status: { port: 0 }, gpio: { bypassRelay: 5 }, ...more };
}

/** What a daemon on pseudo-terminals needs: the real serial driver on the system clock, simulated GPIO, no log. */
export function ptyDaemonDeps(pipeline: Pipeline): DaemonDeps {
  return {
    createPipeline: () => pipeline,
    openLink: (_side, port) => createSerialLink({ path: port.path, baudRate: port.baud, paceOutput: port.pace }, systemClock),
    notifier: new RecordingNotifier(),
    logger: pino({ level: 'silent' }),
    gpio: new SimGpio(),
  };
}
