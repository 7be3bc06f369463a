/** The `token` section of the daemon's configuration: what it requires, what it excludes, and no PIN in the file. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../firmware/daemon/index.js';

const base = {
  ports: { ship: { path: 'sim:ship' }, radio: { path: 'sim:radio' } },
  topology: 'attached',
  mode: 2,
  status: { port: 0 },
  keys: { params: 'p.json', deviceKey: 'd.json', authority: 'a.json' },
  state: { dir: '/var/lib/mibc-ais' },
};

describe('config: token section', () => {
  it('fills the credential name and start-up wait', () => {
    const c = parseConfig({ ...base, token: { kind: 'pcsc', reader: 'Virtual PCD 00 00' } });
    expect(c.token).toEqual({ kind: 'pcsc', reader: 'Virtual PCD 00 00', pinCredential: 'token-pin', waitMs: 10_000 });
  });

  it('has no place for the PIN itself', () => {
    expect(() => parseConfig({ ...base, token: { kind: 'pcsc', pin: '1234' } })).toThrow(/token: Unrecognized key: "pin"/);
  });

  it('refuses a permit file next to the token and asks for what the install needs', () => {
    expect(() => parseConfig({ ...base, keys: { ...base.keys, permit: 'x.permit' }, token: { kind: 'pcsc' } })).toThrow(/keys\.permit: must be absent with token/);
    expect(() => parseConfig({ ...base, keys: { params: 'p.json' }, state: undefined, token: { kind: 'pcsc' } })).toThrow(
      /keys\.deviceKey: is required with token.*keys\.authority: is required with token.*state\.dir: is required with token/,
    );
  });

  it('a HID token needs its vendor and product id; a reader name is for PC/SC only', () => {
    expect(() => parseConfig({ ...base, token: { kind: 'hid', reader: 'x' } })).toThrow(/token\.vendorId: is required.*token\.productId: is required.*token\.reader: is for PC\/SC readers only/);
    expect(parseConfig({ ...base, token: { kind: 'hid', vendorId: 0x1209, productId: 0xa15 } }).token?.kind).toBe('hid');
  });

  it('a credential name is one path component', () => {
    for (const bad of ['../pin', 'a/b', '..', '']) expect(() => parseConfig({ ...base, token: { kind: 'pcsc', pinCredential: bad } })).toThrow(/token\.pinCredential/);
  });
});
