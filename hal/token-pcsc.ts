/**
 * Key token on a PC/SC smart card (CCID readers; pcscd on Linux) through the `smartcard` binding
 * (N-API, an optional dependency: the appliance runs without it and reports TOKEN_IO when asked for a card).
 * We use only the binding's `Devices` monitor: it connects to each inserted card (shared, T=0|T=1) and reports
 * insertion and removal, which carries the dongle rule (S-63 §11.2) to the runtime as 'inserted'/'removed'.
 */
import { EventEmitter } from 'node:events';
import { TokenSession } from './token-session.js';
import { TokenError, type KeyToken, type Transmit } from './token.js';

/** The part of a connected `smartcard` Card we use. */
export interface PcscCard {
  transmit(command: Buffer, options?: { maxRecvLength?: number; autoGetResponse?: boolean }): Promise<Buffer>;
}

/** The part of `smartcard`'s Devices we use; injected in tests, loaded from the binding otherwise. */
export interface PcscDevices {
  start(): void;
  stop(): void;
  on(event: 'card-inserted', listener: (e: { reader: { name: string }; card: PcscCard }) => void): unknown;
  on(event: 'card-removed', listener: (e: { reader: { name: string } }) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface PcscTokenOptions {
  /** Only readers whose name matches (e.g. /Virtual PCD/ for vpcd); default: the first card seen. */
  readonly reader?: RegExp;
  readonly devices?: PcscDevices;
}

/** Response buffer for short APDUs: 256 data bytes + SW1 SW2. */
const MAX_RESPONSE = 258;

/** Loads the optional binding. The name is a variable so the type check does not need the package. */
async function loadDevices(): Promise<PcscDevices> {
  const name = 'smartcard';
  try {
    const mod = (await import(name)) as { Devices: new () => PcscDevices };
    return new mod.Devices();
  } catch (err) {
    throw new TokenError('TOKEN_IO', 'the PC/SC binding (npm "smartcard") is not available', { cause: err });
  }
}

export class PcscKeyToken extends EventEmitter implements KeyToken {
  private card: { reader: string; card: PcscCard } | undefined;
  /** The last PC/SC monitor failure, if any. */
  lastError: TokenError | undefined;

  private constructor(private readonly devices: PcscDevices, private readonly reader: RegExp | undefined) {
    super();
    devices.on('card-inserted', ({ reader, card }) => {
      if (this.card || (this.reader && !this.reader.test(reader.name))) return;
      this.card = { reader: reader.name, card };
      this.emit('inserted');
    });
    devices.on('card-removed', ({ reader }) => {
      if (this.card?.reader !== reader.name) return;
      this.card = undefined;
      this.emit('removed');
    });
    // A monitor error (pcscd gone, reader unplugged) means we can no longer vouch for the card: fail closed as
    // a removal, keep the error for status reports, and emit 'error' only to listeners (an unheard 'error'
    // would throw through the binding's callback).
    devices.on('error', (err) => {
      this.lastError = new TokenError('TOKEN_IO', 'PC/SC monitor error', { cause: err });
      if (this.listenerCount('error') > 0) this.emit('error', this.lastError);
      if (this.card) {
        this.card = undefined;
        this.emit('removed');
      }
    });
  }

  static async open(opts: PcscTokenOptions = {}): Promise<PcscKeyToken> {
    const token = new PcscKeyToken(opts.devices ?? (await loadDevices()), opts.reader);
    token.devices.start();
    return token;
  }

  get present(): boolean {
    return this.card !== undefined;
  }

  /** Name of the reader holding the card, if any. */
  get readerName(): string | undefined {
    return this.card?.reader;
  }

  readonly transmit: Transmit = async (command) => {
    const held = this.card;
    if (!held) throw new TokenError('TOKEN_ABSENT', 'no card in a PC/SC reader');
    try {
      const r = await held.card.transmit(Buffer.from(command), { maxRecvLength: MAX_RESPONSE, autoGetResponse: true });
      return new Uint8Array(r);
    } catch (err) {
      if (!this.card) throw new TokenError('TOKEN_ABSENT', 'card removed during the exchange', { cause: err });
      throw new TokenError('TOKEN_IO', 'PC/SC transmit failed', { cause: err });
    }
  };

  readPermit(pin: string): Promise<Uint8Array> {
    return new TokenSession(this.transmit).readPermit(pin);
  }

  async close(): Promise<void> {
    this.devices.stop();
    this.card = undefined;
    this.removeAllListeners();
  }
}
