/**
 * The key token as the appliance sees it: a PIN-protected store of its key-permit file (DESIGN.md §3 — cards
 * store the permit, they do no pairings), on a PC/SC smart card (token-pcsc.ts), a HID token (token-hid.ts) or
 * the simulated twin (token-sim.ts).
 * Presence: S-63 §11.2's dongle rule — "the Data Client must cease to operate if the device is removed" — so
 * every token reports removal as an event and `present`; the runtime stops signing and decrypting on 'removed'
 * unless configured otherwise.
 */

export const TOKEN_ERROR_CODES = [
  'TOKEN_ABSENT',
  'TOKEN_APPLET_MISSING',
  'TOKEN_PIN_WRONG',
  'TOKEN_PIN_BLOCKED',
  'TOKEN_EMPTY',
  'TOKEN_PROTOCOL',
  'TOKEN_IO',
] as const;
export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

export class TokenError extends Error {
  override readonly name = 'TokenError';
  readonly code: TokenErrorCode;
  /** For TOKEN_PIN_WRONG: presentations left before the PIN is blocked. */
  readonly triesLeft: number | undefined;
  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown; triesLeft?: number }) {
    super(`${code}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.triesLeft = options?.triesLeft;
  }
}

export type TokenEvent = 'inserted' | 'removed';

export interface KeyToken {
  /** True while a card/token is in place. */
  readonly present: boolean;
  /** Selects the applet, presents the PIN and reads the permit object. Throws TokenError. */
  readPermit(pin: string): Promise<Uint8Array>;
  on(event: TokenEvent, listener: () => void): this;
  off(event: TokenEvent, listener: () => void): this;
  close(): Promise<void>;
}

/** One command/response exchange with a card; the transports implement this. */
export type Transmit = (command: Uint8Array) => Promise<Uint8Array>;

/** PINs travel as their ASCII bytes (ISO/IEC 9564-style numeric PINs are usual; any 4..16 printable chars). */
export function pinBytes(pin: string): Uint8Array {
  if (!/^[\x20-\x7e]{4,16}$/.test(pin)) throw new RangeError('PIN must be 4..16 printable ASCII characters');
  return new TextEncoder().encode(pin);
}
