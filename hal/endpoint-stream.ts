/**
 * Endpoints as Node streams for the line filters (`decode`, `tx`, `rx`): an input endpoint becomes a Readable of
 * LF-terminated lines, an output endpoint a Writable whose lines go out CRLF-terminated (IEC 61162-1) through the
 * endpoint link, with its queue, back-pressure and reconnects. `-` is the process's own stdin/stdout.
 */
import { Readable, Writable } from 'node:stream';
import { createEndpointLink, type EndpointLink } from './endpoint-node.js';
import { parseEndpoint } from './endpoint.js';

/** Link events a filter reports on stderr: a lost peer is worth a line, never a crash. */
export type EndpointNotice = (message: string) => void;

/**
 * Bytes a reader may hold before further input is dropped and counted: a network peer can send faster than
 * signatures verify, and an unbounded buffer would let it exhaust memory.
 */
export const INPUT_BUFFER_BYTES = 1024 * 1024;

function watch(link: EndpointLink, notice: EndpointNotice): void {
  link.on('port-down', ({ path, error, retryInMs }) => {
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    notice(`${path}: down (${cause}); retrying in ${retryInMs} ms`);
  });
  let wasDown = false;
  link.on('port-down', () => (wasDown = true));
  link.on('port-up', ({ path }) => {
    if (wasDown) notice(`${path}: up again`);
    wasDown = false;
  });
  link.on('overlong', ({ atLeast }) => notice(`${link.path}: discarded an overlong line (${atLeast} bytes)`));
  link.on('drop', ({ reason }) => notice(`${link.path}: a line was not sent (${reason})`));
}

export function openEndpointInput(spec: string, notice: EndpointNotice): Readable {
  if (parseEndpoint(spec).kind === 'stdio') return process.stdin;
  const link = createEndpointLink(spec);
  let dropped = 0;
  const readable = new Readable({
    encoding: 'latin1',
    read() {},
    destroy(error, callback) {
      link.close().then(() => callback(error), callback);
    },
  });
  link.on('line', (line) => {
    if (readable.readableLength >= INPUT_BUFFER_BYTES) {
      dropped += 1;
      if (dropped === 1 || dropped % 1000 === 0) notice(`${spec}: input faster than it is processed; ${dropped} lines dropped`);
      return;
    }
    readable.push(`${line}\n`);
  });
  watch(link, notice);
  link.start();
  return readable;
}

/** Queued lines above which the writer waits: half the link's queue, so a burst never meets `queue-full`. */
const OUTPUT_HIGH_WATER = 256;
/** The link has no "queue emptied" event; a short poll is enough while a burst drains. */
const OUTPUT_POLL_MS = 10;

/** Longest output line: filters also write JSON (`decode`), far longer than a sentence. */
export const OUTPUT_MAX_LINE_LENGTH = 64 * 1024;

export function openEndpointOutput(spec: string, notice: EndpointNotice): Writable {
  if (parseEndpoint(spec).kind === 'stdio') return process.stdout;
  const link = createEndpointLink(spec, { maxLineLength: OUTPUT_MAX_LINE_LENGTH });
  watch(link, notice);
  link.start();
  const queued = () => {
    const q = link.queued();
    return q.safety + q.normal;
  };
  const whenBelow = (limit: number, then: () => void) => {
    const check = () => (queued() <= limit ? then() : setTimeout(check, OUTPUT_POLL_MS));
    check();
  };
  const send = (line: string) => {
    if (line === '') return;
    if (line.length > OUTPUT_MAX_LINE_LENGTH) notice(`${spec}: a line over ${OUTPUT_MAX_LINE_LENGTH} bytes was not sent`);
    else link.send(line);
  };
  let partial = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, callback) {
      const text = partial + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
      const parts = text.split(/\r\n|\n|\r/);
      partial = parts.pop() ?? '';
      for (const line of parts) send(line);
      whenBelow(OUTPUT_HIGH_WATER, () => callback());
    },
    final(callback) {
      send(partial);
      // Everything handed over goes out before the link closes; a peer that never comes is bounded by the
      // queue's own expiry.
      whenBelow(0, () => setTimeout(() => link.close().then(() => callback(), callback), OUTPUT_POLL_MS));
    },
    destroy(error, callback) {
      link.close().then(() => callback(error), callback);
    },
  });
}
