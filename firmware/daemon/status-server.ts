/**
 * The status endpoint: `GET /status` answers the daemon's status as JSON. It binds 127.0.0.1 only — the appliance
 * has no authentication layer, and counters and alarms are for the operator's console on the box (or an SSH
 * tunnel), not for the ship's network.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { DaemonError } from './errors.js';

export const STATUS_HOST = '127.0.0.1';
/** Concurrent connections; a local console needs a handful, a runaway script must not exhaust file descriptors. */
export const STATUS_MAX_CONNECTIONS = 16;
/** A request that has not completed by then is cut off (slowloris on a box with LimitNOFILE=1024). */
export const STATUS_REQUEST_TIMEOUT_MS = 5_000;

export interface StatusServer {
  /** The bound TCP port (the configured one, or the one the system chose for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

export async function startStatusServer(options: { port: number; status: () => unknown; logger: Logger }): Promise<StatusServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/status' && path !== '/') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found; try /status"}');
      return;
    }
    let body: string;
    try {
      body = JSON.stringify(options.status());
    } catch (error) {
      options.logger.error({ err: error }, 'status could not be serialised');
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.maxConnections = STATUS_MAX_CONNECTIONS;
  server.requestTimeout = STATUS_REQUEST_TIMEOUT_MS;
  server.headersTimeout = STATUS_REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new DaemonError('STATUS_LISTEN', `cannot listen on ${STATUS_HOST}:${options.port}: ${(error as NodeJS.ErrnoException).code ?? error.message}`, { cause: error })));
    server.listen(options.port, STATUS_HOST, () => resolve());
  });
  server.on('error', (error) => options.logger.error({ err: error }, 'status endpoint error'));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
