/**
 * Simulated twin of a card in a reader: the applet in-process, with insertion and removal. Like a real reader
 * it answers nothing once the card is out (TOKEN_ABSENT), resets the card on insertion and reports both as
 * events, so the dongle rule can be tested without PC/SC.
 */
import { EventEmitter } from 'node:events';
import type { TokenApplet } from './token-applet.js';
import { TokenSession } from './token-session.js';
import { TokenError, type KeyToken, type Transmit } from './token.js';

export class SimulatedCardToken extends EventEmitter implements KeyToken {
  private card: TokenApplet | undefined;

  constructor(card?: TokenApplet) {
    super();
    this.card = card;
    card?.reset();
  }

  get present(): boolean {
    return this.card !== undefined;
  }

  insert(card: TokenApplet): void {
    if (this.card) throw new Error('a card is already in the reader');
    this.card = card;
    card.reset();
    this.emit('inserted');
  }

  remove(): void {
    if (!this.card) return;
    this.card = undefined;
    this.emit('removed');
  }

  readonly transmit: Transmit = async (command) => {
    const card = this.card;
    if (!card) throw new TokenError('TOKEN_ABSENT', 'no card in the reader');
    return card.process(command);
  };

  readPermit(pin: string): Promise<Uint8Array> {
    return new TokenSession(this.transmit).readPermit(pin);
  }

  async close(): Promise<void> {
    this.removeAllListeners();
  }
}
