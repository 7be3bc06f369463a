/**
 * `--in` / `--out` of the line filters on real loopback sockets (127.0.0.1, ephemeral ports).
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO } from '../corpus.js';

const run = promisify(execFile);
const VDM = '!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A port the OS just handed out and released: free for the child to bind in the common case. */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('filter endpoints', () => {
  it('decode --out tcp:// sends the JSON lines, CRLF-terminated, to a TCP server, reading LF-only stdin', async () => {
    const server = createServer();
    cleanups.push(() => server.close());
    let text = '';
    server.on('connection', (s: Socket) => s.on('data', (b: Buffer) => (text += b.toString('latin1'))));
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    const port = (server.address() as { port: number }).port;
    const child = spawn('npx', ['tsx', 'cli/main.ts', 'decode', '--out', `tcp://127.0.0.1:${port}`], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(`${VDM}\n${VDM}\r${VDM}\r\n`);
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    const lines = text.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBe(3);
    for (const l of lines) expect(JSON.parse(l)).toMatchObject({ class: 'AIS', type: 1 });
  });

  it('decode --in udp-listen:// decodes datagrams as they arrive', async () => {
    const port = await freeUdpPort();
    // Node itself, not npx: killing npx would leave the decoder running, listening, after the test.
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'decode', '--in', `udp-listen://127.0.0.1:${port}`], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const sender = createSocket('udp4');
    cleanups.push(() => sender.close());
    // The child needs a moment to start and bind: resend until a decoded line comes back (generous deadline).
    const end = Date.now() + 60_000;
    while (!out.includes('\n') && Date.now() < end) {
      sender.send(`${VDM}\n`, port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(JSON.parse(out.split('\n')[0]!)).toMatchObject({ class: 'AIS', type: 1 });
  });

  it('a bad endpoint is one line naming the option and the valid forms', async () => {
    const failed = await run('npx', ['tsx', 'cli/main.ts', 'decode', '--in', 'http://x:1'], { cwd: REPO }).catch((e: { stderr: string; code: number }) => e);
    expect('code' in failed && failed.code).toBeGreaterThan(0);
    const stderr = (failed as { stderr: string }).stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/--in: unknown endpoint scheme "http:\/\/".*tcp-listen:\/\/\[host\]:port/);
  });
});
