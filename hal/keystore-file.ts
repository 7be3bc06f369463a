/**
 * The key store on disk: one file per name in a directory on the writable data partition
 * (/var/lib/mibc-ais via systemd's StateDirectory). Files are created 0600 and a file readable by group or others
 * is refused on read — key material that may have leaked is not silently used. A write killed between creating its
 * temp file and the rename leaves a `.NAME.<hex>.tmp` behind (key material, never read as a key); the first
 * operation of a store sweeps them away.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { KeyStoreCorruptError, KeyStoreMissingError, KeyStorePermissionError, KeyStoreWriteError } from './errors.js';
import { KEYSTORE_MAX_PAYLOAD_BYTES, assertKeyName, decodeKeyFile, encodeKeyFile, type KeyStore } from './keystore.js';

/** The file-system calls the store makes; injectable so tests can fail any step. */
export interface KeyStoreFs {
  /** Lists the directory for the orphan sweep; the node call when absent. */
  readdir?: (dir: string) => Promise<string[]>;
  open: typeof fsp.open;
  rename: typeof fsp.rename;
  unlink: typeof fsp.unlink;
  stat: typeof fsp.stat;
}

const nodeFs: KeyStoreFs = { open: fsp.open, rename: fsp.rename, unlink: fsp.unlink, stat: fsp.stat };
const FILE_MODE = 0o600;
/** A temp file of `write` (`.NAME.<12 hex>.tmp`): only a killed write leaves one behind. */
const ORPHAN = /^\..+\.[0-9a-f]{12}\.tmp$/;

export class FileKeyStore implements KeyStore {
  readonly dir: string;
  readonly #fs: KeyStoreFs;
  #swept: Promise<void> | undefined;

  constructor(dir: string, fs: KeyStoreFs = nodeFs) {
    if (typeof dir !== 'string' || dir.length === 0) throw new TypeError('"dir" must be a non-empty string');
    this.dir = dir;
    this.#fs = fs;
  }

  pathOf(name: string): string {
    return join(this.dir, assertKeyName(name));
  }

  /** Removes temp files a killed write left behind; run once, before the store's first operation. */
  sweep(): Promise<void> {
    this.#swept ??= this.#sweep();
    return this.#swept;
  }

  async #sweep(): Promise<void> {
    let names: string[];
    try {
      names = await (this.#fs.readdir ?? ((d: string) => fsp.readdir(d)))(this.dir);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const entry of names) if (ORPHAN.test(entry)) await this.#discard(join(this.dir, entry));
  }

  async has(name: string): Promise<boolean> {
    await this.sweep();
    try {
      await this.#fs.stat(this.pathOf(name));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async read(name: string): Promise<Uint8Array> {
    const file = this.pathOf(name);
    await this.sweep();
    let handle: fsp.FileHandle;
    try {
      handle = await this.#fs.open(file, 'r');
    } catch (error) {
      if (isNotFound(error)) throw new KeyStoreMissingError(file, { cause: error });
      throw error;
    }
    try {
      // Check the opened file, not the path, so a swap between check and read cannot fool us.
      const info = await handle.stat();
      if ((info.mode & 0o077) !== 0) throw new KeyStorePermissionError(file, info.mode & 0o7777);
      if (info.size > KEYSTORE_MAX_PAYLOAD_BYTES + 64) throw new KeyStoreCorruptError(file, `${info.size} bytes is too large`);
      const decoded = decodeKeyFile(await handle.readFile());
      if (typeof decoded === 'string') throw new KeyStoreCorruptError(file, decoded);
      return decoded;
    } finally {
      await handle.close();
    }
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    const file = this.pathOf(name);
    const encoded = encodeKeyFile(data);
    await this.sweep();
    // Same directory as the target so the rename stays within one file system (and is atomic).
    const temp = join(this.dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await this.#fs.open(temp, 'wx', FILE_MODE);
      try {
        // The umask can only remove bits, but be explicit: the file must be exactly 0600.
        await handle.chmod(FILE_MODE);
        await handle.writeFile(encoded);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      await this.#discard(temp);
      throw new KeyStoreWriteError(file, 'temp', { cause: error });
    }
    try {
      await this.#fs.rename(temp, file);
    } catch (error) {
      await this.#discard(temp);
      throw new KeyStoreWriteError(file, 'rename', { cause: error });
    }
    try {
      // Without this the rename itself may be lost on power failure, bringing back the old file (or none).
      const dir = await this.#fs.open(this.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      throw new KeyStoreWriteError(file, 'dir-sync', { cause: error });
    }
  }

  async #discard(temp: string): Promise<void> {
    await this.#fs.unlink(temp).catch(() => {
      // Secondary to the error the caller is about to get; a leftover dot file is never read as a key.
    });
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
