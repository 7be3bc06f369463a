/**
 * Where NMEA lines come from and go to: one spelling for a serial device, a TCP client or server, UDP sender or
 * receiver, and stdin/stdout, shared by the CLI filters and the daemon's two ports. NMEA over IP is how AIS
 * simulators, AIS-catcher, OpenCPN and Signal K exchange sentences, conventionally on port 10110 (the
 * IANA-registered "nmea-0183" port); the lines themselves are the IEC 61162-1 sentences of the serial link.
 *
 * Forms:
 *   `/dev/ttyUSB0` (any other text)   a serial device
 *   `tcp://host:port`                 TCP client; reconnects with backoff when the server goes away
 *   `tcp-listen://[host]:port`        TCP server; every client receives the output, input from any client
 *   `udp://host:port`                 UDP sender, one datagram per sentence
 *   `udp-listen://[host]:port`        UDP receiver
 *   `-`, `stdin`, `stdout`            the process's standard input/output
 * A listener without a host binds 127.0.0.1: opening NMEA to the network is a choice the operator spells out.
 */
export const ENDPOINT_SCHEMES = ['tcp', 'tcp-listen', 'udp', 'udp-listen'] as const;
export type EndpointScheme = (typeof ENDPOINT_SCHEMES)[number];

export type Endpoint =
  | { readonly kind: 'stdio' }
  | { readonly kind: 'serial'; readonly path: string }
  | { readonly kind: EndpointScheme; readonly host: string; readonly port: number };

/** Conventional NMEA-over-IP port (IANA "nmea-0183"). */
export const NMEA_IP_PORT = 10110;
export const DEFAULT_LISTEN_HOST = '127.0.0.1';

export const ENDPOINT_FORMS = 'a serial device path, tcp://host:port, tcp-listen://[host]:port, udp://host:port, udp-listen://[host]:port or - (stdin/stdout)';

/** Parses an endpoint; throws RangeError with a one-line reason naming the valid forms. */
export function parseEndpoint(spec: string): Endpoint {
  if (spec === '-' || spec === 'stdin' || spec === 'stdout') return { kind: 'stdio' };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec);
  if (scheme === null) {
    if (spec.length === 0) throw new RangeError(`empty endpoint; expected ${ENDPOINT_FORMS}`);
    return { kind: 'serial', path: spec };
  }
  const name = scheme[1]!.toLowerCase();
  if (!(ENDPOINT_SCHEMES as readonly string[]).includes(name)) {
    throw new RangeError(`unknown endpoint scheme "${name}://" in ${spec}; expected ${ENDPOINT_FORMS}`);
  }
  const kind = name as EndpointScheme;
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:/[\]]*)):(\d{1,5})$/i.exec(spec.slice(scheme[0].length));
  if (m === null) throw new RangeError(`${spec}: expected ${kind}://${kind.endsWith('-listen') ? '[host]' : 'host'}:port`);
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  const listens = kind === 'tcp-listen' || kind === 'udp-listen';
  if (host === '' && !listens) throw new RangeError(`${spec}: a host is required (${kind}://host:port)`);
  // Port 0 asks the OS for a free port: useful for a listener (tests), meaningless for a peer.
  if (!(port >= (listens ? 0 : 1) && port <= 65_535)) throw new RangeError(`${spec}: port must be ${listens ? 0 : 1}..65535`);
  return { kind, host: host === '' ? DEFAULT_LISTEN_HOST : host, port };
}

export function isNetworkEndpoint(e: Endpoint): e is Extract<Endpoint, { host: string }> {
  return e.kind !== 'stdio' && e.kind !== 'serial';
}
