/**
 * Simulated twin of a HID token: node-hid's `HID` surface (write with a leading report id, 'data' and 'error'
 * events, read, close) in front of the token applet. Like the real device it answers asynchronously, rejects
 * writes after close or unplug, and reports an unplug as an 'error' on the read side, as node-hid does.
 */
import { EventEmitter } from 'node:events';
import { HID_CMD, HID_ERR, HidFrameError, MessageAssembler, REPORT_SIZE, encodeMessage } from './token-hid-frame.js';
import type { TokenApplet } from './token-applet.js';
import type { HidDevice } from './token-hid.js';

export class SimulatedHidToken extends EventEmitter implements HidDevice {
  private readonly assembler = new MessageAssembler();
  private readonly unread: Buffer[] = [];
  private closed = false;
  private unplugged = false;

  constructor(private readonly applet: TokenApplet) {
    super();
    applet.reset();
  }

  write(values: number[] | Buffer): number {
    if (this.closed || this.unplugged) throw new Error('Cannot write to hid device');
    const bytes = Uint8Array.from(values);
    // hidapi: byte 0 is the report id; the device sees the 64-byte report after it.
    if (bytes.length !== REPORT_SIZE + 1 || bytes[0] !== 0) throw new Error('Cannot write to hid device');
    let message;
    try {
      message = this.assembler.push(bytes.subarray(1));
    } catch (err) {
      const code = (err as HidFrameError).code === 'HID_FRAME_SEQUENCE' ? HID_ERR.INVALID_SEQ : HID_ERR.INVALID_LEN;
      this.answer(HID_CMD.ERROR, Uint8Array.of(code));
      return bytes.length;
    }
    if (message) {
      if (message.cmd === HID_CMD.APDU) this.answer(HID_CMD.APDU, this.applet.process(message.payload));
      else this.answer(HID_CMD.ERROR, Uint8Array.of(HID_ERR.INVALID_CMD));
    }
    return bytes.length;
  }

  /** node-hid's callback read: the next input report not already delivered as a 'data' event. */
  read(callback: (err: unknown, data: number[]) => void): void {
    const next = this.unread.shift();
    if (next) setImmediate(() => callback(null, [...next]));
    else this.once('report', () => this.read(callback));
  }

  close(): void {
    this.closed = true;
  }

  /** Pulls the token out: node-hid's read thread then fails with an 'error'. */
  unplug(): void {
    if (this.unplugged) return;
    this.unplugged = true;
    setImmediate(() => this.emit('error', new Error('could not read from HID device')));
  }

  private answer(cmd: number, payload: Uint8Array): void {
    for (const report of encodeMessage(cmd, payload)) {
      setImmediate(() => {
        if (this.closed || this.unplugged) return;
        const data = Buffer.from(report);
        if (this.listenerCount('data') > 0) this.emit('data', data);
        else {
          this.unread.push(data);
          this.emit('report');
        }
      });
    }
  }
}
