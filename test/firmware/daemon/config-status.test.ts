/** The status server's configuration: local by default; any wider address only with a password credential. */
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseConfig } from '../../../firmware/daemon/index.js';
import { configErrorMessage, minimalConfig } from './_config-fixture.js';

const minimal = { ...minimalConfig, status: { port: 8470 } };
const message = configErrorMessage;

describe('status server configuration', () => {
  it('binds 127.0.0.1 without authentication by default and keeps 1024 ships', () => {
    expect(parseConfig(minimal).status).toEqual({ port: 8470, host: '127.0.0.1', ships: 1024 });
  });

  it('refuses a wider address without authentication, naming the key', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20']) {
      expect(message(() => parseConfig({ ...minimal, status: { port: 8470, host } }))).toMatch(/status\.auth: is required when status\.host .* is not a loopback address/);
    }
  });

  it('takes a wider address with a password credential (the password itself has no place in the file)', () => {
    const config = parseConfig({ ...minimal, status: { port: 8470, host: '0.0.0.0', auth: { passwordCredential: 'status-password' } } });
    expect(config.status.auth).toEqual({ user: 'operator', passwordCredential: 'status-password' });
    expect(message(() => parseConfig({ ...minimal, status: { port: 8470, host: '0.0.0.0', auth: { passwordCredential: 'x', password: 'hunter2hunter2' } } }))).toMatch(/status\.auth/);
    expect(message(() => parseConfig({ ...minimal, status: { port: 8470, auth: { passwordCredential: '../etc/passwd' } } }))).toMatch(/status\.auth\.passwordCredential: must be a systemd credential name/);
    expect(message(() => parseConfig({ ...minimal, status: { port: 8470, auth: { user: 'a:b', passwordCredential: 'p' } } }))).toMatch(/status\.auth\.user/);
  });

  it('takes IP addresses and localhost only, and a bounded ship table', () => {
    expect(message(() => parseConfig({ ...minimal, status: { port: 8470, host: 'status.example' } }))).toMatch(/status\.host: must be an IP address or localhost/);
    expect(message(() => parseConfig({ ...minimal, status: { port: 8470, ships: 0 } }))).toMatch(/status\.ships/);
    expect(message(() => parseConfig({ ...minimal, status: { port: 8470, ships: 1_000_000 } }))).toMatch(/status\.ships/);
  });

  it('counts 127.0.0.0/8, ::1 and localhost as loopback, nothing else', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost.example', '::ffff:10.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
