/**
 * Persistent secrets of the appliance (its key permit and wrapped private keys): small named blobs that must
 * survive power loss at any instant. A write either leaves the previous version or the complete new one, never a
 * mix (hardware-and-deployment.md §4: temp file in the same directory, fsync, rename, fsync the directory), and a
 * read that finds anything else reports it as a typed error instead of handing back half a key.
 *
 * The on-disk frame: "MIBCKS01" | u32 big-endian payload length | payload | SHA-256 of everything before it.
 * The digest detects torn or rotten files (SD cards, a copy from another system); it is not authentication —
 * the permit inside carries the issuer's signature.
 */
import { createHash } from 'node:crypto';

export interface KeyStore {
  /** Throws KeyStoreMissingError, KeyStoreCorruptError or KeyStorePermissionError. */
  read(name: string): Promise<Uint8Array>;
  /** Atomically replaces `name`; throws KeyStoreWriteError, with the previous version intact before the rename. */
  write(name: string, data: Uint8Array): Promise<void>;
  /** Whether `name` exists (without checking its content). */
  has(name: string): Promise<boolean>;
}

/** Permits and wrapped keys are a few hundred bytes; anything near this is not ours. */
export const KEYSTORE_MAX_PAYLOAD_BYTES = 64 * 1024;
export const KEYSTORE_MAGIC = 'MIBCKS01';
const MAGIC = Buffer.from(KEYSTORE_MAGIC, 'latin1');
const HEADER = MAGIC.length + 4;
const DIGEST = 32;
/** Names become file names: no separators, no dot files, no surprises. */
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function assertKeyName(name: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TypeError(`"name" must match ${NAME.source} (got ${JSON.stringify(name)})`);
  }
  return name;
}

export function encodeKeyFile(payload: Uint8Array): Buffer {
  if (!(payload instanceof Uint8Array)) throw new TypeError('"data" must be a Uint8Array');
  if (payload.length > KEYSTORE_MAX_PAYLOAD_BYTES) throw new RangeError(`"data" is over ${KEYSTORE_MAX_PAYLOAD_BYTES} bytes`);
  const head = Buffer.alloc(HEADER);
  MAGIC.copy(head);
  head.writeUInt32BE(payload.length, MAGIC.length);
  const body = Buffer.concat([head, payload]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Returns the payload, or a string saying what is wrong with the frame. */
export function decodeKeyFile(bytes: Uint8Array): Uint8Array | string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER + DIGEST) return `${buf.length} bytes is shorter than the frame`;
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) return 'bad magic';
  const length = buf.readUInt32BE(MAGIC.length);
  if (buf.length !== HEADER + length + DIGEST) return `length field ${length} does not match file size ${buf.length}`;
  const body = buf.subarray(0, HEADER + length);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(HEADER + length))) return 'checksum mismatch';
  return new Uint8Array(body.subarray(HEADER));
}
