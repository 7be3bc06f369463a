/**
 * NMEA endpoints on Node: TCP client and server, UDP sender and receiver and stdin/stdout as PortDrivers under
 * the serial link engine (`_serial-link.ts`), so framing, the bounded two-priority output queue, back-pressure,
 * drop accounting and reopen-with-backoff are the very code the serial path runs. See `endpoint.ts` for the forms.
 */
import { EventEmitter } from 'node:events';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, isIPv6, type Server, type Socket } from 'node:net';
import type { Clock } from './clock.js';
import { LineGuard } from './_line-guard.js';
import type { PortConnection, PortConnectionEvents, PortDriver } from './_serial-driver.js';
import { SerialLinkEngine } from './_serial-link.js';
import { parseEndpoint, type Endpoint } from './endpoint.js';
import { DEFAULT_MAX_LINE_LENGTH, type SerialLink, type SerialLinkOptions } from './serial.js';
import { createSerialLink } from './serial-node.js';

/** A link on any endpoint; `localPort` is the bound port of a listener (useful with port 0). */
export interface EndpointLink extends SerialLink {
  readonly endpoint: Endpoint;
  localPort(): number | undefined;
}

/**
 * A TCP client of a listener that stops reading is cut off once this much output waits for it, so one stalled
 * chart plotter cannot hold back the others or the appliance (about 25 s of a busy 38400 Bd channel).
 */
export const LISTENER_CLIENT_BUFFER_LIMIT = 64 * 1024;

/**
 * Clients a listener serves at once; one more is closed on connect. Each costs a socket, its line buffer and up to
 * LISTENER_CLIENT_BUFFER_LIMIT of output, so without a bound anyone on the ship's network grows the daemon towards
 * MemoryMax and its file descriptors towards LimitNOFILE. A bridge has a handful of chart plotters and consoles.
 */
export const LISTENER_MAX_CLIENTS = 16;

abstract class Connection extends EventEmitter<PortConnectionEvents> implements PortConnection {
  #gone = false;
  abstract write(bytes: Buffer, done: (error?: Error | null) => void): boolean;
  abstract close(): Promise<void>;

  protected lost(error: Error): void {
    if (this.#gone) return;
    this.#gone = true;
    this.emit('disconnect', error);
  }
}

class TcpClientConnection extends Connection {
  constructor(readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => this.emit('data', chunk));
    socket.on('drain', () => this.emit('drain'));
    socket.on('error', (error) => this.lost(error));
    socket.on('close', () => this.lost(new Error('connection closed')));
  }

  write(bytes: Buffer, done: (error?: Error | null) => void): boolean {
    return this.socket.write(bytes, done);
  }

  close(): Promise<void> {
    return endSocket(this.socket);
  }
}

/** Frames each client's input separately, so two clients' partial lines never merge. */
class TcpServerConnection extends Connection {
  readonly #clients = new Set<Socket>();

