/**
 * The status endpoint and page (docs/display-output.md "Status page"): `GET /status` answers the daemon's status as
 * JSON, `GET /ships` the ships it has shown the display (firmware/daemon/ship-table.ts), and `GET /` a page that plots
 * both (firmware/daemon/status-page/, Leaflet served from node_modules; no network, no tiles).
 *
 * Local by default: it binds 127.0.0.1, and then answers only requests whose Host names a loopback address (a web page
 * elsewhere cannot reach it by DNS rebinding). Any other address needs HTTP Basic authentication with a password from
 * a systemd credential; the server refuses to start without one. Nothing it serves carries key material, the token
 * PIN or permit bytes, and every page response forbids inline script (Content-Security-Policy): names and reasons come
 * off the radio, from a possibly hostile transmitter, and the page renders them as text only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { isIP, type AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { DaemonError } from './errors.js';
import { isLoopbackHost, LOOPBACK_HOST } from './loopback.js';

export const STATUS_HOST = LOOPBACK_HOST;
/** Concurrent connections; a local console needs a handful, a runaway script must not exhaust file descriptors. */
export const STATUS_MAX_CONNECTIONS = 16;
/** A request that has not completed by then is cut off (slowloris on a box with LimitNOFILE=1024). */
export const STATUS_REQUEST_TIMEOUT_MS = 5_000;
/** A password shorter than this is refused: it guards the page on a network others share. */
export const STATUS_MIN_PASSWORD_LENGTH = 12;
/**
 * Wrong passwords allowed per minute, for all clients together; past that every authenticated request is refused
 * (429) until the minute has refilled, the right password too, so guessing runs at 14 400 tries a day at most. An
 * attacker can keep the page locked this way, not open it; the SSH tunnel to 127.0.0.1 stays.
 */
export const STATUS_AUTH_FAILURES_PER_MINUTE = 10;

/**
 * No inline script or style, nothing from another origin, no framing: a name off the radio that somehow reached
 * the DOM as markup still could not run.
 */
