/** `mibc-ais device-key`: never replaces either file without --force. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDeviceKey } from '../../cli/device.js';
import { seededRandom } from '../firmware/_pkg.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mibc-device-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('mibc-ais device-key', () => {
  it('refuses an existing device-key.json (even without a secret beside it) unless --force', async () => {
    writeFileSync(join(dir, 'device-key.json'), 'the public key the authority already holds\n');
    await expect(makeDeviceKey(dir, seededRandom('a'))).rejects.toMatchObject({ code: 'DEVICE_KEY_EXISTS', message: expect.stringMatching(/device-key\.json exists; give --force/) });
    expect(readFileSync(join(dir, 'device-key.json'), 'utf8')).toBe('the public key the authority already holds\n');
    const made = await makeDeviceKey(dir, seededRandom('a'), { force: true });
    expect(JSON.parse(readFileSync(join(dir, 'device-key.json'), 'utf8'))).toMatchObject({ publicKey: made.publicKey });
  });

  it('refuses an existing secret unless --force, which replaces both files', async () => {
    const first = await makeDeviceKey(dir, seededRandom('first'));
    await expect(makeDeviceKey(dir, seededRandom('second'))).rejects.toMatchObject({ code: 'DEVICE_KEY_EXISTS' });
    const second = await makeDeviceKey(dir, seededRandom('second'), { force: true });
    expect(second.publicKey).not.toBe(first.publicKey);
    expect(JSON.parse(readFileSync(join(dir, 'device-key.json'), 'utf8')).publicKey).toBe(second.publicKey);
  });

  it('a directory it cannot write gives a typed error, not a stack trace', async () => {
    writeFileSync(join(dir, 'file'), 'not a directory');
    await expect(makeDeviceKey(join(dir, 'file', 'sub'), seededRandom('x'))).rejects.toMatchObject({ code: 'DEVICE_KEY_WRITE', message: expect.stringMatching(/ENOTDIR/) });
  });
});
