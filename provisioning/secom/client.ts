/**
 * A minimal SECOM client over HTTPS (node:https, so that the authority's CA can be pinned per request): JSON in,
 * JSON out, the status kept. Used by the vessel side and the tests.
 */
import { request } from 'node:https';

export interface SecomReply {
  readonly status: number;
  readonly body: unknown;
}

/** Largest reply read (a catalogue with the public parameters is far below it). */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export function secomRequest(url: string, options: { method: 'GET' | 'POST' | 'DELETE'; ca: string | Buffer | (string | Buffer)[]; body?: unknown; timeoutMs?: number }): Promise<SecomReply> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const req = request(url, {
      method: options.method,
      ca: options.ca,
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length },
      timeout: options.timeoutMs ?? 60_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_REPLY_BYTES) req.destroy(new Error('reply too large'));
        else chunks.push(c);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}
