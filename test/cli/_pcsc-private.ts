/**
 * Test fixture: a pcscd of this file's own, with one vsmartcard vpcd reader on a port of its own (MIBC_VPCD_DAEMON_PORT,
 * default 35975, reader "Daemon Test PCD 00 00"), so that the card of this suite never shares a vpcd slot with the
 * token tests (test/hal/token-card.test.ts: port 35963, slot 0; test/provisioning/e2e.test.ts: slot 1).
 * pcscd has one socket per machine, so the suites take turns: this one waits until no pcscd another test file
 * started (`pcscd -f -c …/mibc-pcsc-…`) runs, and its own config directory carries the same marker so that the
 * provisioning end-to-end test waits for it in turn. A pcscd the system runs is left alone: the suite is skipped
 * (its vpcd slots belong to the token tests). Returns the reason as a string when it cannot run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PCSCD = ['/usr/sbin/pcscd', '/usr/bin/pcscd'].find((p) => existsSync(p));
const VPCD_DRIVER = ['/usr/lib/pcsc/drivers/serial/libifdvpcd.so'].find((p) => existsSync(p));
const PCSCD_SOCKET = '/run/pcscd/pcscd.comm';

export interface PrivatePcsc {
  readonly port: number;
  /** The reader's whole name, as the daemon's `token.reader` names it. */
  readonly reader: string;
  stop(): Promise<void>;
}

function pcscdPids(): { pid: string; testOwned: boolean }[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  const out: { pid: string; testOwned: boolean }[] = [];
  for (const pid of pids) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // ended while we looked
    }
    if (argv[0]?.endsWith('pcscd')) out.push({ pid, testOwned: argv.some((a) => a.includes('mibc-pcsc-')) });
  }
  return out;
}

function listening(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((f) => existsSync(f) && readFileSync(f, 'utf8').split('\n').some((l) => {
    const cols = l.trim().split(/\s+/);
    return cols[1]?.endsWith(hex) === true && cols[3] === '0A';
  }));
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 100) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

export async function startPrivatePcsc(waitMs = 180_000): Promise<PrivatePcsc | string> {
  if (!PCSCD) return 'pcscd is not installed (apt-get install pcscd)';
  if (!VPCD_DRIVER) return 'the vpcd reader driver is not installed (apt-get install vsmartcard-vpcd)';
  try {
    await import('smartcard' as string);
  } catch (err) {
    return `the PC/SC binding "smartcard" does not load: ${(err as Error).message}`;
  }
  if (pcscdPids().some((p) => !p.testOwned)) return 'a pcscd the tests did not start runs; its vpcd slots belong to the token tests';
  if (process.getuid?.() !== 0) return 'not root to start a pcscd';
  if (!(await until(() => pcscdPids().length === 0, waitMs))) return 'another test file kept its pcscd running';
  const port = Number(process.env['MIBC_VPCD_DAEMON_PORT'] ?? 35975);
  const dir = mkdtempSync(join(tmpdir(), 'mibc-pcsc-daemon-'));
  const hex = `0x${port.toString(16)}`;
  writeFileSync(join(dir, 'vpcd'), `FRIENDLYNAME "Daemon Test PCD"\nDEVICENAME /dev/null:${hex}\nLIBPATH ${VPCD_DRIVER}\nCHANNELID ${hex}\n`);
  const child = spawn(PCSCD, ['-f', '-c', dir], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  // A miss skips the test: the limit is for both cores busy (idle, pcscd is up in well under a second).
  if (!(await until(() => listening(port) && existsSync(PCSCD_SOCKET), 60_000))) {
    await stop();
    return `pcscd did not start a vpcd reader on port ${port}`;
  }
  return { port, reader: 'Daemon Test PCD 00 00', stop };
}
