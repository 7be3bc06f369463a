/**
 * Soak test of the appliance daemon (not in CI): `npm run soak -- --minutes N [--rate L] [--built]`.
 *
 * Runs `mibc-ais run` as a child process — so the figures are the daemon's alone — on two socat pseudo-terminals,
 * and drives both ports at full rate from here: `--rate` lines/s into each port. The full VDL is 75 one-slot reports/s
 * (2 channels × 2250 slots/min), but 75 message-1 sentences of 51 bytes with CRLF are 99.6 % of the 38400 Bd
 * budget, which the paced output cannot hold (a late pace timer's time is lost): the queues fill and drop, counted.
 * The default, 70 lines/s (93 % of the budget), is the highest rate a port carries without drops. Reports start-up time to
 * READY, RSS at idle and under load (start/end), CPU under load, and checks that no line was lost: for each
 * direction, lines sent = lines received at the far end + drops the daemon counted, by reason.
 * Exits 1 when a line is unaccounted for or RSS grew by more than RSS_GROWTH_LIMIT_MB.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import type { DaemonStatus } from '../firmware/daemon/index.js';
import { PtyCable, socatAvailable, until } from '../test/firmware/daemon/_pty.js';

const MAX_MINUTES = 10;
/** Growth of the daemon's RSS from the start to the end of the load phase that fails the soak. */
const RSS_GROWTH_LIMIT_MB = 10;
const SAMPLE_INTERVAL_MS = 15_000;
const LOAD_WARM_UP_MS = 60_000;
const GENERATOR_PERIOD_MS = 100;
/** /proc/<pid>/stat counts CPU in clock ticks; USER_HZ is 100 on every Linux the appliance runs. */
const CLOCK_TICKS_PER_S = 100;

const opts = new Command()
  .option('--minutes <n>', 'length of the load phase', '2')
  .option('--rate <n>', 'lines per second into each port', '70')
  .option('--built', 'run dist/cli/main.js (npm run build first) instead of the TypeScript sources')
  .parse(process.argv)
  .opts<{ minutes: string; rate: string; built?: boolean }>();
const minutes = Number(opts.minutes);
const rate = Number(opts.rate);
if (!(minutes > 0 && minutes <= MAX_MINUTES)) throw new RangeError(`--minutes must be in (0, ${MAX_MINUTES}]`);
if (!(rate > 0 && rate <= 200)) throw new RangeError('--rate must be in (0, 200]');
if (!socatAvailable) {
  console.error('soak: socat is required (apt-get install socat)');
  process.exit(2);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

/** utime + stime of the process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/** A message-1 sentence with a per-line serial number in the payload, so every line is distinct. */
function sentence(port: string, n: number): string {
  const serial = n.toString(36).padStart(6, '0').slice(-6);
  return `!AIVDM,1,1,,${port === 'ship' ? 'A' : 'B'},13u?et${serial}0n:dDPwUM1U1Cb069D,0*00`;
}

const dir = mkdtempSync(join(tmpdir(), 'mibc-soak-'));
const ship = new PtyCable(dir, 'ship');
const radio = new PtyCable(dir, 'radio');
await ship.plugIn();
await radio.plugIn();
const configPath = join(dir, 'config.json');
writeFileSync(
  configPath,
  JSON.stringify({
    ports: { ship: { path: ship.appPath }, radio: { path: radio.appPath } },
    topology: 'inline',
    mode: 1,
    gpio: { bypassRelay: 5, leds: { power: 17, secure: 27, alarm: 22 } },
    status: { port: 0 },
    log: { level: 'info' },
  }),
);

const root = new URL('..', import.meta.url).pathname;
const built = join(root, 'dist/cli/main.js');
if (opts.built && !existsSync(built)) throw new Error('dist/cli/main.js is missing: npm run build');
const args = opts.built ? [built] : ['--import', 'tsx', join(root, 'cli/main.ts')];
const spawnedAt = performance.now();
const child = spawn(process.execPath, [...args, 'run', '--config', configPath], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const pid = child.pid as number;
let readyAt: number | undefined;
let statusPort: number | undefined;
let startupMs: number | undefined;
const warnings: string[] = [];
createInterface({ input: child.stdout }).on('line', (line) => {
  const entry = JSON.parse(line) as { level: number; msg: string; statusPort?: number; startupMs?: number };
  if (entry.statusPort !== undefined) statusPort = entry.statusPort;
  if (entry.msg === 'ready') {
    readyAt = performance.now();
    startupMs = entry.startupMs;
  }
  if (entry.level >= 40) warnings.push(`${entry.msg}`);
});
await until(() => readyAt !== undefined, 'the daemon to become ready', 60_000);

async function status(): Promise<DaemonStatus> {
  const res = await fetch(`http://127.0.0.1:${statusPort}/status`);
  return (await res.json()) as DaemonStatus;
}

await sleep(5_000);
const idleRss = rssKb(pid);
console.log(`start-up to READY: ${((readyAt as number) - spawnedAt).toFixed(0)} ms from spawn (daemon start() to READY: ${startupMs} ms)`);
console.log(`RSS idle: ${mb(idleRss)}`);

const sent = { ship: 0, radio: 0 };
const generator = setInterval(() => {
  const perTick = (rate * GENERATOR_PERIOD_MS) / 1000;
  for (let i = 0; i < perTick; i += 1) {
    ship.send(sentence('ship', sent.ship++));
    radio.send(sentence('radio', sent.radio++));
  }
}, GENERATOR_PERIOD_MS);

const loadStart = performance.now();
const cpuStart = cpuSeconds(pid);
// V8 grows its heap to a working size in the first minute of load; "flat" is judged after that.
await sleep(Math.min(LOAD_WARM_UP_MS, (minutes * 60_000) / 4));
const loadRssStart = rssKb(pid);
console.log(`RSS under load after warm-up: ${mb(loadRssStart)}`);
const endAt = loadStart + minutes * 60_000;
let peakRss = loadRssStart;
while (performance.now() < endAt) {
  await sleep(Math.min(SAMPLE_INTERVAL_MS, Math.max(0, endAt - performance.now())));
  const rss = rssKb(pid);
  peakRss = Math.max(peakRss, rss);
  const s = await status();
  console.log(
    `  t=${((performance.now() - loadStart) / 1000).toFixed(0)} s  RSS ${mb(rss)}  in ship/radio ${s.counters.lines.ship.in}/${s.counters.lines.radio.in}  queued ${JSON.stringify(s.ports.radio?.queued)}`,
  );
}
const loadEnd = performance.now();
const cpuEnd = cpuSeconds(pid);
const loadRssEnd = rssKb(pid);
clearInterval(generator);

// Let the paced output drain, then account for every line.
await until(() => ship.lines.length + radio.lines.length >= sent.ship + sent.radio, 'the daemon to drain', 30_000).catch(() => undefined);
await sleep(1_000);
const final = await status();
child.kill('SIGTERM');
const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));

