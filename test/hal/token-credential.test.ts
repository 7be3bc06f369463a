/** Secrets from systemd credentials ($CREDENTIALS_DIRECTORY/NAME): found, private, small, and never from elsewhere. */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCredential } from '../../hal/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mibc-cred-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const codeOf = (f: () => unknown): string => {
  try {
    f();
    return 'OK';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};

describe('readCredential', () => {
  it('reads the credential without its line end', () => {
    writeFileSync(join(dir, 'pin'), '1234\r\n', { mode: 0o400 });
    expect(readCredential('pin', dir)).toBe('1234');
  });

  it('refuses a missing directory, a missing file, a name with a path and a file others can read', () => {
    writeFileSync(join(dir, 'open'), '1234', { mode: 0o644 });
    mkdirSync(join(dir, 'sub'));
    expect(codeOf(() => readCredential('pin', undefined))).toBe('CREDENTIAL_MISSING');
    expect(codeOf(() => readCredential('pin', 'relative/dir'))).toBe('CREDENTIAL_INVALID');
    expect(codeOf(() => readCredential('absent', dir))).toBe('CREDENTIAL_MISSING');
    expect(codeOf(() => readCredential('../pin', dir))).toBe('CREDENTIAL_INVALID');
    expect(codeOf(() => readCredential('sub', dir))).toBe('CREDENTIAL_INVALID');
    expect(codeOf(() => readCredential('open', dir))).toBe('CREDENTIAL_UNSAFE');
  });

  it('refuses a file too large to be a PIN', () => {
    writeFileSync(join(dir, 'big'), 'x'.repeat(5000), { mode: 0o600 });
    expect(codeOf(() => readCredential('big', dir))).toBe('CREDENTIAL_INVALID');
  });

  it('follows the link systemd may place, and checks the target', () => {
    writeFileSync(join(dir, 'target'), '5678', { mode: 0o600 });
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    expect(readCredential('link', dir)).toBe('5678');
  });
});
