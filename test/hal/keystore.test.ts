import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileKeyStore, type KeyStoreFs } from '../../hal/keystore-file.js';
import { MemoryKeyStore } from '../../hal/keystore-sim.js';
import { decodeKeyFile, encodeKeyFile, type KeyStore } from '../../hal/keystore.js';

const OLD = new Uint8Array([1, 2, 3, 4]);
const NEW = new Uint8Array([9, 9, 9]);

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'mibc-keys-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe.each([
  ['file', (): KeyStore => new FileKeyStore(dir)],
  ['simulated twin', (): KeyStore => new MemoryKeyStore()],
])('KeyStore contract: %s', (_name, make) => {
  it('round-trips and replaces a blob', async () => {
    const store = make();
    expect(await store.has('permit')).toBe(false);
    await store.write('permit', OLD);
    expect(await store.read('permit')).toEqual(OLD);
    await store.write('permit', NEW);
    expect(await store.read('permit')).toEqual(NEW);
    expect(await store.has('permit')).toBe(true);
  });

  it('reports a missing file with a typed error', async () => {
    await expect(make().read('permit')).rejects.toMatchObject({ code: 'KEYSTORE_MISSING' });
  });

  it('refuses names that are not plain file names', async () => {
    const store = make();
    await expect(store.write('../etc/passwd', OLD)).rejects.toThrow(TypeError);
    await expect(store.read('.hidden')).rejects.toThrow(TypeError);
  });
});

describe('FileKeyStore', () => {
  it('removes the temp files a killed write left behind at its first operation, and nothing else', async () => {
    const orphans = ['.permit.0123456789ab.tmp', '.installed-keys.abcdef012345.tmp'];
    for (const name of orphans) await fsp.writeFile(join(dir, name), 'half a key');
    await fsp.writeFile(join(dir, '.notes.tmp'), 'not ours');
    const before = new FileKeyStore(dir);
    await before.write('permit', OLD);
    const store = new FileKeyStore(dir);
    await fsp.writeFile(join(dir, orphans[0]!), 'killed again');
    expect(await store.has('permit')).toBe(true);
    expect((await fsp.readdir(dir)).sort()).toEqual(['.notes.tmp', 'permit']);
  });

  it('creates files with mode 0600 and leaves no temp file behind', async () => {
    const store = new FileKeyStore(dir);
    await fsp.chmod(dir, 0o755);
    await store.write('permit', OLD);
    expect((await fsp.stat(store.pathOf('permit'))).mode & 0o7777).toBe(0o600);
    expect(await fsp.readdir(dir)).toEqual(['permit']);
  });

  it('a write that fails before the rename leaves the old file intact and removes the temp file', async () => {
    const store = new FileKeyStore(dir);
    await store.write('permit', OLD);
    const failing = new FileKeyStore(dir, faultyFs({ failSync: true }));
    await expect(failing.write('permit', NEW)).rejects.toMatchObject({ code: 'KEYSTORE_WRITE', stage: 'temp' });
    expect(await store.read('permit')).toEqual(OLD);
    expect(await fsp.readdir(dir)).toEqual(['permit']);
  });

  it('a failing rename leaves the old file intact and removes the temp file', async () => {
    const store = new FileKeyStore(dir);
    await store.write('permit', OLD);
    const failing = new FileKeyStore(dir, faultyFs({ failRename: true }));
    await expect(failing.write('permit', NEW)).rejects.toMatchObject({ code: 'KEYSTORE_WRITE', stage: 'rename' });
    expect(await store.read('permit')).toEqual(OLD);
    expect(await fsp.readdir(dir)).toEqual(['permit']);
  });

  it('syncs the directory after the rename, and reports when it cannot', async () => {
    const calls: string[] = [];
    const store = new FileKeyStore(dir, faultyFs({ log: calls }));
    await store.write('permit', OLD);
    expect(calls).toEqual(['open temp wx 600', 'sync temp', 'rename', 'open dir', 'sync dir']);
    const failing = new FileKeyStore(dir, faultyFs({ failDirSync: true }));
    await expect(failing.write('permit', NEW)).rejects.toMatchObject({ stage: 'dir-sync' });
  });

  it('a corrupt or truncated file is a typed error, not data', async () => {
    const store = new FileKeyStore(dir);
    await store.write('permit', OLD);
    const file = store.pathOf('permit');
    const bytes = await fsp.readFile(file);
    bytes[13] = (bytes[13] ?? 0) ^ 0xff;
    await fsp.writeFile(file, bytes, { mode: 0o600 });
    await expect(store.read('permit')).rejects.toMatchObject({ code: 'KEYSTORE_CORRUPT', detail: 'checksum mismatch' });
    await fsp.writeFile(file, bytes.subarray(0, 20));
    await expect(store.read('permit')).rejects.toMatchObject({ code: 'KEYSTORE_CORRUPT' });
    await fsp.writeFile(file, 'not a key file at all, but long enough to be framed........');
    await expect(store.read('permit')).rejects.toMatchObject({ code: 'KEYSTORE_CORRUPT', detail: 'bad magic' });
  });

  it('refuses a file readable by group or others', async () => {
    const store = new FileKeyStore(dir);
    await store.write('permit', OLD);
    await fsp.chmod(store.pathOf('permit'), 0o644);
    await expect(store.read('permit')).rejects.toMatchObject({ code: 'KEYSTORE_PERMISSIONS', mode: 0o644 });
  });
});

describe('MemoryKeyStore failures', () => {
  it('a failed write keeps the old version; a flipped bit is reported as corrupt', async () => {
    const store = new MemoryKeyStore();
    await store.write('permit', OLD);
    store.failNextWrite();
    await expect(store.write('permit', NEW)).rejects.toMatchObject({ code: 'KEYSTORE_WRITE' });
    expect(await store.read('permit')).toEqual(OLD);
    store.corrupt('permit');
    await expect(store.read('permit')).rejects.toMatchObject({ code: 'KEYSTORE_CORRUPT' });
  });
});

describe('key file frame', () => {
  it('round-trips any payload and rejects any single flipped bit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (payload, at) => {
        const file = encodeKeyFile(payload);
        expect(decodeKeyFile(file)).toEqual(payload);
        const bad = Buffer.from(file);
        const bit = at % (bad.length * 8);
        bad[bit >> 3] = (bad[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        expect(typeof decodeKeyFile(bad)).toBe('string');
      }),
    );
  });
});

interface Faults {
  failSync?: boolean;
  failRename?: boolean;
  failDirSync?: boolean;
  log?: string[];
}

/** Real file-system calls with chosen steps failing as EIO. */
function faultyFs(faults: Faults): KeyStoreFs {
  const eio = (): Error => Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
  const open = (async (path: string, flags?: string, mode?: number) => {
    const isDir = path === dir;
    faults.log?.push(isDir ? 'open dir' : `open temp ${flags} ${mode?.toString(8)}`);
    const handle = await fsp.open(path, flags, mode);
    return new Proxy(handle, {
      get(target, prop) {
        if (prop === 'sync') {
          return async () => {
            faults.log?.push(isDir ? 'sync dir' : 'sync temp');
            if (isDir ? faults.failDirSync : faults.failSync) throw eio();
            return target.sync();
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }) as KeyStoreFs['open'];
  return {
    open,
    rename: async (from, to) => {
      faults.log?.push('rename');
      if (faults.failRename) throw eio();
      return fsp.rename(from, to);
    },
    unlink: fsp.unlink,
    stat: fsp.stat,
  };
}
