/**
 * Sharing the one pcscd of the machine with test/hal/token-card.test.ts, which vitest may run at the same time
 * in another process. That file starts its own pcscd (`pcscd -f -c <tmp>/mibc-pcsc-…`) when none runs and stops
 * it when it ends, so we wait for such a test-owned daemon to go before we start ours; and we put our card in
 * vpcd's second slot (port + 1, reader "… 01"), so a card of the other file and ours never share a socket.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { startPcscStack, type PcscStack } from '../hal/token-pcsc-stack.js';

function testOwnedPcscdRuns(): boolean {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return false; // no procfs: not Linux, and then no pcscd of the other file either
  }
  for (const pid of pids) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // the process ended while we looked
    }
    const argv = cmd.split('\0');
    if (argv[0]?.endsWith('pcscd') && argv.some((a) => a.includes('mibc-pcsc-'))) return true;
  }
  return false;
}

export interface PcscSlot {
  readonly port: number;
  readonly reader: RegExp;
  stop(): Promise<void>;
}

/** A vpcd slot of our own, or why there is none. */
export async function pcscSecondSlot(waitMs = 120_000): Promise<PcscSlot | string> {
  for (let waited = 0; testOwnedPcscdRuns(); waited += 100) {
    if (waited >= waitMs) return 'another test file kept its pcscd running';
    await new Promise((r) => setTimeout(r, 100));
  }
  const stack: PcscStack | string = await startPcscStack();
  if (typeof stack === 'string') return stack;
  return { port: stack.port + 1, reader: /Virtual PCD 00 01$/, stop: () => stack.stop() };
}
