/**
 * The nonce state on disk: one small file on the writable data partition, replaced atomically (temp file in the same
 * directory, fsync, rename, fsync the directory; hardware-and-deployment.md §4), so a power cut leaves either the
 * old marks or the new ones. Synchronous: see hal/nonce-store.ts. A save killed before its rename leaves a
 * `.FILE.<hex>.tmp` behind; `load` (at start) removes them.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { decodeNonceRecord, encodeNonceRecord, NonceStateCorruptError, NonceStateWriteError, type NonceRecord, type NonceStore } from './nonce-store.js';

/** The file-system calls the store makes; injectable so tests can fail any step. */
export type NonceFs = Pick<typeof fs, 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'readFileSync'>
  & { readonly readdirSync?: (dir: string) => string[] };

export class FileNonceStore implements NonceStore {
  constructor(
    readonly file: string,
    private readonly fsys: NonceFs = fs,
  ) {
    if (typeof file !== 'string' || file.length === 0) throw new TypeError('"file" must be a non-empty string');
  }

  load(): NonceRecord | undefined {
    this.#sweep();
    let bytes: Uint8Array;
    try {
      bytes = this.fsys.readFileSync(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new NonceStateCorruptError(this.file, (error as Error).message, { cause: error });
    }
    const r = decodeNonceRecord(bytes);
    if (typeof r === 'string') throw new NonceStateCorruptError(this.file, r);
    return r;
  }

  /** Removes this file's temp files that a killed save left behind (they are never read as the state). */
  #sweep(): void {
    const dir = dirname(this.file);
    const prefix = `.${basename(this.file)}.`;
    let names: string[];
    try {
      names = (this.fsys.readdirSync ?? ((d: string) => fs.readdirSync(d)))(dir);
    } catch {
      return; // no directory yet: nothing left behind; load reports what matters
    }
    for (const entry of names) {
      if (!entry.startsWith(prefix) || !/^[0-9a-f]{12}\.tmp$/.test(entry.slice(prefix.length))) continue;
      try {
        this.fsys.unlinkSync(join(dir, entry));
      } catch {
        // Gone already, or not ours to remove: never read as the state either way.
      }
    }
  }

  save(record: NonceRecord): void {
    const bytes = encodeNonceRecord(record);
    const dir = dirname(this.file);
    const temp = join(dir, `.${basename(this.file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const fd = this.fsys.openSync(temp, 'wx', 0o600);
      try {
        this.fsys.writeSync(fd, bytes);
        this.fsys.fsyncSync(fd);
      } finally {
        this.fsys.closeSync(fd);
      }
      this.fsys.renameSync(temp, this.file);
    } catch (error) {
      try {
        this.fsys.unlinkSync(temp);
      } catch {
        // Secondary to the error below; a leftover dot file is never read as the state.
      }
      throw new NonceStateWriteError(this.file, { cause: error });
    }
    try {
      // Without this the rename may be lost on power failure, bringing back the old (lower) marks.
      const fd = this.fsys.openSync(dir, 'r');
      try {
        this.fsys.fsyncSync(fd);
      } finally {
        this.fsys.closeSync(fd);
      }
    } catch (error) {
      throw new NonceStateWriteError(this.file, { cause: error });
    }
  }
}
