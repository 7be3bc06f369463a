/**
 * Test fixture: a real PC/SC stack — pcscd with vsmartcard's vpcd reader driver — for the suites that talk to a card.
 * pcscd has one socket per machine (/run/pcscd/pcscd.comm), so the suites share it and take turns:
 *   - `startPcscStack` (test/hal/token-card.test.ts): vpcd slot 0 on MIBC_VPCD_PORT (default 35963, as Debian's
 *     /etc/reader.conf.d/vpcd configures it); uses a running pcscd if there is one, otherwise starts its own.
 *   - `pcscSecondSlot` (test/provisioning/e2e.test.ts): slot 1 (port + 1) of the same stack, after any pcscd another
 *     test file started has gone, so a card of the other file and ours never share a socket.
 *   - `startPrivatePcsc` (test/cli/run-token-pcsc.test.ts): a pcscd of its own with one reader on a port of its own
 *     (MIBC_VPCD_DAEMON_PORT, default 35975, reader "Daemon Test PCD 00 00"); skipped while a pcscd the system runs
 *     is up (its vpcd slots belong to the token tests).
 * A pcscd a test starts runs as `pcscd -f -c <tmp>/mibc-pcsc-…`: that marker is how the others see it is a test's.
 * Each returns the reason as a string when it cannot run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PCSCD = ['/usr/sbin/pcscd', '/usr/bin/pcscd'].find((p) => existsSync(p));
const VPCD_DRIVER = ['/usr/lib/pcsc/drivers/serial/libifdvpcd.so'].find((p) => existsSync(p));
const PCSCD_SOCKET = '/run/pcscd/pcscd.comm';
/** In the config directory of every pcscd a test starts. */
const TEST_MARKER = 'mibc-pcsc-';

export interface PcscReader<R extends RegExp | string = RegExp> {
  readonly port: number;
  /** The vpcd slot's reader name. */
  readonly reader: R;
  stop(): Promise<void>;
}

export type PcscStack = PcscReader;
export type PcscSlot = PcscReader;
/** The reader's whole name, as the daemon's `token.reader` names it. */
export type PrivatePcsc = PcscReader<string>;

/** The pcscd processes running, and whether a test started each. */
function pcscdPids(): { pid: string; testOwned: boolean }[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return []; // no procfs: not Linux, and then no pcscd of another test file either
  }
  const out: { pid: string; testOwned: boolean }[] = [];
  for (const pid of pids) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // ended while we looked
    }
    if (argv[0]?.endsWith('pcscd')) out.push({ pid, testOwned: argv.some((a) => a.includes(TEST_MARKER)) });
  }
  return out;
}

/** True when something listens on this TCP port (read from /proc, so no connection is made: for vpcd a
 * connection would be a card insertion). */
function listening(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((f) => existsSync(f) && readFileSync(f, 'utf8').split('\n').some((l) => {
    const cols = l.trim().split(/\s+/);
    return cols[1]?.endsWith(hex) === true && cols[3] === '0A';
  }));
}

function systemPcscdRunning(): boolean {
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

async function until(cond: () => boolean, ms: number, stepMs = 100): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += stepMs) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return cond();
}

/** Why the stack cannot run here, or undefined. */
async function missingStack(): Promise<string | undefined> {
  if (!PCSCD) return 'pcscd is not installed (apt-get install pcscd)';
  if (!VPCD_DRIVER) return 'the vpcd reader driver is not installed (apt-get install vsmartcard-vpcd)';
  try {
    await import('smartcard' as string);
  } catch (err) {
    return `the PC/SC binding "smartcard" does not load: ${(err as Error).message}`;
  }
  return undefined;
}

/** Starts `pcscd -f -c <tmp>/<prefix>…` with one vpcd reader on `port`; its stop() ends it and removes the directory. */
async function spawnPcscd(prefix: string, friendlyName: string, port: number, startMs: number): Promise<{ stop(): Promise<void> } | string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const hex = `0x${port.toString(16)}`;
  writeFileSync(join(dir, 'vpcd'), `FRIENDLYNAME "${friendlyName}"\nDEVICENAME /dev/null:${hex}\nLIBPATH ${VPCD_DRIVER as string}\nCHANNELID ${hex}\n`);
  const child = spawn(PCSCD as string, ['-f', '-c', dir], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  if (!(await until(() => listening(port) && existsSync(PCSCD_SOCKET), startMs, 50))) {
    await stop();
    return `pcscd did not start a vpcd reader on port ${port}`;
  }
  return { stop };
}

export async function startPcscStack(): Promise<PcscStack | string> {
  const missing = await missingStack();
  if (missing !== undefined) return missing;
  const port = Number(process.env['MIBC_VPCD_PORT'] ?? 35963);
  // Slot 0 only: another suite (test/provisioning/e2e) may hold a card in vpcd's second slot at the same time.
  const reader = /Virtual PCD 00 00/;
  if (systemPcscdRunning()) {
    if (!(await until(() => listening(port), PCSCD_START_LIMIT_MS, 50))) return `pcscd runs but no vpcd reader listens on port ${port}`;
    return { port, reader, stop: async () => undefined };
  }
  if (process.getuid?.() !== 0) return 'no pcscd running and not root to start one';
  const started = await spawnPcscd(TEST_MARKER, 'Virtual PCD', port, PCSCD_START_LIMIT_MS);
  return typeof started === 'string' ? started : { port, reader, stop: started.stop };
}

/** vpcd's second slot of the stack above, once no pcscd another test file started runs; or why there is none. */
export async function pcscSecondSlot(waitMs = 120_000): Promise<PcscSlot | string> {
  if (!(await until(() => !pcscdPids().some((p) => p.testOwned), waitMs))) return 'another test file kept its pcscd running';
  const stack = await startPcscStack();
  if (typeof stack === 'string') return stack;
  return { port: stack.port + 1, reader: /Virtual PCD 00 01$/, stop: () => stack.stop() };
}

/** A pcscd of this suite's own with one reader on a port of its own, after every other test's pcscd has gone. */
export async function startPrivatePcsc(waitMs = 180_000): Promise<PrivatePcsc | string> {
  const missing = await missingStack();
  if (missing !== undefined) return missing;
  if (pcscdPids().some((p) => !p.testOwned)) return 'a pcscd the tests did not start runs; its vpcd slots belong to the token tests';
  if (process.getuid?.() !== 0) return 'not root to start a pcscd';
  if (!(await until(() => pcscdPids().length === 0, waitMs))) return 'another test file kept its pcscd running';
  const port = Number(process.env['MIBC_VPCD_DAEMON_PORT'] ?? 35975);
  const started = await spawnPcscd(`${TEST_MARKER}daemon-`, 'Daemon Test PCD', port, PCSCD_START_LIMIT_MS);
  return typeof started === 'string' ? started : { port, reader: 'Daemon Test PCD 00 00', stop: started.stop };
}
