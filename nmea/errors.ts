/**
 * Typed errors for malformed NMEA/AIS input (STYLE.md guideline 3). Every error carries a literal `code` so a
 * stream layer can count failures by kind; misuse by the caller (wrong argument types, values out of range when
 * encoding) raises `TypeError`/`RangeError` instead.
 */

/** Codes of all data errors this layer raises; stable strings, used as counter keys. */
export const NMEA_ERROR_CODES = [
  'NMEA_FRAMING',
  'NMEA_CHECKSUM',
  'NMEA_TAG_BLOCK',
  'NMEA_FIELD',
  'AIS_ARMOUR',
  'AIS_FILL_BITS',
  'AIS_FRAGMENT_COUNT',
  'AIS_FRAGMENT_MISSING',
  'AIS_FRAGMENT_DUPLICATE',
  'AIS_FRAGMENT_ORDER',
  'AIS_FRAGMENT_MISMATCH',
  'AIS_FRAGMENT_EXPIRED',
  'AIS_FRAGMENT_EVICTED',
  'AIS_BIT_RANGE',
  'AIS_LENGTH',
  'AIS_TYPE',
] as const;
export type NmeaErrorCode = (typeof NMEA_ERROR_CODES)[number];

/** Where in the input an error was found, when known. */
export interface NmeaErrorDetail {
  readonly sentence?: string;
  readonly cause?: unknown;
}

let stacks = true;

/**
 * Whether data errors capture a stack trace (they do unless turned off); returns the previous setting. A stream
 * decoder turns it off while it parses: there an error is only counted and reported by code, line and message, and
 * capturing the stack cost more than parsing a damaged line.
 */
export function nmeaErrorStacks(on: boolean): boolean {
  const was = stacks;
  stacks = on;
  return was;
}

export class NmeaError extends Error {
  readonly code: NmeaErrorCode;
  readonly sentence: string | undefined;
  constructor(code: NmeaErrorCode, message: string, detail: NmeaErrorDetail = {}) {
    const limit = Error.stackTraceLimit;
    if (!stacks) Error.stackTraceLimit = 0;
    super(message, detail.cause === undefined ? undefined : { cause: detail.cause });
    Error.stackTraceLimit = limit;
    this.name = new.target.name;
    this.code = code;
    this.sentence = detail.sentence;
  }
}

/** The sentence is not `[\tag\]!|$ttfff,…*hh`: missing delimiter, checksum field, wrong field count. */
export class NmeaFramingError extends NmeaError {
  declare readonly code: 'NMEA_FRAMING';
  constructor(message: string, detail?: NmeaErrorDetail) {
    super('NMEA_FRAMING', message, detail);
  }
}

/** IEC 61162-1 §7.2.3: the XOR checksum does not match. */
export class NmeaChecksumError extends NmeaError {
  declare readonly code: 'NMEA_CHECKSUM';
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number, detail?: NmeaErrorDetail) {
    super('NMEA_CHECKSUM', `checksum mismatch: sentence says ${hex2(actual)}, computed ${hex2(expected)}`, detail);
    this.expected = expected;
    this.actual = actual;
  }
}

/** IEC 61162-450 §7.3 TAG block malformed or its own checksum wrong. */
export class NmeaTagBlockError extends NmeaError {
  declare readonly code: 'NMEA_TAG_BLOCK';
  constructor(message: string, detail?: NmeaErrorDetail) {
    super('NMEA_TAG_BLOCK', message, detail);
  }
}

/** A sentence field (count, channel, MMSI, message id…) has a value outside what the formatter allows. */
export class NmeaFieldError extends NmeaError {
  declare readonly code: 'NMEA_FIELD';
  readonly field: string;
  constructor(field: string, message: string, detail?: NmeaErrorDetail) {
    super('NMEA_FIELD', `${field}: ${message}`, detail);
    this.field = field;
  }
}

/** ITU-R M.1371-5 / IEC 61162-1 6-bit armour: a character outside `0`–`W`, `` ` ``–`w`. */
export class AisArmourError extends NmeaError {
  declare readonly code: 'AIS_ARMOUR';
  readonly position: number;
  constructor(position: number, char: string, detail?: NmeaErrorDetail) {
    super('AIS_ARMOUR', `invalid armour character ${JSON.stringify(char)} at payload offset ${position}`, detail);
    this.position = position;
  }
}

/** Fill bits not 0–5, non-zero on a non-final fragment, or more than the payload holds. */
export class AisFillBitsError extends NmeaError {
  declare readonly code: 'AIS_FILL_BITS';
  constructor(message: string, detail?: NmeaErrorDetail) {
    super('AIS_FILL_BITS', message, detail);
  }
}

export type AisFragmentCode =
  | 'AIS_FRAGMENT_COUNT'
  | 'AIS_FRAGMENT_MISSING'
  | 'AIS_FRAGMENT_DUPLICATE'
  | 'AIS_FRAGMENT_ORDER'
  | 'AIS_FRAGMENT_MISMATCH'
  | 'AIS_FRAGMENT_EXPIRED'
  | 'AIS_FRAGMENT_EVICTED';

/** Multi-sentence assembly failed: bad counts, missing/duplicate/out-of-order parts, expiry or eviction. */
export class AisFragmentError extends NmeaError {
  declare readonly code: AisFragmentCode;
  constructor(code: AisFragmentCode, message: string, detail?: NmeaErrorDetail) {
    super(code, message, detail);
  }
}

/** A read past the end of the message bits. */
export class AisBitRangeError extends NmeaError {
  declare readonly code: 'AIS_BIT_RANGE';
  constructor(start: number, width: number, bitLength: number) {
    super('AIS_BIT_RANGE', `read of ${width} bits at ${start} past the end of a ${bitLength}-bit message`);
  }
}

/** The message is shorter (or, for fixed layouts, much longer) than its type allows. */
export class AisLengthError extends NmeaError {
  declare readonly code: 'AIS_LENGTH';
  constructor(type: number, bitLength: number, expected: string) {
    super('AIS_LENGTH', `type ${type} message of ${bitLength} bits, expected ${expected}`);
  }
}

/** Message type 0 or > 27: no layout in ITU-R M.1371-5. */
export class AisTypeError extends NmeaError {
  declare readonly code: 'AIS_TYPE';
  constructor(type: number) {
    super('AIS_TYPE', `unknown AIS message type ${type}`);
  }
}

/** The deciding bits name no layout (e.g. message 24 part number 2 or 3). */
export class AisVariantError extends NmeaError {
  declare readonly code: 'AIS_TYPE';
  constructor(type: number, variant: string | undefined) {
    super('AIS_TYPE', `type ${type} message: no layout for variant ${variant ?? '(too short to tell)'}`);
  }
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
