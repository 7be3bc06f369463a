/**
 * The platform's serialport binding with one change: a read that finds the tty hung up ends the port.
 *
 * bindings-cpp (v13, unix-read.js) retries a read that returns zero bytes. The port is opened non-blocking with
 * VMIN=1, so on Linux an empty read means EAGAIN, and zero bytes come only from a tty that has been hung up (USB
 * adapter pulled, pty master closed). A pull noticed by the armed poll closes the port (POLLERR); a pull that meets
 * a read already queued (the usual case while a device streams) made that retry spin for ever: no disconnect, the
 * descriptor kept, the link never reopened. Here the zero-byte read is a disconnect, so the stream closes the port
 * and releases its descriptor (reference/hardware-and-deployment.md §1: a lost device closes the stream).
 * Hand-written because the binding exposes no option for it; everything else is delegated unchanged.
 */
import { read } from 'node:fs';
import { promisify } from 'node:util';
import type { SerialPort } from 'serialport';

type PlatformBinding = typeof SerialPort.binding;
type PlatformPort = Awaited<ReturnType<PlatformBinding['open']>>;
type OpenOptions = Parameters<PlatformBinding['open']>[0];
/** Any one platform's binding (each takes its own open options; the stream passes them through unread). */
interface Binding {
  list: PlatformBinding['list'];
  open(options: OpenOptions): Promise<PlatformPort>;
}
type Poller = { once(event: 'readable', listener: (error?: Error | null) => void): unknown };
/** The unix bindings' port: its descriptor and the poller that says when reading will not block. */
type UnixPort = PlatformPort & { fd: number | null; poller: Poller };

const readAsync = promisify(read);

/** The error shape the stream and bindings use: `canceled` for a read ended by close, else a disconnect. */
class PortReadError extends Error {
  readonly canceled: boolean;
  readonly disconnect: boolean;
  constructor(message: string, canceled: boolean) {
    super(message);
    this.name = 'PortReadError';
    this.canceled = canceled;
    this.disconnect = !canceled;
  }
}

class HangupAwarePort {
  readonly #port: UnixPort;

  constructor(port: UnixPort) {
    this.#port = port;
  }

  get openOptions(): PlatformPort['openOptions'] {
    return this.#port.openOptions;
  }

  get isOpen(): boolean {
    return this.#port.isOpen;
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    for (;;) {
      const fd = this.#port.fd;
      if (!this.#port.isOpen || fd === null) throw new PortReadError('Port is not open', true);
      try {
        const { bytesRead } = await readAsync(fd, buffer, offset, length, null);
        if (bytesRead === 0 && length > 0) throw new PortReadError('the tty hung up (read of zero bytes)', false);
        return { buffer, bytesRead };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw error;
        if (!this.#port.isOpen) throw new PortReadError('Port is not open', true);
        await new Promise<void>((resolve, reject) => {
          this.#port.poller.once('readable', (pollError) => (pollError ? reject(pollError) : resolve()));
        });
      }
    }
  }

  write(buffer: Buffer): Promise<void> {
    return this.#port.write(buffer);
  }

  close(): Promise<void> {
    return this.#port.close();
  }

  update(options: Parameters<PlatformPort['update']>[0]): Promise<void> {
    return this.#port.update(options);
  }

  set(options: Parameters<PlatformPort['set']>[0]): Promise<void> {
    return this.#port.set(options);
  }

  get(): ReturnType<PlatformPort['get']> {
    return this.#port.get();
  }

  getBaudRate(): Promise<{ baudRate: number }> {
    return this.#port.getBaudRate();
  }

  flush(): Promise<void> {
    return this.#port.flush();
  }

  drain(): Promise<void> {
    return this.#port.drain();
  }
}

function isUnixPort(port: PlatformPort): port is UnixPort {
  return 'poller' in port && 'fd' in port;
}

/** Wraps the platform binding; a port without a unix descriptor and poller (Windows) is returned as it is. */
export function hangupAwareBinding(platform: Binding): { list: Binding['list']; open(options: OpenOptions): Promise<PlatformPort | HangupAwarePort> } {
  return {
    list: () => platform.list(),
    async open(options) {
      const port = await platform.open(options);
      return isUnixPort(port) ? new HangupAwarePort(port) : port;
    },
  };
}