function dropsOf(side: 'ship' | 'radio'): Record<string, number> {
  return Object.fromEntries(Object.entries(final.ports[side]?.drops ?? {}).filter(([, n]) => n > 0));
}
const shipToRadio = {
  sent: sent.ship,
  daemonIn: final.counters.lines.ship.in,
  received: radio.lines.length,
  drops: dropsOf('radio'),
};
const radioToShip = {
  sent: sent.radio,
  daemonIn: final.counters.lines.radio.in,
  received: ship.lines.length,
  drops: { ...dropsOf('ship'), ...(final.counters.radioInputDropped > 0 ? { 'input-queue-full': final.counters.radioInputDropped } : {}) },
};
const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
const balanced = (d: typeof shipToRadio): boolean => d.sent === d.daemonIn && d.sent === d.received + sum(d.drops);
const cpuPct = ((cpuEnd - cpuStart) / ((loadEnd - loadStart) / 1000)) * 100;
const growthMb = (loadRssEnd - loadRssStart) / 1024;

console.log(`RSS under load, end: ${mb(loadRssEnd)} (peak ${mb(peakRss)}, growth ${growthMb.toFixed(1)} MB)`);
console.log(`CPU under load: ${cpuPct.toFixed(1)} % of one core at ${rate} lines/s per port (${2 * rate} lines/s through the daemon)`);
console.log(`ship → radio: ${JSON.stringify(shipToRadio)} ${balanced(shipToRadio) ? 'balanced' : 'LINES UNACCOUNTED FOR'}`);
console.log(`radio → ship: ${JSON.stringify(radioToShip)} ${balanced(radioToShip) ? 'balanced' : 'LINES UNACCOUNTED FOR'}`);
console.log(`bypassed own-ship lines: ${JSON.stringify(final.counters.shipBypassed)}; alarms at the end: ${final.alarms.map((a) => a.code).join(', ') || 'none'}`);
console.log(`daemon exit code after SIGTERM: ${exitCode}; warnings logged: ${warnings.length === 0 ? 'none' : [...new Set(warnings)].join('; ')}`);

await ship.pullOut();
await radio.pullOut();
rmSync(dir, { recursive: true, force: true });
const ok = balanced(shipToRadio) && balanced(radioToShip) && growthMb <= RSS_GROWTH_LIMIT_MB && exitCode === 0;
console.log(ok ? 'soak: PASS' : 'soak: FAIL');
process.exit(ok ? 0 : 1);
