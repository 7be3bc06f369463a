/**
 * `--in` / `--out` of the line filters (`decode`, `tx`, `rx`): where NMEA comes from and goes to, in the endpoint
 * forms of hal/endpoint.ts (serial device, TCP client/server, UDP, `-` for stdin/stdout).
 */
import { finished } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import { InvalidArgumentError, Option } from 'commander';
// Not hal/index.js: `decode` starts without loading the token and GPIO drivers.
import { ENDPOINT_FORMS, parseEndpoint } from '../hal/endpoint.js';
import { openEndpointInput, openEndpointOutput } from '../hal/endpoint-stream.js';

function endpointArg(name: string) {
  return (v: string): string => {
    try {
      parseEndpoint(v);
    } catch (e) {
      throw new InvalidArgumentError(`${name}: ${(e as Error).message}`);
    }
    return v;
  };
}

export function inOption(what = 'NMEA input'): Option {
  return new Option('--in <endpoint>', `${what}: ${ENDPOINT_FORMS}`).argParser(endpointArg('--in')).default('-');
}

export function outOption(what = 'output'): Option {
  return new Option('--out <endpoint>', `${what}: ${ENDPOINT_FORMS}`).argParser(endpointArg('--out')).default('-');
}

export interface FilterStreams {
  readonly input: Readable;
  readonly output: Writable;
  /** Ends a network output after everything written has gone out; stdout is left to the process. */
  close(): Promise<void>;
}

export function openFilterStreams(o: { in: string; out: string }, errors: Writable): FilterStreams {
  const notice = (message: string) => errors.write(`mibc-ais: ${message}\n`);
  const input = openEndpointInput(o.in, notice);
  const output = openEndpointOutput(o.out, notice);
  return {
    input,
    output,
    async close() {
      if (input !== process.stdin) input.destroy();
      if (output === process.stdout) return;
      output.end();
      await finished(output);
    },
  };
}