  constructor(readonly server: Server, readonly maxLineLength: number) {
    super();
    server.maxConnections = LISTENER_MAX_CLIENTS;
    server.on('connection', (socket) => this.#accept(socket));
    server.on('error', (error) => this.lost(error));
  }

  #accept(socket: Socket): void {
    this.#clients.add(socket);
    const guard = new LineGuard(this.maxLineLength, (n) => this.emit('overlong', n));
    socket.on('data', (chunk: Buffer) => {
      const lines = guard.feed(chunk);
      if (lines !== undefined) this.emit('data', lines);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#clients.delete(socket));
  }

  /** Never back-pressures: a slow client is disconnected instead (LISTENER_CLIENT_BUFFER_LIMIT). */
  write(bytes: Buffer, done: (error?: Error | null) => void): boolean {
    for (const socket of this.#clients) {
      if (socket.writableLength > LISTENER_CLIENT_BUFFER_LIMIT) {
        socket.destroy();
        continue;
      }
      socket.write(bytes);
    }
    done();
    return true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#clients].map(endSocket));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

class UdpConnection extends Connection {
  constructor(readonly socket: UdpSocket, readonly peer: { host: string; port: number } | undefined, readonly maxLineLength: number) {
    super();
    // A datagram is whole: its last line ends with it even without a line end.
    socket.on('message', (msg: Buffer) => {
      const guard = new LineGuard(this.maxLineLength, (n) => this.emit('overlong', n));
      const lines = Buffer.concat([guard.feed(msg) ?? Buffer.alloc(0), guard.flush() ?? Buffer.alloc(0)]);
      if (lines.length > 0) this.emit('data', lines);
    });
    socket.on('error', (error) => this.lost(error));
  }

  write(bytes: Buffer, done: (error?: Error | null) => void): boolean {
    if (this.peer === undefined) {
      // A receiver has nowhere to send: the line is reported as not delivered, never silently lost.
      done(new Error('udp-listen endpoint is input only'));
      return true;
    }
    this.socket.send(bytes, this.peer.port, this.peer.host, (error) => done(error));
    return true;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

class StdioConnection extends Connection {
  constructor() {
    super();
    process.stdin.on('data', (chunk: Buffer) => this.emit('data', chunk));
    process.stdin.once('end', () => this.lost(new Error('end of standard input')));
    process.stdout.on('drain', () => this.emit('drain'));
  }

  write(bytes: Buffer, done: (error?: Error | null) => void): boolean {
    return process.stdout.write(bytes, done);
  }

  close(): Promise<void> {
    process.stdin.pause();
    return Promise.resolve();
  }
}

function endSocket(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.end();
    // A peer that never acknowledges the end must not hold a shutdown.
    setTimeout(() => socket.destroy(), 1000).unref();
  });
}

function tcpClientDriver(host: string, port: number): PortDriver {
  return {
    open: () =>
      new Promise((resolve, reject) => {
        const socket = connect({ host, port });
        socket.once('error', reject);
        socket.once('connect', () => {
          socket.off('error', reject);
          socket.setNoDelay(true);
          resolve(new TcpClientConnection(socket));
        });
      }),
  };
}

function tcpServerDriver(host: string, port: number, maxLineLength: number, bound: (port: number) => void): PortDriver {
  return {
    open: () =>
      new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen({ host, port }, () => {
          server.off('error', reject);
          const address = server.address();
          if (address !== null && typeof address === 'object') bound(address.port);
          resolve(new TcpServerConnection(server, maxLineLength));
        });
      }),
  };
}

function udpDriver(host: string, port: number, listen: boolean, maxLineLength: number, bound: (port: number) => void): PortDriver {
  return {
    open: () =>
      new Promise((resolve, reject) => {
        const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
        if (!listen) {
          resolve(new UdpConnection(socket, { host, port }, maxLineLength));
          return;
        }
        socket.once('error', reject);
        socket.bind(port, host, () => {
          socket.off('error', reject);
          bound(socket.address().port);
          resolve(new UdpConnection(socket, undefined, maxLineLength));
        });
      }),
  };
}

const stdioDriver: PortDriver = { open: () => Promise.resolve(new StdioConnection()) };

/**
 * A link on `spec` (see endpoint.ts). Network and stdio links are not paced at a baud rate (there is no UART to
 * keep nearly empty) unless `paceOutput` says so; a serial device keeps the serial link's defaults.
 */
export function createEndpointLink(spec: string | Endpoint, options: Omit<SerialLinkOptions, 'path'> = {}, clock?: Clock): EndpointLink {
  const endpoint = typeof spec === 'string' ? parseEndpoint(spec) : spec;
  const path = typeof spec === 'string' ? spec : describeEndpoint(endpoint);
  if (endpoint.kind === 'serial') {
    return Object.assign(createSerialLink({ ...options, path: endpoint.path }, clock), { endpoint, localPort: () => undefined });
  }
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  let port: number | undefined;
  const bound = (p: number) => (port = p);
  const driver =
    endpoint.kind === 'stdio' ? stdioDriver
    : endpoint.kind === 'tcp' ? tcpClientDriver(endpoint.host, endpoint.port)
    : endpoint.kind === 'tcp-listen' ? tcpServerDriver(endpoint.host, endpoint.port, maxLineLength, bound)
    : udpDriver(endpoint.host, endpoint.port, endpoint.kind === 'udp-listen', maxLineLength, bound);
  const link = new SerialLinkEngine({ paceOutput: false, ...options, path }, clock === undefined ? { driver } : { driver, clock });
  return Object.assign(link, { endpoint, localPort: () => port });
}

export function describeEndpoint(e: Endpoint): string {
  if (e.kind === 'stdio') return '-';
  if (e.kind === 'serial') return e.path;
  return `${e.kind}://${isIPv6(e.host) ? `[${e.host}]` : e.host}:${e.port}`;
}