export const STATUS_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS: OutgoingHttpHeaders = {
  'content-security-policy': STATUS_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

export interface StatusServer {
  /** The bound TCP port (the configured one, or the one the system chose for port 0). */
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

export interface StatusServerOptions {
  port: number;
  /** Address to bind; default 127.0.0.1. Anything but a loopback address needs `auth`. */
  host?: string;
  /** HTTP Basic credentials (the password read from a systemd credential, never from the config file itself). */
  auth?: { user: string; password: string };
  /** Wrong passwords allowed per minute (default STATUS_AUTH_FAILURES_PER_MINUTE). */
  authFailuresPerMinute?: number;
  /** Monotonic ms for that budget; default performance.now (tests pass a simulated clock's). */
  monotonicNow?: () => number;
  status: () => unknown;
  /** The ships shown on the display port, for `GET /ships`; absent = an empty table. */
  ships?: () => unknown;
  logger: Logger;
}

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** The page's files, read once at start from fixed paths: no request path ever reaches the file system. */
function loadAssets(): Map<string, Asset> {
  const require = createRequire(import.meta.url);
  const page = (name: string) => readFileSync(new URL(`./status-page/${name}`, import.meta.url));
  return new Map<string, Asset>([
    ['/', { type: 'text/html; charset=utf-8', body: page('index.html') }],
    ['/page.js', { type: 'text/javascript; charset=utf-8', body: page('page.js') }],
    ['/page.css', { type: 'text/css; charset=utf-8', body: page('page.css') }],
    ['/vendor/leaflet.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(require.resolve('leaflet/dist/leaflet.js')) }],
    ['/vendor/leaflet.css', { type: 'text/css; charset=utf-8', body: readFileSync(require.resolve('leaflet/dist/leaflet.css')) }],
  ]);
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Compares the Basic credentials in constant time (both sides hashed first, so lengths never leak). */
function authorised(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization;
  if (header === undefined) return false;
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,1024})$/i.exec(header);
  if (match === null) return false;
  return timingSafeEqual(digest(Buffer.from(match[1]!, 'base64').toString('utf8')), expected);
}

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const host = options.host ?? STATUS_HOST;
  if (isIP(host) === 0 && host !== 'localhost') throw new DaemonError('CONFIG_INVALID', `status.host ${host} must be an IP address or localhost`);
  const loopback = isLoopbackHost(host);
  if (!loopback && options.auth === undefined) {
    throw new DaemonError('CONFIG_INVALID', `status.host ${host} is not a loopback address: status.auth is required (anyone on that network could read the page)`);
  }
  if (options.auth !== undefined && options.auth.password.length < STATUS_MIN_PASSWORD_LENGTH) {
    throw new DaemonError('CONFIG_INVALID', `the status password must be at least ${STATUS_MIN_PASSWORD_LENGTH} characters`);
  }
  if (options.auth !== undefined && options.auth.user.includes(':')) throw new DaemonError('CONFIG_INVALID', 'status.auth.user must not contain ":"');
  const expected = options.auth === undefined ? undefined : digest(`${options.auth.user}:${options.auth.password}`);
  const guesses = new FailureBudget(options.authFailuresPerMinute ?? STATUS_AUTH_FAILURES_PER_MINUTE, options.monotonicNow ?? (() => performance.now()));
  const assets = loadAssets();
  let port = options.port;

  const send = (res: ServerResponse, code: number, headers: OutgoingHttpHeaders, body?: string | Buffer) => {
    res.writeHead(code, { ...SECURITY_HEADERS, ...headers }).end(body);
  };
  const json = (req: IncomingMessage, res: ServerResponse, value: () => unknown) => {
    let body: string;
    try {
      body = JSON.stringify(value());
    } catch (error) {
      options.logger.error({ err: error }, 'status could not be serialised');
      send(res, 500, {});
      return;
    }
    send(res, 200, { 'content-type': 'application/json', 'cache-control': 'no-store' }, req.method === 'HEAD' ? undefined : body);
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { allow: 'GET, HEAD' });
      return;
    }
    if (loopback && !loopbackHostHeader(req.headers.host, port)) {
      // A page on another site that rebinds its name to 127.0.0.1 sends its own name here.
      send(res, 421, { 'content-type': 'application/json' }, '{"error":"the Host header must name a loopback address"}');
      return;
    }
    if (expected !== undefined) {
      if (req.headers.authorization !== undefined && !guesses.available()) {
        send(res, 429, { 'retry-after': '60', 'content-type': 'application/json' }, '{"error":"too many wrong passwords; try again in a minute"}');
        return;
      }
      if (!authorised(req, expected)) {
        if (req.headers.authorization !== undefined) guesses.spend();
        send(res, 401, { 'www-authenticate': 'Basic realm="mibc-ais status", charset="UTF-8"', 'content-type': 'application/json' }, '{"error":"authentication required"}');
        return;
      }
    }
    if (path === '/status') return json(req, res, options.status);
    if (path === '/ships') return json(req, res, options.ships ?? (() => ({ limit: 0, evicted: 0, ships: [] })));
    const asset = path === undefined ? undefined : assets.get(path === '/index.html' ? '/' : path);
    if (asset === undefined) {
      send(res, 404, { 'content-type': 'application/json' }, '{"error":"not found; try /status, /ships or /"}');
      return;
    }
    send(res, 200, { 'content-type': asset.type, 'cache-control': 'no-cache' }, req.method === 'HEAD' ? undefined : asset.body);
  });
  server.maxConnections = STATUS_MAX_CONNECTIONS;
  server.requestTimeout = STATUS_REQUEST_TIMEOUT_MS;
  server.headersTimeout = STATUS_REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new DaemonError('STATUS_LISTEN', `cannot listen on ${host}:${options.port}: ${(error as NodeJS.ErrnoException).code ?? error.message}`, { cause: error })));
    server.listen(options.port, host, () => resolve());
  });
  server.on('error', (error) => options.logger.error({ err: error }, 'status endpoint error'));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Host: 127.0.0.1:PORT, localhost:PORT or [::1]:PORT (the port, when given, must be ours). */
function loopbackHostHeader(header: string | undefined, port: number): boolean {
  if (header === undefined) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header.trim().toLowerCase());
  if (m === null) return false;
  if (m[2] !== undefined && Number(m[2]) !== port) return false;
  return isLoopbackHost(m[1]!);
}

/** A token bucket of wrong passwords: `perMinute` tokens, refilled evenly over a minute (monotonic time). */
class FailureBudget {
  readonly #perMinute: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(perMinute: number, now: () => number) {
    this.#perMinute = perMinute;
    this.#now = now;
    this.#tokens = perMinute;
    this.#at = now();
  }

  available(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#perMinute, this.#tokens + ((now - this.#at) / 60_000) * this.#perMinute);
    this.#at = now;
    return this.#tokens >= 1;
  }

  spend(): void {
    this.#tokens = Math.max(0, this.#tokens - 1);
  }
}
