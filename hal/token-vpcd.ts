/**
 * A virtual smart card for a real PC/SC stack: connects our applet (token-applet.ts) to vsmartcard's vpcd
 * reader driver inside pcscd, as vsmartcard's own `vicc` does. vpcd protocol (vsmartcard docs, "Creating a
 * virtual smart card"): vpcd listens (default localhost:35963), the card connects; every message either way is
 * a 2-byte big-endian length and a payload. From vpcd, a 1-byte payload is a control command — 00 power off,
 * 01 power on, 02 reset (no answer), 04 get ATR (answer: the ATR) — and a longer one is a command APDU (answer:
 * the response APDU). The card is "present" while the connection is open: closing it removes the card.
 */
import { Socket, connect } from 'node:net';
import type { TokenApplet } from './token-applet.js';
import { TOKEN_ATR } from './token-applet.js';

export const VPCD_DEFAULT_PORT = 35963;
/** Frames carry a u16 length; a message never exceeds this. */
const MAX_FRAME = 0xffff;

const CTRL = { OFF: 0x00, ON: 0x01, RESET: 0x02, ATR: 0x04 } as const;

export interface VpcdOptions {
  readonly host?: string;
  readonly port?: number;
}

export class VpcdCard {
  private buffered = new Uint8Array(0);
  private readonly closedPromise: Promise<void>;

  private constructor(private readonly socket: Socket, private readonly applet: TokenApplet) {
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // A reset by the peer is just the reader going away; 'close' follows and ends the card.
    socket.on('error', () => undefined);
  }

  /** Inserts the card into the vpcd reader. Rejects if nothing listens there. */
  static insert(applet: TokenApplet, opts: VpcdOptions = {}): Promise<VpcdCard> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: opts.host ?? '127.0.0.1', port: opts.port ?? VPCD_DEFAULT_PORT });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        resolve(new VpcdCard(socket, applet));
      });
    });
  }

  /** Pulls the card out of the reader. */
  async remove(): Promise<void> {
    this.socket.end();
    await this.closedPromise;
  }

  /** Resolves when the reader side closes the connection. */
  get closed(): Promise<void> {
    return this.closedPromise;
  }

  private receive(chunk: Uint8Array): void {
    const joined = new Uint8Array(this.buffered.length + chunk.length);
    joined.set(this.buffered);
    joined.set(chunk, this.buffered.length);
    let pos = 0;
    while (joined.length - pos >= 2) {
      const len = (joined[pos]! << 8) | joined[pos + 1]!;
      if (joined.length - pos - 2 < len) break;
      this.handle(joined.subarray(pos + 2, pos + 2 + len));
      pos += 2 + len;
    }
    this.buffered = joined.slice(pos);
    if (this.buffered.length > 2 + MAX_FRAME) this.socket.destroy();
  }

  private handle(payload: Uint8Array): void {
    if (payload.length === 1) {
      switch (payload[0]) {
        case CTRL.ON:
        case CTRL.RESET:
        case CTRL.OFF:
          this.applet.reset();
          return;
        case CTRL.ATR:
          this.send(TOKEN_ATR);
          return;
        default:
          return;
      }
    }
    this.send(this.applet.process(payload));
  }

  private send(payload: Uint8Array): void {
    const frame = new Uint8Array(2 + payload.length);
    frame[0] = payload.length >> 8;
    frame[1] = payload.length & 0xff;
    frame.set(payload, 2);
    this.socket.write(frame);
  }
}
