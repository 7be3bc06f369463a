/**
 * Writing the PKG's files: atomically (temp file in the same directory, fsync, rename, fsync the directory — as
 * hal/keystore-file.ts does on the appliance) and 0600, because most of what the PKG writes is key material and
 * the rest (registers) maps pseudonyms to vessels. Appends to the register are O_APPEND + fsync.
 * Without `overwrite` the final step is link(2) instead of rename(2): it fails with EEXIST if the name exists, so
 * "never overwrite" holds even against a file created between a check and the write.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const FILE_MODE = 0o600;

export interface WriteOptions {
  /** Replace an existing file (default); false refuses with EEXIST. */
  readonly overwrite?: boolean;
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: WriteOptions = {}): Promise<void> {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await fsp.open(temp, 'wx', FILE_MODE);
    try {
      await handle.chmod(FILE_MODE);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (opts.overwrite === false) {
      await fsp.link(temp, file);
      await fsp.unlink(temp);
    } else {
      await fsp.rename(temp, file);
    }
  } catch (error) {
    await fsp.unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
}

export async function appendLines(file: string, lines: readonly string[]): Promise<void> {
  const handle = await fsp.open(file, 'a', FILE_MODE);
  try {
    await handle.writeFile(lines.map((l) => `${l}\n`).join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // Without this a power cut can lose the rename and bring back the old file.
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
