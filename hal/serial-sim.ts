/**
 * The serial twin, after serialport's MockBinding: a bus of named simulated devices that behaves like a tty
 * where it matters to the link — opening is asynchronous, a second open of a locked port fails, an absent or
 * unplugged device cannot be opened, unplugging an open port disconnects it, data cannot be injected into a
 * closed port, and a device that stops reading makes `write()` answer false once its buffer passes the
 * high-water mark, with `drain` when it reads again.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from './clock.js';
import type { PortConnection, PortConnectionEvents, PortDriver } from './_serial-driver.js';
import { SerialLinkEngine } from './_serial-link.js';
import type { SerialLink, SerialLinkOptions } from './serial.js';

/** serialport's stream default (`@serialport/stream` highWaterMark). */
export const SIM_DEFAULT_HIGH_WATER_MARK = 64 * 1024;
/** Lines the far end keeps for inspection; a long bench run must not grow the record forever (oldest go first). */
export const SIM_RECORD_LIMIT_LINES = 100_000;

export interface SimPortOptions {
  highWaterMark?: number;
}

class SimConnection extends EventEmitter<PortConnectionEvents> implements PortConnection {
  #open = true;

  constructor(readonly device: SimSerialDevice) {
    super();
  }

  get isOpen(): boolean {
    return this.#open;
  }

  write(bytes: Buffer, done: (error?: Error | null) => void): boolean {
    if (!this.#open) throw new Error('Port is not open');
    return this.device._accept(bytes, done);
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.device._released(this);
  }

  _disconnect(error: Error): void {
    if (!this.#open) return;
    this.#open = false;
    queueMicrotask(() => this.emit('disconnect', error));
  }
}

/** The far end of one simulated port: what a transponder or radio module would see. */
export class SimSerialDevice {
  readonly path: string;
  readonly highWaterMark: number;
  #plugged = true;
  #conn: SimConnection | undefined;
  #stalled = false;
  #inFlight: { bytes: Buffer; done: (error?: Error | null) => void }[] = [];
  #inFlightBytes = 0;
  #needDrain = false;
  #received = '';
  readonly #lines: string[] = [];
  #discardedLines = 0;

  constructor(path: string, options: SimPortOptions = {}) {
    this.path = path;
    this.highWaterMark = options.highWaterMark ?? SIM_DEFAULT_HIGH_WATER_MARK;
  }

  get isOpen(): boolean {
    return this.#conn !== undefined;
  }

  get plugged(): boolean {
    return this.#plugged;
  }

  /** Complete lines the application wrote, without CRLF, in order. */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /** Recorded lines discarded because the record passed {@link SIM_RECORD_LIMIT_LINES}. */
  get discardedLines(): number {
    return this.#discardedLines;
  }

  /** Empties the record of received lines. */
  clearLines(): void {
    this.#lines.length = 0;
  }

  /** Device → application. Throws when the port is not open, as a real device's bytes would go nowhere. */
  emitData(data: string | Buffer): void {
    const conn = this.#conn;
    if (conn === undefined) throw new Error(`Port ${this.path} must be open to receive data`);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    queueMicrotask(() => {
      if (conn.isOpen) conn.emit('data', bytes);
    });
  }

  emitLine(line: string): void {
    this.emitData(`${line}\r\n`);
  }

  /** The device stops reading (flow control, a hung peer): written bytes pile up in the port buffer. */
  stall(): void {
    this.#stalled = true;
  }

  /** The device reads again: buffered bytes arrive and a waiting writer gets `drain`. */
  resume(): void {
    this.#stalled = false;
    const pending = this.#inFlight;
    this.#inFlight = [];
    this.#inFlightBytes = 0;
    for (const chunk of pending) this.#deliver(chunk.bytes, chunk.done);
    if (this.#needDrain && this.#conn !== undefined) {
      this.#needDrain = false;
      const conn = this.#conn;
      queueMicrotask(() => {
        if (conn.isOpen) conn.emit('drain');
      });
    }
  }

  /** Pulls the plug: an open connection is disconnected and the path disappears until `replug`. */
  unplug(): void {
    this.#plugged = false;
    const conn = this.#conn;
    this.#conn = undefined;
    const lost = this.#inFlight;
    this.#inFlight = [];
    this.#inFlightBytes = 0;
    this.#needDrain = false;
    const error = Object.assign(new Error('bad file descriptor'), { disconnected: true });
    conn?._disconnect(error);
    // As with serialport, writes still pending when the port goes away fail after the disconnect.
    for (const { done } of lost) queueMicrotask(() => queueMicrotask(() => done(error)));
  }

  replug(): void {
    this.#plugged = true;
  }

  /** @internal */
  _attach(conn: SimConnection): void {
    this.#conn = conn;
  }

  /** @internal */
  _released(conn: SimConnection): void {
    if (this.#conn === conn) this.#conn = undefined;
  }

  /** @internal Returns what a serialport stream's write() would: false once above the high-water mark. */
  _accept(bytes: Buffer, done: (error?: Error | null) => void): boolean {
    if (!this.#stalled) {
      this.#deliver(bytes, done);
      return true;
    }
    this.#inFlight.push({ bytes, done });
    this.#inFlightBytes += bytes.length;
    if (this.#inFlightBytes >= this.highWaterMark) {
      this.#needDrain = true;
      return false;
    }
    return true;
  }

  #deliver(bytes: Buffer, done: (error?: Error | null) => void): void {
    this.#record(bytes);
    queueMicrotask(() => done(null));
  }

  #record(bytes: Buffer): void {
    this.#received += bytes.toString('latin1');
    const parts = this.#received.split('\r\n');
    this.#received = parts.pop() ?? '';
    this.#lines.push(...parts);
    const excess = this.#lines.length - SIM_RECORD_LIMIT_LINES;
    if (excess > 0) {
      this.#lines.splice(0, excess);
      this.#discardedLines += excess;
    }
  }
}

/** A set of simulated serial devices; implements the driver contract the link engine opens ports through. */
export class SimSerialBus implements PortDriver {
  readonly #devices = new Map<string, SimSerialDevice>();

  createPort(path: string, options: SimPortOptions = {}): SimSerialDevice {
    if (this.#devices.has(path)) throw new Error(`simulated port ${path} already exists`);
    const device = new SimSerialDevice(path, options);
    this.#devices.set(path, device);
    return device;
  }

  device(path: string): SimSerialDevice {
    const device = this.#devices.get(path);
    if (device === undefined) throw new Error(`no simulated port ${path}`);
    return device;
  }

  async open(path: string, _baudRate: number): Promise<PortConnection> {
    // Opening is never synchronous on a real tty; keep callers honest about that.
    await Promise.resolve();
    const device = this.#devices.get(path);
    if (device === undefined || !device.plugged) {
      throw Object.assign(new Error(`No such file or directory, cannot open ${path}`), { code: 'ENOENT' });
    }
    if (device.isOpen) throw new Error('Error Resource temporarily unavailable Cannot lock port');
    const conn = new SimConnection(device);
    device._attach(conn);
    return conn;
  }
}

/** A SerialLink on a simulated port of `bus`; pass a FakeClock to control pacing and backoff. */
export function createSimSerialLink(bus: SimSerialBus, options: SerialLinkOptions, clock?: Clock): SerialLink {
  return new SerialLinkEngine(options, clock === undefined ? { driver: bus } : { driver: bus, clock });
}
