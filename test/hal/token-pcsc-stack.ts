/**
 * Test fixture: a real PC/SC stack — pcscd with vsmartcard's vpcd reader driver — for the token tests.
 * Uses a running pcscd if there is one (its vpcd listens on MIBC_VPCD_PORT, default 35963, as Debian's
 * /etc/reader.conf.d/vpcd configures it); otherwise starts `pcscd -f -c <dir>` with a reader.conf.d of its own
 * (needs root for /run/pcscd) and stops it afterwards. Returns the reason as a string when it cannot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PCSCD = ['/usr/sbin/pcscd', '/usr/bin/pcscd'].find((p) => existsSync(p));
const VPCD_DRIVER = ['/usr/lib/pcsc/drivers/serial/libifdvpcd.so'].find((p) => existsSync(p));
const PCSCD_SOCKET = '/run/pcscd/pcscd.comm';

export interface PcscStack {
  readonly port: number;
  /** Reader name of the vpcd slot on `port`. */
  readonly reader: RegExp;
  stop(): Promise<void>;
}

/** True when something listens on this TCP port (read from /proc, so no connection is made: for vpcd a
 * connection would be a card insertion). */
function listening(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((f) => {
    if (!existsSync(f)) return false;
    return readFileSync(f, 'utf8')
      .split('\n')
      .some((l) => {
        const cols = l.trim().split(/\s+/);
        return cols[1]?.endsWith(hex) === true && cols[3] === '0A';
      });
  });
}

function pcscdRunning(): boolean {
  try {
    const pid = Number(readFileSync('/run/pcscd/pcscd.pid', 'utf8').trim());
    process.kill(pid, 0);
    return existsSync(PCSCD_SOCKET);
  } catch {
    return false;
  }
}

/**
 * How long pcscd may take to bring up its vpcd reader: a miss skips the PC/SC tests, so the limit is for both cores
 * busy, not for an idle machine (there it takes well under a second).
 */
const PCSCD_START_LIMIT_MS = 60_000;

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

export async function startPcscStack(): Promise<PcscStack | string> {
  if (!PCSCD) return 'pcscd is not installed (apt-get install pcscd)';
  if (!VPCD_DRIVER) return 'the vpcd reader driver is not installed (apt-get install vsmartcard-vpcd)';
  try {
    await import('smartcard' as string);
  } catch (err) {
    return `the PC/SC binding "smartcard" does not load: ${(err as Error).message}`;
  }
  const port = Number(process.env['MIBC_VPCD_PORT'] ?? 35963);
  // Slot 0 only: another suite (test/provisioning/e2e) may hold a card in vpcd's second slot at the same time.
  const reader = /Virtual PCD 00 00/;
  if (pcscdRunning()) {
    if (!(await until(() => listening(port), PCSCD_START_LIMIT_MS))) return `pcscd runs but no vpcd reader listens on port ${port}`;
    return { port, reader, stop: async () => undefined };
  }
  if (process.getuid?.() !== 0) return 'no pcscd running and not root to start one';
  const dir = mkdtempSync(join(tmpdir(), 'mibc-pcsc-'));
  writeFileSync(
    join(dir, 'vpcd'),
    `FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x${port.toString(16)}\nLIBPATH ${VPCD_DRIVER}\nCHANNELID 0x${port.toString(16)}\n`,
  );
  const child: ChildProcess = spawn(PCSCD, ['-f', '-c', dir], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (!(await until(() => listening(port) && existsSync(PCSCD_SOCKET), PCSCD_START_LIMIT_MS))) {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    return `pcscd did not start a vpcd reader on port ${port}`;
  }
  return {
    port,
    reader,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
