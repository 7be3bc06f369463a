/**
 * The status server and page: security headers, fixed assets, local-only by default (and not reachable by DNS
 * rebinding), Basic authentication wherever it is configured and required for any wider address, and nothing
 * secret in what it serves.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DaemonError, STATUS_PAGE_CSP, startStatusServer, type StatusServer } from '../../../firmware/daemon/index.js';
import { startScenario, type Scenario } from './_status-scenario.js';

const logger = pino({ level: 'silent' });
const PASSWORD = 'correct horse battery staple';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so that the Host header can be anything (fetch sets it itself). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

const servers: StatusServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(options: Partial<Parameters<typeof startStatusServer>[0]> = {}): Promise<StatusServer> {
  const s = await startStatusServer({ port: 0, status: () => ({ state: 'running' }), ships: () => ({ limit: 4, evicted: 0, ships: [] }), logger, ...options });
  servers.push(s);
  return s;
}

describe('status server', () => {
  it('serves the page, its script, its style and Leaflet with a CSP that forbids inline script, and nosniff', async () => {
    const s = await serve();
    const page = await get(s.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(STATUS_PAGE_CSP);
    expect(STATUS_PAGE_CSP).toMatch(/script-src 'self';/);
    expect(STATUS_PAGE_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('<script src="/page.js" defer></script>');
    // No inline script in the page itself: every <script> has a src.
    expect(page.body.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toBeNull();
    for (const [path, type] of [['/page.js', 'text/javascript'], ['/page.css', 'text/css'], ['/vendor/leaflet.js', 'text/javascript'], ['/vendor/leaflet.css', 'text/css']] as const) {
      const r = await get(s.port, path);
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type'], path).toContain(type);
      expect(r.headers['x-content-type-options'], path).toBe('nosniff');
    }
    expect((await get(s.port, '/vendor/leaflet.js')).body).toContain('Leaflet');
    const ships = await get(s.port, '/ships');
    expect(JSON.parse(ships.body)).toEqual({ limit: 4, evicted: 0, ships: [] });
    expect(ships.headers['content-security-policy']).toBe(STATUS_PAGE_CSP);
  });

  it('serves only its fixed files: no path reaches the file system', async () => {
    const s = await serve();
    for (const path of ['/../package.json', '/vendor/../../package.json', '/status-page/page.js', '/vendor/leaflet-src.js', '/%2e%2e/package.json']) {
      expect((await get(s.port, path)).status, path).toBe(404);
    }
  });

  it('answers on 127.0.0.1 only to a loopback Host: a page elsewhere cannot read it by DNS rebinding', async () => {
    const s = await serve();
    expect((await get(s.port, '/status', { host: 'attacker.example' })).status).toBe(421);
    expect((await get(s.port, '/status', { host: `attacker.example:${s.port}` })).status).toBe(421);
    expect((await get(s.port, '/status', { host: `localhost:${s.port}` })).status).toBe(200);
    expect((await get(s.port, '/status', { host: `[::1]:${s.port}` })).status).toBe(200);
    expect((await get(s.port, '/status', { host: '127.0.0.1:1' })).status).toBe(421);
  });

  it('refuses to start on a wider address without authentication, or with a short password', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
      const error = await startStatusServer({ port: 0, host, status: () => ({}), logger }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DaemonError);
      expect((error as DaemonError).code).toBe('CONFIG_INVALID');
      expect((error as Error).message).toMatch(/not a loopback address: status\.auth is required/);
    }
    const short = await startStatusServer({ port: 0, auth: { user: 'operator', password: 'short' }, status: () => ({}), logger }).catch((e: unknown) => e);
    expect((short as Error).message).toMatch(/at least 12 characters/);
  });

  it('asks for Basic credentials where configured and takes only the right ones', async () => {
    const s = await serve({ auth: { user: 'operator', password: PASSWORD } });
    const none = await get(s.port, '/');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="mibc-ais status"/);
    expect(none.body).not.toContain('<html');
    expect((await get(s.port, '/status', basic('operator', 'wrong password!'))).status).toBe(401);
    expect((await get(s.port, '/status', basic('admin', PASSWORD))).status).toBe(401);
    expect((await get(s.port, '/status', { authorization: 'Bearer x' })).status).toBe(401);
    expect((await get(s.port, '/status', basic('operator', PASSWORD))).status).toBe(200);
    expect((await get(s.port, '/', basic('operator', PASSWORD))).status).toBe(200);
  });
});

describe('status server password guessing', () => {
  it('refuses every password, the right one too, once the wrong ones exceed the budget', async () => {
    let now = 0;
    const s = await serve({ auth: { user: 'operator', password: PASSWORD }, authFailuresPerMinute: 3, monotonicNow: () => now });
    expect((await get(s.port, '/status', basic('operator', PASSWORD))).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await get(s.port, '/status', basic('operator', `guess number ${i}`))).status).toBe(401);
    const locked = await get(s.port, '/status', basic('operator', PASSWORD));
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBe('60');
    // A request without credentials still gets the prompt, and spends nothing.
    expect((await get(s.port, '/')).status).toBe(401);
    // The budget refills evenly over the minute: 20 s give one more try.
    now += 20_000;
    expect((await get(s.port, '/status', basic('operator', PASSWORD))).status).toBe(200);
  });
});

describe('status server in the daemon', () => {
  let scenario: Scenario | undefined;
  let credentials: string | undefined;
  const saved = process.env['CREDENTIALS_DIRECTORY'];
  afterEach(async () => {
    await scenario?.daemon.stop();
    scenario = undefined;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env['CREDENTIALS_DIRECTORY'];
    else process.env['CREDENTIALS_DIRECTORY'] = saved;
    if (credentials !== undefined) rmSync(credentials, { recursive: true, force: true });
  });

  it('reads the password from its systemd credential and fails the start without one', async () => {
    credentials = mkdtempSync(join(tmpdir(), 'mibc-status-cred-'));
    process.env['CREDENTIALS_DIRECTORY'] = credentials;
    const missing = await startScenario({ status: { port: 0, auth: { passwordCredential: 'status-password' } } }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DaemonError);
    expect((missing as Error).message).toMatch(/status\.auth\.passwordCredential: CREDENTIAL_MISSING/);
    writeFileSync(join(credentials, 'status-password'), `${PASSWORD}\n`, { mode: 0o600 });
    scenario = await startScenario({ status: { port: 0, auth: { passwordCredential: 'status-password' } } });
    const port = scenario.daemon.statusPort!;
    expect((await get(port, '/status')).status).toBe(401);
    expect((await get(port, '/status', basic('operator', PASSWORD))).status).toBe(200);
  });

  it('serves no key material, PIN, password or permit bytes: only kind, identity and end of each key', async () => {
    const secret = 'd2f1c0ffee5ec2e7b17e5';
    scenario = await startScenario({
      // What a permit's installed-key record might carry beside its validity; only the validity may leave.
      keyValidity: () => [{ kind: 'mmsi', identity: '265000001', notAfter: 1_900_000_000, signingKey: secret, permit: `PERMIT-${secret}` } as never],
    });
    await scenario.play();
    const port = scenario.daemon.statusPort!;
    const bodies = await Promise.all(['/status', '/ships', '/', '/page.js'].map(async (p) => (await get(port, p)).body));
    const status = JSON.parse(bodies[0]!) as { keys: unknown[] };
    expect(status.keys).toContainEqual({ kind: 'mmsi', identity: '265000001', notAfter: 1_900_000_000 });
    const forbidden = [secret, bytesToHex(scenario.pkg.masterSecret), Buffer.from(scenario.pkg.masterSecret).toString('base64'), PASSWORD];
    for (const body of bodies) for (const f of forbidden) expect(body).not.toContain(f);
    expect(bodies.join('\n')).not.toMatch(/signingKey|decryptionKey|masterSecret/i);
  });
});
