/**
 * The key store twin: files in memory with the same frame and the same typed errors, plus the failures a test of
 * the firmware needs — a write that fails before the rename (the old version stays), a corrupted file, a file
 * with loose permissions.
 */
import { KeyStoreCorruptError, KeyStoreMissingError, KeyStorePermissionError, KeyStoreWriteError } from './errors.js';
import { assertKeyName, decodeKeyFile, encodeKeyFile, type KeyStore } from './keystore.js';

export class MemoryKeyStore implements KeyStore {
  readonly #files = new Map<string, { bytes: Buffer; mode: number }>();
  #failNext: Error | undefined;

  async has(name: string): Promise<boolean> {
    return this.#files.has(assertKeyName(name));
  }

  async read(name: string): Promise<Uint8Array> {
    const file = this.#files.get(assertKeyName(name));
    if (file === undefined) throw new KeyStoreMissingError(name);
    if ((file.mode & 0o077) !== 0) throw new KeyStorePermissionError(name, file.mode);
    const decoded = decodeKeyFile(file.bytes);
    if (typeof decoded === 'string') throw new KeyStoreCorruptError(name, decoded);
    return decoded;
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    assertKeyName(name);
    const encoded = encodeKeyFile(data);
    const failure = this.#failNext;
    this.#failNext = undefined;
    if (failure !== undefined) throw new KeyStoreWriteError(name, 'temp', { cause: failure });
    this.#files.set(name, { bytes: encoded, mode: 0o600 });
  }

  /** The next write fails as a full or failing disk would, before the rename. */
  failNextWrite(error: Error = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })): void {
    this.#failNext = error;
  }

  /** Flips one bit of the stored file, as bit rot would. */
  corrupt(name: string, byteIndex = 12): void {
    const file = this.#files.get(assertKeyName(name));
    if (file === undefined) throw new Error(`no file ${name}`);
    if (byteIndex < 0 || byteIndex >= file.bytes.length) throw new RangeError('"byteIndex" is outside the file');
    file.bytes[byteIndex] = (file.bytes[byteIndex] ?? 0) ^ 0x01;
  }

  /** Sets the file mode, to model a file copied in with loose permissions. */
  chmod(name: string, mode: number): void {
    const file = this.#files.get(assertKeyName(name));
    if (file === undefined) throw new Error(`no file ${name}`);
    file.mode = mode;
  }
}
