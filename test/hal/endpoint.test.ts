/**
 * NMEA endpoints on real loopback sockets (127.0.0.1, ephemeral ports): TCP client with the server restarting,
 * TCP server with two clients, UDP both ways, and every line-end form on input.
 */
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../hal/endpoint.js';
import { createEndpointLink, LISTENER_MAX_CLIENTS, type EndpointLink } from '../../hal/endpoint-node.js';

const VDM = '!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24';
const VDO = '!AIVDO,1,1,,,13u?etPv2;0n:dDPwUM1U1Cb069D,0*06';

/** Polls a condition; the deadline is generous, the poll is what keeps the test fast. */
async function until(cond: () => boolean, what: string, deadlineMs = 15_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function lines(link: EndpointLink): string[] {
  const seen: string[] = [];
  link.on('line', (l) => seen.push(l));
  return seen;
}

/** Everything a socket receives, as text. */
function received(socket: Socket): { text: string } {
  const got = { text: '' };
  socket.on('data', (b: Buffer) => (got.text += b.toString('latin1')));
  return got;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function listen(port = 0): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const server = createServer();
  const sockets: Socket[] = [];
  server.on('connection', (s) => sockets.push(s));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0, sockets });
    });
  });
}

async function stop(s: { server: Server; sockets: Socket[] }): Promise<void> {
  for (const socket of s.sockets) socket.destroy();
  await new Promise<void>((r) => s.server.close(() => r()));
}

describe('parseEndpoint', () => {
  it('reads every form and names the valid ones on a bad spelling', () => {
    expect(parseEndpoint('-')).toEqual({ kind: 'stdio' });
    expect(parseEndpoint('/dev/ttyAMA0')).toEqual({ kind: 'serial', path: '/dev/ttyAMA0' });
    expect(parseEndpoint('tcp://localhost:10110')).toEqual({ kind: 'tcp', host: 'localhost', port: 10110 });
    expect(parseEndpoint('tcp-listen://:10110')).toEqual({ kind: 'tcp-listen', host: '127.0.0.1', port: 10110 });
    expect(parseEndpoint('tcp-listen://0.0.0.0:10110')).toEqual({ kind: 'tcp-listen', host: '0.0.0.0', port: 10110 });
    expect(parseEndpoint('udp://[::1]:2000')).toEqual({ kind: 'udp', host: '::1', port: 2000 });
    expect(parseEndpoint('udp-listen://:0')).toEqual({ kind: 'udp-listen', host: '127.0.0.1', port: 0 });
    expect(() => parseEndpoint('http://x:1')).toThrow(/unknown endpoint scheme.*tcp:\/\/host:port/);
    expect(() => parseEndpoint('tcp://:10110')).toThrow(/host is required/);
    expect(() => parseEndpoint('tcp://h:70000')).toThrow(/port must be 1\.\.65535/);
    expect(() => parseEndpoint('udp://h')).toThrow(/expected udp:\/\/host:port/);
  });
});

describe('TCP client endpoint', () => {
  it('sends CRLF lines, reads LF/CR/CRLF lines, and reconnects when the server restarts, keeping queued output', async () => {
    let srv = await listen();
    const port = srv.port;
    const link = createEndpointLink(`tcp://127.0.0.1:${port}`, { reopenInitialMs: 50, reopenMaxMs: 200 });
    cleanups.push(() => link.close());
    const seen = lines(link);
    link.start();
    const [first] = (await once(srv.server, 'connection')) as [Socket];
    const got = received(first);
    link.send(VDO);
    await until(() => got.text === `${VDO}\r\n`, 'the first line at the server');
    first.write(`${VDM}\n${VDM}\r${VDM}\r\n`);
    await until(() => seen.length === 3, 'three lines with three line ends');
    expect(seen).toEqual([VDM, VDM, VDM]);

    await stop(srv);
    await until(() => link.state === 'down', 'the link to notice the server is gone');
    link.send(VDO, 'safety');
    srv = await listen(port);
    const restarted = srv;
    cleanups.push(() => stop(restarted));
    const [second] = (await once(srv.server, 'connection')) as [Socket];
    const got2 = received(second);
    await until(() => got2.text === `${VDO}\r\n`, 'the line queued while down, after the reconnect');
    expect(link.counters().reconnects).toBe(1);
    expect(link.counters().portDowns).toBeGreaterThanOrEqual(1);
  });
});

