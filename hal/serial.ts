/**
 * The serial link to the ship side (transponder/ECDIS) or the radio side: IEC 61162-1 sentences framed by
 * <CR><LF>, 38400 Bd 8N1 on the AIS presentation interface (IEC 61162-1 §5 / IEC 61993-2 for the high-speed
 * port). Firmware receives a {@link SerialLink} and never sees serialport.
 *
 * Guarantees every implementation gives (the real one in `serial-node.ts`, the twin in `serial-sim.ts`, both on
 * the engine in `_serial-link.ts`):
 * - input lines never exceed `maxLineLength`; longer ones are dropped whole and counted (`overlong`);
 * - output is paced at the baud-rate budget so our own queue, not the kernel's, decides what goes next, and
 *   `safety` lines always go before `normal` ones;
 * - the output queue is bounded; every line that does not go out is reported by a `drop` event with a reason and
 *   counted — nothing disappears silently;
 * - a lost device (unplug, I/O error) raises `port-down`, the link reopens with exponential backoff and raises
 *   `port-up`; queued output survives and is sent after the reconnect.
 */

/** Own-ship safety traffic (`safety`) is never queued behind other output (DESIGN.md §1, fail-safe). */
export const SERIAL_PRIORITIES = ['safety', 'normal'] as const;
export type SerialPriority = (typeof SERIAL_PRIORITIES)[number];

/**
 * Why a queued or offered line did not go out. `disconnected`: the line was written but not yet handed to the
 * device when it went away (with pacing, at most the one or two lines in flight). `superseded`: a newer message
 * under the same key (`SerialSupersede`) was queued while this one still waited.
 */
export const SERIAL_DROP_REASONS = ['queue-full', 'preempted', 'expired', 'closed', 'disconnected', 'superseded'] as const;
export type SerialDropReason = (typeof SERIAL_DROP_REASONS)[number];

/** IEC 61162-1 high-speed AIS interface rate. */
export const DEFAULT_BAUD_RATE = 38_400;
/**
 * A sentence is at most 82 characters including <CR><LF> (IEC 61162-1 §5.3); an IEC 61162-450 TAG block in front
 * adds up to about 80 more. 256 leaves room for both and bounds what one garbage stream can make us buffer.
 */
export const DEFAULT_MAX_LINE_LENGTH = 256;
/** About 11 s of output at the 38400 Bd budget (46 sentences/s): a burst is absorbed, a stuck port is not hidden. */
export const DEFAULT_OUTPUT_QUEUE_LIMIT = 512;
/** AIS content older than this is misleading rather than late (a position report is repeated every 2–10 s). */
export const DEFAULT_OUTPUT_MAX_AGE_MS = 30_000;
export const DEFAULT_REOPEN_INITIAL_MS = 250;
export const DEFAULT_REOPEN_MAX_MS = 30_000;

export interface SerialLinkOptions {
  /** Device path; on a Pi prefer a stable name (`/dev/serial/by-id/…` or a udev SYMLINK). */
  path: string;
  /** Line rate; also the output budget. Defaults to 38400. */
  baudRate?: number;
  /** Pace output at the baud budget. Disable only for links that are not a UART (a PTY to a local simulator). */
  paceOutput?: boolean;
  /** Longest accepted line in bytes, without <CR><LF>. Defaults to 256. */
  maxLineLength?: number;
  /** Lines held for output (both priorities together). Defaults to 512. */
  outputQueueLimit?: number;
  /** A queued line older than this is dropped as `expired` when its turn comes. Defaults to 30 s. */
  outputMaxAgeMs?: number;
  /** First reopen delay after the device was lost; doubles up to `reopenMaxMs`. Defaults to 250 ms. */
  reopenInitialMs?: number;
  /** Cap of the reopen delay. Defaults to 30 s. */
  reopenMaxMs?: number;
}

export interface SerialCounters {
  linesIn: number;
  bytesIn: number;
  overlongLines: number;
  /** Lines written to the port; one later reported as `disconnected` is counted here too. */
  linesOut: number;
  bytesOut: number;
  /** Times `write()` answered false and output waited for `drain`. */
  backpressureWaits: number;
  drops: Record<SerialDropReason, number>;
  /** Times the device was lost or could not be (re)opened. */
  portDowns: number;
  /** Successful opens after the first. */
  reconnects: number;
}

export type SerialLinkState = 'idle' | 'opening' | 'up' | 'down' | 'closed';

export interface SerialDrop {
  line: string;
  priority: SerialPriority;
  reason: SerialDropReason;
}

export interface SerialLinkEvents {
  /** One received sentence, without <CR><LF>, decoded as latin1 (byte-exact for NMEA's ASCII). */
  line: [string];
  /** A received line longer than `maxLineLength` was discarded; `atLeast` is how many bytes were seen. */
  overlong: [{ atLeast: number }];
  'port-up': [{ path: string }];
  /** The device is lost or could not be opened; a reopen is scheduled after `retryInMs`. */
  'port-down': [{ path: string; error: Error; retryInMs: number }];
  drop: [SerialDrop];
}

/**
 * Marks a line as part of message `message` under `key` (an own-ship report's MMSI and type): a line that has waited
 * longer than `usefulMs` while a newer message of the same key is queued is dropped (`superseded`) — the newer
 * position makes it useless, and a backlog (a port down, or saturated) must not go out late in a burst.
 */
export interface SerialSupersede {
  readonly key: string;
  readonly message: number;
  /** Waiting longer than this with a newer message of the key queued, a line is superseded; younger ones all go. */
  readonly usefulMs: number;
}

export interface SerialLink {
  readonly path: string;
  readonly state: SerialLinkState;
  /** Opens the device; failures are reported by `port-down` and retried, never thrown. */
  start(): void;
  /**
   * Queues one sentence (without <CR><LF>) for output. Returns false when the line was refused or is already
   * reported as dropped. Throws RangeError for a line with CR/LF or over `maxLineLength` (a caller's bug).
   */
  send(line: string, priority?: SerialPriority, supersede?: SerialSupersede): boolean;
  /** Lines waiting for output, per priority. */
  queued(): Record<SerialPriority, number>;
  counters(): SerialCounters;
  /** Stops reopening, reports queued lines as dropped (`closed`) and closes the device. */
  close(): Promise<void>;
  on<K extends keyof SerialLinkEvents>(event: K, listener: (...args: SerialLinkEvents[K]) => void): this;
  off<K extends keyof SerialLinkEvents>(event: K, listener: (...args: SerialLinkEvents[K]) => void): this;
  once<K extends keyof SerialLinkEvents>(event: K, listener: (...args: SerialLinkEvents[K]) => void): this;
}
