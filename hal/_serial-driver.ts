/**
 * The byte-level contract below the serial link, after serialport's bindings-interface: the real driver
 * (serialport) and the twin (SimSerialBus) both implement it, and the whole link engine above is shared.
 */
import type { EventEmitter } from 'node:events';

export interface PortConnectionEvents {
  data: [Buffer];
  /** The write buffer fell below its high-water mark after `write()` answered false. */
  drain: [];
  /** The device went away. Emitted at most once; the connection is unusable afterwards. */
  disconnect: [Error];
  /**
   * A connection that frames lines itself (a server with many clients, a datagram socket) discarded an overlong
   * line before it reached `data`; the link counts it like its own.
   */
  overlong: [number];
}

export interface PortConnection extends EventEmitter<PortConnectionEvents> {
  /**
   * Queues bytes; false means the buffer is above its high-water mark and the caller must wait for `drain`.
   * `done` is called once the bytes are handed to the device (error = they never will be).
   */
  write(bytes: Buffer, done: (error?: Error | null) => void): boolean;
  /** Releases the device (and its lock). Safe to call after a disconnect. */
  close(): Promise<void>;
}

export interface PortDriver {
  /** Opens and locks the device; rejects if it is absent, locked or not permitted. */
  open(path: string, baudRate: number): Promise<PortConnection>;
}
