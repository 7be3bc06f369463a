/**
 * Key token on a HID-class device through node-hid: the token applet's APDUs framed in 64-byte reports
 * (token-hid-frame.ts). One exchange at a time, each bounded by EXCHANGE_TIMEOUT_MS. node-hid reports an
 * unplugged device as an 'error' on its read loop; we treat that as removal (S-63 §11.2's dongle rule).
 */
import { EventEmitter } from 'node:events';
import { HID_CMD, HidFrameError, MessageAssembler, encodeMessage } from './token-hid-frame.js';
import { TokenSession } from './token-session.js';
import { TokenError, type KeyToken, type Transmit } from './token.js';

/** The part of node-hid's `HID` class we use (write with report id, 'data'/'error' events, close). */
export interface HidDevice {
  write(values: number[] | Buffer): number;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  close(): void;
}

export const EXCHANGE_TIMEOUT_MS = 5000;

export interface HidTokenOptions {
  readonly vendorId: number;
  readonly productId: number;
}

interface Pending {
  resolve(r: Uint8Array): void;
  reject(e: TokenError): void;
  timer: NodeJS.Timeout;
}

export class HidKeyToken extends EventEmitter implements KeyToken {
  private attached = true;
  private readonly assembler = new MessageAssembler();
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly device: HidDevice) {
    super();
    device.on('data', (data) => this.receive(new Uint8Array(data)));
    device.on('error', (err) => this.detach(err));
  }

  /** Opens the first device with this VID/PID through node-hid. */
  static async open(opts: HidTokenOptions): Promise<HidKeyToken> {
    const name = 'node-hid';
    let hid: { HID: new (vid: number, pid: number) => HidDevice };
    try {
      hid = (await import(name)) as typeof hid;
    } catch (err) {
      throw new TokenError('TOKEN_IO', 'node-hid is not available', { cause: err });
    }
    try {
      return new HidKeyToken(new hid.HID(opts.vendorId, opts.productId));
    } catch (err) {
      throw new TokenError('TOKEN_ABSENT', `no HID token ${opts.vendorId.toString(16)}:${opts.productId.toString(16)}`, { cause: err });
    }
  }

  get present(): boolean {
    return this.attached;
  }

  private detach(cause: unknown): void {
    if (!this.attached) return;
    this.attached = false;
    this.fail(new TokenError('TOKEN_ABSENT', 'HID token removed', { cause }));
    this.emit('removed');
  }

  private fail(err: TokenError): void {
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }

  private receive(report: Uint8Array): void {
    let message;
    try {
      message = this.assembler.push(report);
    } catch (err) {
      this.fail(new TokenError('TOKEN_PROTOCOL', 'bad HID framing from the token', { cause: err as HidFrameError }));
      return;
    }
    if (!message || !this.pending) return;
    const p = this.pending;
    this.pending = undefined;
    clearTimeout(p.timer);
    if (message.cmd === HID_CMD.APDU) p.resolve(message.payload);
    else p.reject(new TokenError('TOKEN_PROTOCOL', `token answered HID command ${message.cmd} (error ${message.payload[0]})`));
  }

  private exchange(command: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (!this.attached) return reject(new TokenError('TOKEN_ABSENT', 'HID token removed'));
      const timer = setTimeout(() => this.fail(new TokenError('TOKEN_IO', `no answer within ${EXCHANGE_TIMEOUT_MS} ms`)), EXCHANGE_TIMEOUT_MS);
      this.pending = { resolve, reject, timer };
      try {
        // hidapi takes the report id first; our reports are unnumbered (id 0).
        for (const report of encodeMessage(HID_CMD.APDU, command)) this.device.write(Buffer.from([0, ...report]));
      } catch (err) {
        this.fail(new TokenError('TOKEN_IO', 'HID write failed', { cause: err }));
      }
    });
  }

  /** Serialised: a second APDU waits until the first has its answer. */
  readonly transmit: Transmit = (command) => {
    const run = this.queue.then(() => this.exchange(command));
    this.queue = run.catch(() => undefined);
    return run;
  };

  readPermit(pin: string): Promise<Uint8Array> {
    return new TokenSession(this.transmit).readPermit(pin);
  }

  async close(): Promise<void> {
    this.fail(new TokenError('TOKEN_ABSENT', 'token closed'));
    this.attached = false;
    this.device.close();
    this.removeAllListeners();
  }
}
