/**
 * The nonce-state twin: the record in memory, in the same frame as on disk, with the failures a test needs — a
 * write that fails (the old record stays), and bit rot. Two appliances or two runs share one twin by sharing it.
 */
import { decodeNonceRecord, encodeNonceRecord, NonceStateCorruptError, NonceStateWriteError, type NonceRecord, type NonceStore } from './nonce-store.js';

export class MemoryNonceStore implements NonceStore {
  #bytes: Uint8Array | undefined;
  #failNext = false;
  /** Records made durable so far. */
  writes = 0;

  load(): NonceRecord | undefined {
    if (this.#bytes === undefined) return undefined;
    const r = decodeNonceRecord(this.#bytes);
    if (typeof r === 'string') throw new NonceStateCorruptError('memory', r);
    return r;
  }

  save(record: NonceRecord): void {
    const bytes = encodeNonceRecord(record);
    if (this.#failNext) {
      this.#failNext = false;
      throw new NonceStateWriteError('memory', { cause: Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }) });
    }
    this.#bytes = bytes;
    this.writes++;
  }

  /** The next save fails as a full or failing disk would, before the rename. */
  failNextWrite(): void {
    this.#failNext = true;
  }

  /** Flips one bit of the stored record. */
  corrupt(byteIndex = 12): void {
    if (this.#bytes === undefined) throw new Error('nothing stored');
    const b = this.#bytes;
    if (byteIndex < 0 || byteIndex >= b.length) throw new RangeError('"byteIndex" is outside the record');
    b[byteIndex] = (b[byteIndex] as number) ^ 1;
  }
}
