/**
 * The mode-5 nonce high-water marks (crypto/group-aead.ts nonce; threat-anchors §3 "persistent counter, never time
 * alone"): per group key id the last UTC second an appliance may already have used, a floor for key ids it no longer
 * lists, and the appliance's instance byte. A nonce is used only after the mark that covers it is on disk, so a
 * restart, a crash or a clock set back can never bring an old (second, counter) back.
 *
 * The interface is synchronous on purpose: the pipeline is synchronous, and the mark must be durable before the
 * message that needs it leaves. Reservations go ahead in blocks, so a write (≈ one fsync) happens at most once per
 * block of seconds, not per message.
 *
 * The payload travels in the key store's frame (hal/keystore.ts: magic, length, SHA-256), so a torn or rotten file
 * is detected rather than read as a lower mark.
 */
import { HalError } from './errors.js';
import { decodeKeyFile, encodeKeyFile } from './keystore.js';

export interface NonceRecord {
  /** This appliance's instance byte, carried in every group body. */
  readonly instance: number;
  /** Seconds up to here may have been used under any key id not in `marks`. */
  readonly floor: number;
  /** Group key id → last UTC second reserved (every second up to it may have been used). */
  readonly marks: ReadonlyMap<number, number>;
}

export interface NonceStore {
  /** The saved record, or undefined when none was ever saved. Throws NonceStateCorruptError. */
  load(): NonceRecord | undefined;
  /** Replaces the record; durable when it returns. Throws NonceStateWriteError, the previous record intact. */
  save(record: NonceRecord): void;
}

/** The nonce state exists but cannot be read back: its marks are unknown, so mode 5 must not send. */
export class NonceStateCorruptError extends HalError {
  readonly code = 'NONCE_STATE_CORRUPT' as const;
  constructor(readonly where: string, readonly detail: string, options?: ErrorOptions) {
    super(`nonce state ${where} is unreadable: ${detail}`, options);
    this.name = 'NonceStateCorruptError';
  }
}

/** A reservation could not be made durable: the seconds it would cover must not be used. */
export class NonceStateWriteError extends HalError {
  readonly code = 'NONCE_STATE_WRITE' as const;
  constructor(readonly where: string, options?: ErrorOptions) {
    super(`nonce state ${where} could not be written; the previous marks are kept`, options);
    this.name = 'NonceStateWriteError';
  }
}

const VERSION = 1;
const MAX_SECOND = 2 ** 40 - 1;
/** Far more key ids than a group key ring holds (16); older marks fold into the floor. */
export const NONCE_MAX_MARKS = 64;

function putUint(out: Uint8Array, at: number, v: number, len: number): void {
  let x = v;
  for (let i = len - 1; i >= 0; i--) {
    out[at + i] = x % 256;
    x = Math.floor(x / 256);
  }
}

function getUint(b: Uint8Array, at: number, len: number): number {
  let v = 0;
  for (let i = 0; i < len; i++) v = v * 256 + (b[at + i] as number);
  return v;
}

function checkSecond(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > MAX_SECOND) throw new RangeError(`${name} must be a UTC second 0..2^40-1, got ${v}`);
}

/** The framed bytes of a record. */
export function encodeNonceRecord(r: NonceRecord): Uint8Array {
  if (!Number.isInteger(r.instance) || r.instance < 0 || r.instance > 0xff) throw new RangeError(`instance must be 0..255, got ${r.instance}`);
  checkSecond('floor', r.floor);
  if (r.marks.size > NONCE_MAX_MARKS) throw new RangeError(`at most ${NONCE_MAX_MARKS} marks, got ${r.marks.size}`);
  const out = new Uint8Array(9 + r.marks.size * 10);
  out[0] = VERSION;
  out[1] = r.instance;
  putUint(out, 2, r.floor, 6);
  out[8] = r.marks.size;
  let at = 9;
  for (const [keyId, second] of r.marks) {
    if (!Number.isInteger(keyId) || keyId < 0 || keyId > 0xffff_ffff) throw new RangeError(`key id must be a uint32, got ${keyId}`);
    checkSecond('mark', second);
    putUint(out, at, keyId, 4);
    putUint(out, at + 4, second, 6);
    at += 10;
  }
  return new Uint8Array(encodeKeyFile(out));
}

/** The record in framed bytes, or a string saying what is wrong with them. */
export function decodeNonceRecord(bytes: Uint8Array): NonceRecord | string {
  const payload = decodeKeyFile(bytes);
  if (typeof payload === 'string') return payload;
  if (payload[0] !== VERSION) return `version ${payload[0] ?? 'missing'}`;
  if (payload.length < 9) return 'record too short';
  const count = payload[8] as number;
  if (payload.length !== 9 + count * 10) return `${count} marks in ${payload.length} bytes`;
  const marks = new Map<number, number>();
  for (let i = 0; i < count; i++) marks.set(getUint(payload, 9 + i * 10, 4), getUint(payload, 13 + i * 10, 6));
  const floor = getUint(payload, 2, 6);
  if (floor > MAX_SECOND || [...marks.values()].some((s) => s > MAX_SECOND)) return 'second out of range';
  return { instance: payload[1] as number, floor, marks };
}
