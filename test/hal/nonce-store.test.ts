import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileNonceStore, type NonceFs } from '../../hal/nonce-store-file.js';
import { MemoryNonceStore } from '../../hal/nonce-store-sim.js';
import { decodeNonceRecord, encodeNonceRecord, type NonceRecord, type NonceStore } from '../../hal/nonce-store.js';

const OLD: NonceRecord = { instance: 7, floor: 0, marks: new Map([[3, 1_795_000_020]]) };
const NEW: NonceRecord = { instance: 7, floor: 1_795_000_000, marks: new Map([[3, 1_795_000_040], [4, 1_795_000_041]]) };

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'mibc-nonce-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['file', (): NonceStore => new FileNonceStore(join(dir, 'group-nonces'))],
  ['simulated twin', (): NonceStore => new MemoryNonceStore()],
])('NonceStore contract: %s', (_name, make) => {
  it('has no record until one is saved, then returns the last one saved', () => {
    const store = make();
    expect(store.load()).toBeUndefined();
    store.save(OLD);
    expect(store.load()).toEqual(OLD);
    store.save(NEW);
    expect(store.load()).toEqual(NEW);
  });
});

describe('FileNonceStore', () => {
  it('keeps the previous record when a write fails before the rename, and leaves no temp file', () => {
    const file = join(dir, 'group-nonces');
    new FileNonceStore(file).save(OLD);
    const failing: NonceFs = { ...fs, renameSync: () => { throw Object.assign(new Error('EIO'), { code: 'EIO' }); } };
    expect(() => new FileNonceStore(file, failing).save(NEW)).toThrow(expect.objectContaining({ code: 'NONCE_STATE_WRITE' }));
    expect(new FileNonceStore(file).load()).toEqual(OLD);
    expect(fs.readdirSync(dir)).toEqual(['group-nonces']);
  });

  it('reports a torn or rotten file as NONCE_STATE_CORRUPT, never as a lower mark', () => {
    const file = join(dir, 'group-nonces');
    new FileNonceStore(file).save(NEW);
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 3));
    expect(() => new FileNonceStore(file).load()).toThrow(expect.objectContaining({ code: 'NONCE_STATE_CORRUPT' }));
    bytes[15] = (bytes[15] as number) ^ 1;
    fs.writeFileSync(file, bytes);
    expect(() => new FileNonceStore(file).load()).toThrow(expect.objectContaining({ code: 'NONCE_STATE_CORRUPT' }));
  });
});

describe('nonce record codec', () => {
  it('round-trips any record (property)', () => {
    const second = fc.nat(2 ** 40 - 1);
    fc.assert(
      fc.property(fc.nat(255), second, fc.array(fc.tuple(fc.nat(0xffff_ffff), second), { maxLength: 64 }), (instance, floor, entries) => {
        const r = { instance, floor, marks: new Map(entries) };
        expect(decodeNonceRecord(encodeNonceRecord(r))).toEqual(r);
      }),
    );
  });

  it('the twin detects bit rot as the file store does', () => {
    const store = new MemoryNonceStore();
    store.save(NEW);
    store.corrupt(14);
    expect(() => store.load()).toThrow(expect.objectContaining({ code: 'NONCE_STATE_CORRUPT' }));
  });
});

describe('FileNonceStore after a crash', () => {
  it('removes its own temp files that a killed save left behind when loaded, and keeps the state', () => {
    const file = join(dir, 'group-nonces');
    new FileNonceStore(file).save(OLD);
    fs.writeFileSync(join(dir, '.group-nonces.0123456789ab.tmp'), 'half a record');
    fs.writeFileSync(join(dir, '.other.0123456789ab.tmp'), 'not ours');
    const loaded = new FileNonceStore(file).load();
    expect(loaded?.marks.get(3)).toBe(1_795_000_020);
    expect(fs.readdirSync(dir).sort()).toEqual(['.other.0123456789ab.tmp', 'group-nonces']);
  });
});
