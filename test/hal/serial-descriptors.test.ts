/**
 * The real serial link holds one descriptor per open port and no more: a pulled cable (the tty hung up under the
 * link, hardware-and-deployment.md §1) and a refused second open both leave the process with the descriptors it
 * had. The daemon runs with LimitNOFILE=1024, so a descriptor kept per pull would let a flapping or deliberately
 * pulled cable exhaust it.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, read, readdirSync, readlinkSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SerialLink } from '../../hal/serial.js';
import { PTY_TEST_TIMEOUT_MS, ptyRig, socatAvailable, type SerialRig } from './_serial-rigs.js';

const CYCLES = 20;

/** This process's open descriptors on pseudo-terminals, as `fd -> target`. */
function ptyDescriptors(): string[] {
  const held: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith('/dev/pts/')) held.push(`${fd} -> ${target}`);
    } catch {
      // closed between the listing and the lookup (the listing's own descriptor, for one)
    }
  }
  return held;
}

/** Descriptors still held on pseudo-terminals whose other end is gone. */
const onPulledPtys = (): string[] => ptyDescriptors().filter((d) => d.endsWith('(deleted)'));

/**
 * Holds every thread of libuv's pool in a blocking read of a FIFO, so that the link's next read waits in the
 * queue: a cable pulled meanwhile meets that read, not an armed poll. This is the window a device that streams
 * data always has open, made certain.
 */
function holdThreadPool(): { release: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mibc-pool-'));
  const fifo = join(dir, 'hold');
  if (spawnSync('mkfifo', [fifo]).status !== 0) throw new Error('mkfifo failed');
  // O_RDWR: opening never blocks, reading blocks until a byte arrives.
  const fd = openSync(fifo, constants.O_RDWR);
  const threads = Math.max(4, Number(process.env.UV_THREADPOOL_SIZE ?? 4));
  let pending = threads;
  for (let i = 0; i < threads; i += 1) {
    read(fd, Buffer.alloc(1), 0, 1, null, () => {
      pending -= 1;
      if (pending === 0) {
        closeSync(fd);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
  return { release: () => writeSync(fd, Buffer.alloc(threads)) };
}

function watch(link: SerialLink): { ups: number; downs: number; lines: number } {
  const seen = { ups: 0, downs: 0, lines: 0 };
  link.on('port-up', () => (seen.ups += 1));
  link.on('port-down', () => (seen.downs += 1));
  link.on('line', () => (seen.lines += 1));
  return seen;
}

/** Pulls the cable while the link's read is on its way: the read then finds a hung-up tty. */
async function pullDuringRead(rig: SerialRig, seen: { lines: number }): Promise<void> {
  const linesBefore = seen.lines;
  rig.deviceSend('$PXXX,BEFORE\r\n');
  await rig.until(() => seen.lines > linesBefore, 'a line before the pull');
  const pool = holdThreadPool();
  // The poll fires on this line and queues the next read behind the held pool.
  rig.deviceSend('$PXXX,PULLED\r\n');
  await new Promise((resolve) => setTimeout(resolve, 100));
  await rig.unplug();
  pool.release();
}

describe.skipIf(!socatAvailable)(
  `SerialLink descriptors on pseudo-terminals${socatAvailable ? '' : ' (skipped: socat is not installed; apt-get install socat)'}`,
  () => {
    it(`a cable pulled and replugged ${CYCLES} times costs no descriptor, also when pulled during a read`, async () => {
      const before = ptyDescriptors();
      const rig = await ptyRig();
      try {
        const link = rig.link({ reopenInitialMs: 20, reopenMaxMs: 200 });
        const seen = watch(link);
        link.start();
        await rig.until(() => seen.ups === 1, 'port-up');
        for (let cycle = 0; cycle < CYCLES; cycle += 1) {
          const downs = seen.downs;
          await pullDuringRead(rig, seen);
          await rig.until(() => seen.downs > downs, `port-down after pull ${cycle + 1}`);
          expect(onPulledPtys(), `after pull ${cycle + 1}`).toEqual([]);
          await rig.replug();
          await rig.until(() => seen.ups === cycle + 2, `port-up after replug ${cycle + 1}`);
        }
        expect(link.counters()).toMatchObject({ reconnects: CYCLES });
      } finally {
        await rig.dispose();
      }
      expect(ptyDescriptors()).toEqual(before);
    });

    it('a second link refused by the lock keeps no descriptor on the port', async () => {
      const before = ptyDescriptors();
      const rig = await ptyRig();
      try {
        const first = rig.link();
        const firstSeen = watch(first);
        first.start();
        await rig.until(() => firstSeen.ups === 1, 'first port-up');
        const holding = ptyDescriptors();
        for (let attempt = 0; attempt < CYCLES; attempt += 1) {
          const second = rig.link({ reopenInitialMs: 60_000, reopenMaxMs: 60_000 });
          const errors: Error[] = [];
          second.on('port-down', ({ error }) => errors.push(error));
          second.start();
          await rig.until(() => errors.length === 1, `refusal ${attempt + 1}`);
          expect(String((errors[0]?.cause as Error).message)).toMatch(/lock/i);
          await second.close();
        }
        expect(ptyDescriptors()).toEqual(holding);
      } finally {
        await rig.dispose();
      }
      expect(ptyDescriptors()).toEqual(before);
    });
  },
  PTY_TEST_TIMEOUT_MS,
);