describe('TCP back-pressure', () => {
  it('holds lines while the server does not read and delivers all, in order, once it does', async () => {
    const srv = await listen();
    cleanups.push(() => stop(srv));
    const link = createEndpointLink(`tcp://127.0.0.1:${srv.port}`, { outputQueueLimit: 20_000, maxLineLength: 4_000 });
    cleanups.push(() => link.close());
    link.start();
    const [peer] = (await once(srv.server, 'connection')) as [Socket];
    peer.pause();
    // Loopback socket buffers take megabytes: send enough to fill them (bounded: 3000 lines, 12 MB).
    const N = 3_000;
    for (let i = 0; i < N; i++) link.send(`$PTEST,${String(i).padStart(6, '0')},${'x'.repeat(3_980)}`);
    await until(() => link.counters().backpressureWaits > 0, 'write() to answer false');
    expect(link.queued().normal).toBeGreaterThan(0);
    const got = received(peer);
    peer.resume();
    await until(() => got.text.split('\r\n').length - 1 === N, 'every line');
    const lines = got.text.split('\r\n').slice(0, -1);
    expect(lines.map((l) => Number(l.split(',')[1]))).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(Object.values(link.counters().drops).every((n) => n === 0)).toBe(true);
  });
});

describe('TCP server endpoint', () => {
  it('serves two clients: both receive every line, and their interleaved partial input never merges', async () => {
    const link = createEndpointLink('tcp-listen://127.0.0.1:0');
    cleanups.push(() => link.close());
    const seen = lines(link);
    link.start();
    await until(() => link.localPort() !== undefined, 'listening');
    const port = link.localPort()!;
    const a = connect({ host: '127.0.0.1', port });
    const b = connect({ host: '127.0.0.1', port });
    cleanups.push(() => void a.destroy(), () => void b.destroy());
    await Promise.all([once(a, 'connect'), once(b, 'connect')]);
    const gotA = received(a);
    const gotB = received(b);
    // The server learns of a client a moment after the client's connect: resend until both have it.
    await until(() => {
      if (!gotA.text.includes(VDM) || !gotB.text.includes(VDM)) link.send(VDM);
      return gotA.text.includes(VDM) && gotB.text.includes(VDM);
    }, 'a line at both clients');
    expect(gotA.text.split('\r\n').filter((l) => l !== '').every((l) => l === VDM)).toBe(true);
    a.write(VDO.slice(0, 15));
    b.write(VDM.slice(0, 20));
    await new Promise((r) => setTimeout(r, 50));
    a.write(`${VDO.slice(15)}\n`);
    b.write(`${VDM.slice(20)}\r\n`);
    await until(() => seen.length === 2, 'one line from each client');
    expect([...seen].sort()).toEqual([VDM, VDO].sort());
  });
});

describe('TCP server endpoint bounds', () => {
  it(`serves at most ${LISTENER_MAX_CLIENTS} clients: one more is closed, the others keep receiving`, async () => {
    const link = createEndpointLink('tcp-listen://127.0.0.1:0');
    cleanups.push(() => link.close());
    link.start();
    await until(() => link.localPort() !== undefined, 'listening');
    const port = link.localPort()!;
    const clients = Array.from({ length: LISTENER_MAX_CLIENTS }, () => connect({ host: '127.0.0.1', port }));
    for (const c of clients) cleanups.push(() => void c.destroy());
    await Promise.all(clients.map((c) => once(c, 'connect')));
    const got = clients.map(received);
    // The server learns of a client a moment after the client's connect: resend until every one has it.
    await until(() => {
      if (!got.every((g) => g.text.includes(VDM))) link.send(VDM);
      return got.every((g) => g.text.includes(VDM));
    }, 'a line at every client');
    const extra = connect({ host: '127.0.0.1', port });
    cleanups.push(() => void extra.destroy());
    extra.on('error', () => undefined);
    const gotExtra = received(extra);
    await once(extra, 'close');
    expect(gotExtra.text).toBe('');
    for (const g of got) g.text = '';
    await until(() => {
      if (!got.every((g) => g.text.includes(VDO))) link.send(VDO);
      return got.every((g) => g.text.includes(VDO));
    }, 'the served clients to keep receiving');
  });
});

describe('UDP endpoints', () => {
  it('udp-listen reads every line of a datagram, the last one also without a line end', async () => {
    const link = createEndpointLink('udp-listen://127.0.0.1:0');
    cleanups.push(() => link.close());
    const seen = lines(link);
    link.start();
    await until(() => link.localPort() !== undefined, 'bound');
    const sender = createSocket('udp4');
    cleanups.push(() => new Promise<void>((r) => sender.close(() => r())));
    sender.send(Buffer.from(`${VDM}\r${VDO}`), link.localPort()!, '127.0.0.1');
    await until(() => seen.length === 2, 'two lines');
    expect(seen).toEqual([VDM, VDO]);
  });

  it('udp sends one CRLF-terminated sentence per datagram', async () => {
    const receiver = createSocket('udp4');
    cleanups.push(() => new Promise<void>((r) => receiver.close(() => r())));
    const datagrams: string[] = [];
    receiver.on('message', (m: Buffer) => datagrams.push(m.toString('latin1')));
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', () => r()));
    const link = createEndpointLink(`udp://127.0.0.1:${receiver.address().port}`);
    cleanups.push(() => link.close());
    link.start();
    link.send(VDO);
    link.send(VDM);
    await until(() => datagrams.length === 2, 'two datagrams');
    expect(datagrams).toEqual([`${VDO}\r\n`, `${VDM}\r\n`]);
  });
});
