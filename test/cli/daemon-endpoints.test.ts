/**
 * The daemon's two ports on network endpoints (loopback, ephemeral ports): the same link opener `mibc-ais run`
 * uses, a radio-side TCP server and a ship-side TCP client; LF-only input is taken, output is CRLF.
 */
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { linkOpener } from '../../cli/run.js';
import { Daemon, parseConfig } from '../../firmware/daemon/index.js';
import { RecordingNotifier, SimSerialBus, type EndpointLink } from '../../hal/index.js';
import { TwinPipeline } from '../firmware/daemon/_twin-pipeline.js';

const VDM = '!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the daemon on network ports', () => {
  it('forwards a received LF-terminated sentence from a tcp-listen radio port to a tcp ship port, CRLF-terminated', async () => {
    const display = createServer();
    let shown = '';
    display.on('connection', (s: Socket) => s.on('data', (b: Buffer) => (shown += b.toString('latin1'))));
    await new Promise<void>((r) => display.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    cleanups.push(() => new Promise<void>((r) => display.close(() => r())));
    const displayPort = (display.address() as { port: number }).port;

    const config = parseConfig({
      ports: { ship: { path: `tcp://127.0.0.1:${displayPort}` }, radio: { path: 'tcp-listen://127.0.0.1:0' } },
      topology: 'attached',
      mode: 1,
      status: { port: 0 },
    });
    const links: EndpointLink[] = [];
    const open = linkOpener(() => new SimSerialBus());
    const daemon = new Daemon(config, {
      createPipeline: () => new TwinPipeline(),
      openLink: (side, port) => {
        const link = open(side, port) as EndpointLink;
        links.push(link);
        return link;
      },
      notifier: new RecordingNotifier(),
      logger: pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() })),
    });
    cleanups.push(() => daemon.stop());
    await daemon.start();
    const radio = links.find((l) => l.endpoint.kind === 'tcp-listen')!;
    await until(() => radio.localPort() !== undefined, 'the radio listener');
    const receiver = connect({ host: '127.0.0.1', port: radio.localPort()! });
    cleanups.push(() => void receiver.destroy());
    await once(receiver, 'connect');
    await until(() => {
      if (!shown.includes(VDM)) receiver.write(`${VDM}\n`);
      return shown.includes(`${VDM}\r\n`);
    }, 'the sentence at the display');
    expect(shown.split('\r\n').filter(Boolean).every((l) => l === VDM || l.startsWith('$PMIBV'))).toBe(true);
  });
});
