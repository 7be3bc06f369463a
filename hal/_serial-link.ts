/**
 * The serial link engine shared by the real port and its twin: bounded CRLF framing on input, a paced
 * two-priority queue on output, honouring `write() === false` until `drain`, and reopen with exponential backoff
 * after the device is lost. Only the PortDriver differs between hardware and simulation, so the twin exercises
 * exactly this code (the serialport stream-over-binding split).
 */
import { EventEmitter } from 'node:events';
import { ReadlineParser } from '@serialport/parser-readline';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { SerialDisconnectedError, SerialOpenError } from './errors.js';
import { LineGuard } from './_line-guard.js';
import { OutputQueue, type QueuedLine } from './_output-queue.js';
import type { PortConnection, PortDriver } from './_serial-driver.js';
import {
  DEFAULT_BAUD_RATE,
  DEFAULT_MAX_LINE_LENGTH,
  DEFAULT_OUTPUT_MAX_AGE_MS,
  DEFAULT_OUTPUT_QUEUE_LIMIT,
  DEFAULT_REOPEN_INITIAL_MS,
  DEFAULT_REOPEN_MAX_MS,
  SERIAL_PRIORITIES,
  type SerialCounters,
  type SerialDropReason,
  type SerialLink,
  type SerialLinkEvents,
  type SerialLinkOptions,
  type SerialLinkState,
  type SerialPriority,
  type SerialSupersede,
} from './serial.js';

/** 8N1: a start bit, eight data bits and a stop bit per character. */
const BITS_PER_CHAR = 10;

export interface LinkDeps {
  driver: PortDriver;
  clock?: Clock;
}

