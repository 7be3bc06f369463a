/**
 * The HTTPS server every SECOM endpoint of this product runs on (the authority's service, the vessel operator's
 * server): Fastify with TLS, a bounded body, the per-address rate limit before anything else, and refusals in
 * SECOM's form (`{ SECOM_ResponseCode, responseText, reason }`, docs/secom.md "Errors"). Schema failures and
 * oversized bodies are refusals like any other, handed to `onRefused` so the caller can record them.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { SECOM_REASONS, type SecomReason } from './errors.js';
import { RateLimiter } from './limits.js';

export interface SecomAppOptions {
  readonly tls: { key: string | Buffer; cert: string | Buffer };
  readonly bodyLimit: number;
  readonly rate: { perSecond: number; burst: number };
  readonly now: () => number;
  /** A POST refused before its handler ran (schema, size), or failed inside the server. */
  readonly onRefused: (code: SecomReason | 'INTERNAL', detail: string, path: string) => Promise<void>;
}

export function refusal(reason: SecomReason, responseText: string): { status: number; body: { SECOM_ResponseCode: number; responseText: string; reason: SecomReason } } {
  return { status: SECOM_REASONS[reason].status, body: { SECOM_ResponseCode: SECOM_REASONS[reason].secom, responseText, reason } };
}

export function refuse(reply: FastifyReply, reason: SecomReason, responseText: string): FastifyReply {
  const r = refusal(reason, responseText);
  return reply.code(r.status).send(r.body);
}

export function secomApp(o: SecomAppOptions): FastifyInstance {
  const rate = new RateLimiter(o.rate.perSecond, o.rate.burst);
  const app = Fastify({ https: o.tls, bodyLimit: o.bodyLimit, logger: false, connectionTimeout: 30_000, requestTimeout: 30_000 });
  app.addHook('onRequest', async (req, reply) => {
    if (!rate.take(req.ip, o.now())) return refuse(reply.header('retry-after', '1'), 'RATE_LIMITED', 'too many requests');
    return undefined;
  });
  app.setErrorHandler(async (error: Error & { validation?: unknown; statusCode?: number; code?: string }, req, reply) => {
    const path = req.routeOptions.url ?? req.url.split('?')[0] ?? '';
    if (error.validation === undefined && (error.statusCode ?? 500) >= 500) {
      // Our fault, not the peer's: no SECOM refusal code fits, and the detail stays in the server.
      if (req.method !== 'GET') await o.onRefused('INTERNAL', '', path);
      return reply.code(500).send({ responseText: 'internal error' });
    }
    const reason: SecomReason = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE' : 'SCHEMA';
    if (req.method !== 'GET') await o.onRefused(reason, error.message.slice(0, 200), path);
    return refuse(reply, reason, error.message.slice(0, 200));
  });
  return app;
}

/** The https URL of a listening app on loopback or its bound address. */
export function urlOf(app: FastifyInstance, host: string): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `https://${h}:${port}`;
}
