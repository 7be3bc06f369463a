/**
 * The real serial port: serialport v13 (prebuilt bindings for linux-arm/arm64) under the shared link engine.
 * serialport is imported lazily so that a machine without the native binding still loads hal/ and runs the twin.
 *
 * Observed behaviour this driver maps onto the PortConnection contract (reference/hardware-and-deployment.md §1):
 * a lost device closes the stream with `err.disconnected === true`, also when the pull meets a read already on its
 * way (the binding is wrapped for that: `_serial-hangup-binding.ts`); a second open of the same path fails with
 * "Cannot lock port" (`lock: true`) and bindings-cpp closes the descriptor it opened; there is no automatic reopen.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from './clock.js';
import { hangupAwareBinding } from './_serial-hangup-binding.js';
import type { PortConnection, PortConnectionEvents, PortDriver } from './_serial-driver.js';
import { SerialLinkEngine } from './_serial-link.js';
import type { SerialLink, SerialLinkOptions } from './serial.js';

type SerialPortModule = typeof import('serialport');
type SerialPortInstance = InstanceType<SerialPortModule['SerialPort']>;

let serialportModule: Promise<SerialPortModule> | undefined;

function loadSerialport(): Promise<SerialPortModule> {
  serialportModule ??= import('serialport');
  return serialportModule;
}

class NodePortConnection extends EventEmitter<PortConnectionEvents> implements PortConnection {
  readonly #port: SerialPortInstance;
  #gone = false;

  constructor(port: SerialPortInstance) {
    super();
    this.#port = port;
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    port.on('drain', () => this.emit('drain'));
    port.on('close', (error: Error | null) => this.#lost(error ?? new Error('port closed')));
    port.on('end', () => this.#lost(new Error('end of stream')));
    // A failed write reaches the link through its write callback and, unless canceled, is followed by a
    // disconnect close; the 'error' event itself must not crash the process.
    port.on('error', (error: Error) => {
      if (!port.isOpen) this.#lost(error);
    });
  }

  write(bytes: Buffer, done: (error?: Error | null) => void): boolean {
    return this.#port.write(bytes, done);
  }

  close(): Promise<void> {
    this.#gone = true;
    if (!this.#port.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      // A port that vanished while closing is closed all the same.
      this.#port.close(() => resolve());
    });
  }

  #lost(error: Error): void {
    if (this.#gone) return;
    this.#gone = true;
    this.emit('disconnect', error);
  }
}

export const nodeSerialDriver: PortDriver = {
  async open(path, baudRate) {
    const { SerialPort } = await loadSerialport();
    // SerialPort's options type leaves `binding` out (it picks the platform's); its constructor still takes one,
    // and this one is the platform's with a hung-up tty read as a disconnect.
    const options = { path, baudRate, autoOpen: false, lock: true, binding: hangupAwareBinding(SerialPort.binding) };
    const port = new SerialPort(options);
    await new Promise<void>((resolve, reject) => {
      port.open((error) => (error ? reject(error) : resolve()));
    });
    return new NodePortConnection(port);
  },
};

/** A SerialLink on a real serial device (UART, USB adapter or pseudo-terminal). */
export function createSerialLink(options: SerialLinkOptions, clock?: Clock): SerialLink {
  return new SerialLinkEngine(options, clock === undefined ? { driver: nodeSerialDriver } : { driver: nodeSerialDriver, clock });
}