export class SerialLinkEngine extends EventEmitter<SerialLinkEvents> implements SerialLink {
  readonly path: string;
  readonly baudRate: number;
  readonly paceOutput: boolean;
  readonly maxLineLength: number;
  readonly reopenInitialMs: number;
  readonly reopenMaxMs: number;
  readonly #driver: PortDriver;
  readonly #clock: Clock;
  readonly #queue: OutputQueue;
  readonly #counters: SerialCounters = {
    linesIn: 0,
    bytesIn: 0,
    overlongLines: 0,
    linesOut: 0,
    bytesOut: 0,
    backpressureWaits: 0,
    drops: { 'queue-full': 0, preempted: 0, expired: 0, closed: 0, disconnected: 0, superseded: 0 },
    portDowns: 0,
    reconnects: 0,
  };
  #state: SerialLinkState = 'idle';
  #conn: PortConnection | undefined;
  #guard: LineGuard | undefined;
  #parser: ReadlineParser | undefined;
  #everUp = false;
  #backoffMs: number;
  #reopenTimer: TimerHandle | undefined;
  #paceTimer: TimerHandle | undefined;
  #awaitingDrain = false;
  /**
   * Lines written to the current connection and not yet confirmed as handed to the device, oldest first. Bounded
   * by back-pressure: the stream refuses more once its high-water mark is passed.
   */
  #unconfirmed: QueuedLine[] = [];
  /** Monotonic time at which the UART will have shifted out everything written so far. */
  #lineFreeAt = 0;

  constructor(options: SerialLinkOptions, deps: LinkDeps) {
    super();
    if (typeof options.path !== 'string' || options.path.length === 0) throw new TypeError('"path" must be a non-empty string');
    this.path = options.path;
    this.baudRate = positiveInt(options.baudRate ?? DEFAULT_BAUD_RATE, 'baudRate');
    this.paceOutput = options.paceOutput ?? true;
    this.maxLineLength = positiveInt(options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH, 'maxLineLength');
    this.reopenInitialMs = positiveInt(options.reopenInitialMs ?? DEFAULT_REOPEN_INITIAL_MS, 'reopenInitialMs');
    this.reopenMaxMs = positiveInt(options.reopenMaxMs ?? DEFAULT_REOPEN_MAX_MS, 'reopenMaxMs');
    if (this.reopenMaxMs < this.reopenInitialMs) throw new RangeError('"reopenMaxMs" must be ≥ "reopenInitialMs"');
    this.#backoffMs = this.reopenInitialMs;
    this.#driver = deps.driver;
    this.#clock = deps.clock ?? systemClock;
    this.#queue = new OutputQueue(
      options.outputQueueLimit ?? DEFAULT_OUTPUT_QUEUE_LIMIT,
      options.outputMaxAgeMs ?? DEFAULT_OUTPUT_MAX_AGE_MS,
      (item, reason) => this.#dropped(item, reason),
    );
  }

  get state(): SerialLinkState {
    return this.#state;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#open();
  }

  send(line: string, priority: SerialPriority = 'normal', supersede?: SerialSupersede): boolean {
    if (typeof line !== 'string') throw new TypeError('"line" must be a string');
    if (!(SERIAL_PRIORITIES as readonly string[]).includes(priority)) {
      throw new TypeError(`"priority" must be one of ${SERIAL_PRIORITIES.join(', ')}`);
    }
    if (/[\r\n]/.test(line)) throw new RangeError('"line" must not contain CR or LF; the link adds the CRLF');
    if (line.length > this.maxLineLength) throw new RangeError(`"line" is longer than ${this.maxLineLength}`);
    const item: QueuedLine = { line, priority, at: this.#clock.monotonicNow(), ...(supersede === undefined ? {} : { supersede }) };
    if (this.#state === 'closed') {
      this.#dropped(item, 'closed');
      return false;
    }
    this.#queue.push(item);
    this.#pump();
    return true;
  }

  queued(): Record<SerialPriority, number> {
    return this.#queue.counts();
  }

  counters(): SerialCounters {
    return { ...this.#counters, drops: { ...this.#counters.drops } };
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#clearTimers();
    this.#queue.drain('closed');
    // Writes still pending when the port closes fail; report them rather than guess.
    const lost = this.#unconfirmed;
    const conn = this.#detach();
    for (const item of lost) this.#dropped(item, 'closed');
    if (conn !== undefined) await conn.close();
  }

  #open(): void {
    this.#state = 'opening';
    this.#driver.open(this.path, this.baudRate).then(
      (conn) => this.#opened(conn),
      (error: unknown) => {
        if (this.#state === 'closed') return;
        this.#down(new SerialOpenError(this.path, { cause: error }));
      },
    );
  }

  #opened(conn: PortConnection): void {
    if (this.#state === 'closed') {
      void conn.close().catch(ignoreCloseError);
      return;
    }
    this.#conn = conn;
    this.#guard = new LineGuard(this.maxLineLength, (atLeast) => {
      this.#counters.overlongLines += 1;
      this.emit('overlong', { atLeast });
    });
    // latin1 is byte-exact for the ASCII of IEC 61162-1; a stray high byte is kept for the checksum to reject.
    const parser = new ReadlineParser({ delimiter: '\r\n', encoding: 'latin1' });
    parser.on('data', (line: string) => {
      this.#counters.linesIn += 1;
      this.emit('line', line);
    });
    this.#parser = parser;
    conn.on('data', (chunk) => {
      this.#counters.bytesIn += chunk.length;
      const complete = this.#guard?.feed(chunk);
      if (complete !== undefined) parser.write(complete);
    });
    conn.on('overlong', (atLeast) => {
      this.#counters.overlongLines += 1;
      this.emit('overlong', { atLeast });
    });
    conn.on('drain', () => {
      this.#awaitingDrain = false;
      this.#pump();
    });
    conn.once('disconnect', (error) => {
      if (this.#conn !== conn) return;
      const lost = this.#unconfirmed;
      this.#detach();
      for (const item of lost) this.#dropped(item, 'disconnected');
      void conn.close().catch(ignoreCloseError);
      this.#down(new SerialDisconnectedError(this.path, { cause: error }));
    });
    this.#state = 'up';
    this.#backoffMs = this.reopenInitialMs;
    if (this.#everUp) this.#counters.reconnects += 1;
    this.#everUp = true;
    this.emit('port-up', { path: this.path });
    this.#pump();
  }

  #down(error: Error): void {
    this.#state = 'down';
    this.#counters.portDowns += 1;
    const retryInMs = this.#backoffMs;
    // No jitter: one process owns each port, so there is no herd of clients to spread out.
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.reopenMaxMs);
    this.#reopenTimer = this.#clock.setTimeout(() => {
      this.#reopenTimer = undefined;
      if (this.#state === 'down') this.#open();
    }, retryInMs);
    this.emit('port-down', { path: this.path, error, retryInMs });
  }

  #detach(): PortConnection | undefined {
    const conn = this.#conn;
    this.#conn = undefined;
    conn?.removeAllListeners('data');
    conn?.removeAllListeners('drain');
    conn?.removeAllListeners('overlong');
    this.#parser?.end();
    this.#parser = undefined;
    this.#guard = undefined;
    this.#awaitingDrain = false;
    this.#unconfirmed = [];
    if (this.#paceTimer !== undefined) {
      this.#clock.clearTimeout(this.#paceTimer);
      this.#paceTimer = undefined;
    }
    return conn;
  }

  /**
   * Writes queued lines while the port is up, not back-pressured and within the baud budget. Pacing at the UART's
   * own rate keeps the kernel and stream buffers nearly empty, so a safety line queued now waits behind at most
   * the one line already on the wire instead of behind 64 KiB of buffered traffic.
   */
  #pump(): void {
    const conn = this.#conn;
    if (this.#state !== 'up' || conn === undefined || this.#awaitingDrain || this.#paceTimer !== undefined) return;
    for (;;) {
      const now = this.#clock.monotonicNow();
      if (this.paceOutput && now < this.#lineFreeAt) {
        this.#paceTimer = this.#clock.setTimeout(() => {
          this.#paceTimer = undefined;
          this.#pump();
        }, this.#lineFreeAt - now);
        return;
      }
      const item = this.#queue.shift(now);
      if (item === undefined) return;
      const bytes = Buffer.from(`${item.line}\r\n`, 'latin1');
      const unconfirmed = this.#unconfirmed;
      unconfirmed.push(item);
      const accepted = conn.write(bytes, (error) => this.#confirmed(unconfirmed, item, error));
      this.#counters.linesOut += 1;
      this.#counters.bytesOut += bytes.length;
      this.#lineFreeAt = Math.max(now, this.#lineFreeAt) + (bytes.length * BITS_PER_CHAR * 1000) / this.baudRate;
      if (!accepted) {
        this.#counters.backpressureWaits += 1;
        this.#awaitingDrain = true;
        return;
      }
    }
  }

  #confirmed(unconfirmed: QueuedLine[], item: QueuedLine, error: Error | null | undefined): void {
    // After a disconnect the list is no longer the link's: its lines were reported then.
    if (unconfirmed !== this.#unconfirmed) return;
    const at = unconfirmed.indexOf(item);
    if (at === -1) return;
    unconfirmed.splice(at, 1);
    if (error) this.#dropped(item, 'disconnected');
  }

  #dropped(item: QueuedLine, reason: SerialDropReason): void {
    this.#counters.drops[reason] += 1;
    this.emit('drop', { line: item.line, priority: item.priority, reason });
  }

  #clearTimers(): void {
    if (this.#reopenTimer !== undefined) this.#clock.clearTimeout(this.#reopenTimer);
    if (this.#paceTimer !== undefined) this.#clock.clearTimeout(this.#paceTimer);
    this.#reopenTimer = undefined;
    this.#paceTimer = undefined;
  }
}

/** Closing a port that is already gone can only fail in ways that change nothing: the device is released. */
function ignoreCloseError(): void {}

function positiveInt(value: number, name: string): number {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`"${name}" must be a positive integer`);
  return value;
}
