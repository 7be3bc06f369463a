/**
 * Soak test of the appliance daemon (not in CI; docs/memory.md): `npm run soak -- --minutes N [--secure]
 * [--warm-up M] [--rate L] [--built]`.
 *
 * Runs `mibc-ais run` as a child process — so the figures are the daemon's alone — on two socat pseudo-terminals.
 * The full VDL is 75 one-slot reports/s (2 channels × 2250 slots/min), but 75 message-1 sentences of 51 bytes with
 * CRLF are 99.6 % of the 38400 Bd budget, which the paced output cannot hold (a late pace timer's time is lost): the
 * queues fill and drop, counted. The default, 70 lines/s (93 % of the budget), is the highest rate a port carries
 * without drops.
 *
 * Plain (default): mode 1, `--rate` message-1 lines/s into each port.
 * Secure (`--secure`): mode 2 with the keys of a test PKG. The radio port hears `--rate` lines/s from 5 000 ships, 1 000
 * of them signing (scripts/soak-traffic.ts: genuine reports signed as they are sent, with keys extracted before the load; forged
 * signatures, incomplete fragment groups, replays, stale reports, fuzz cases and plain spoofs of secured MMSIs); the
 * ship port carries the own ship's GNSS (ZDA, 1 Hz) and its position report every 2 s (a class A at speed, M.1371-5
 * Table 1), which the daemon signs and sends to the radio port. The ship port's output is the display traffic.
 *
 * The warm-up (`--warm-up` minutes of load, not measured) comes before the `--minutes` of the measured load. Samples
 * every 10 s: RSS (/proc), V8 heap used/total, external/ArrayBuffers and the WASM memory (status JSON `memory`). The
 * result: per component the least-squares slope after warm-up (MB/h) and the plateau, headroom against the unit's
 * MemoryMax, lines accounted for per direction (handed to a port's output = received at the far end + the port's
 * counted drops; lines sent into a port = lines the daemon read), and the receive-side verification outcomes.
 * Writes bench/results/soak-<plain|secure>.json. Exits 1 when a line is unaccounted for, the daemon does not stop
 * cleanly, RSS reaches MemoryMax, or a component's slope would use up the headroom within a day.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { writeResults } from '../bench/results.js';
import type { DaemonStatus } from '../firmware/daemon/index.js';
import { parseStatus } from '../firmware/status.js';
import { encodeAis, encodeVdm, formatSentence } from '../nmea/index.js';
import { applianceFiles } from '../test/cli/_appliance-files.js';
import { PtyCable, socatAvailable, until } from '../test/firmware/daemon/_pty.js';
import { COMPONENTS, sample, summarise, unitMemoryMaxMb, unitEnvironment, unitNodeFlags, type MemorySample } from './soak-memory.js';
import { KINDS, positionReport, RadioTraffic, type TrafficKind } from './soak-traffic.js';

/** Long enough for a day's soak; the load phase's own length, the warm-up comes on top. */
const MAX_MINUTES = 24 * 60;
/** Growth of the daemon's RSS from the start to the end of the measured load that fails the soak (plain mode). */
const RSS_GROWTH_LIMIT_MB = 10;
const SAMPLE_INTERVAL_MS = 10_000;
const GENERATOR_PERIOD_MS = 100;
/** /proc/<pid>/stat counts CPU in clock ticks; USER_HZ is 100 on every Linux the appliance runs. */
const CLOCK_TICKS_PER_S = 100;
const OWN_MMSI = 237_000_002;
/** Own-ship report interval: a class A above 23 kn, or 14–23 kn and turning (M.1371-5 Annex 1 Table 1). */
const OWN_SHIP_INTERVAL_MS = 2_000;
const SHIPS = 5_000;
const SECURED_SHIPS = 1_000;
/** Slopes are a verdict only over a long enough run: over minutes they measure V8's heap sizing, not a leak. */
const SLOPE_VERDICT_MIN_MINUTES = 30;

const opts = new Command()
  .option('--minutes <n>', 'length of the measured load phase, after the warm-up', '2')
  .option('--warm-up <n>', 'minutes of load before measuring (V8 and the caches grow to their working size)', '1')
  .option('--rate <n>', 'lines per second into each port (secure: into the radio port)', '70')
  .option('--secure', 'mode 2 with signed traffic from thousands of ships and receive-path attacks mixed in')
  .option('--built', 'run dist/cli/main.js (npm run build first) instead of the TypeScript sources')
  .parse(process.argv)
  .opts<{ minutes: string; warmUp: string; rate: string; secure?: boolean; built?: boolean }>();
const minutes = Number(opts.minutes);
const warmUpMinutes = Number(opts.warmUp);
const rate = Number(opts.rate);
const secure = opts.secure === true;
if (!(minutes > 0 && minutes <= MAX_MINUTES)) throw new RangeError(`--minutes must be in (0, ${MAX_MINUTES}]`);
if (!(warmUpMinutes >= 0 && warmUpMinutes <= 60)) throw new RangeError('--warm-up must be in [0, 60]');
if (!(rate > 0 && rate <= 200)) throw new RangeError('--rate must be in (0, 200]');
if (!socatAvailable) {
  console.error('soak: socat is required (apt-get install socat)');
  process.exit(2);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const f1 = (x: number): string => x.toFixed(1);
const log = (line: string): void => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);

/** utime + stime of the process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/** A message-1 sentence with a per-line serial number in the payload, so every line is distinct (plain mode). */
function plainSentence(port: string, n: number): string {
  const serial = n.toString(36).padStart(6, '0').slice(-6);
  return `!AIVDM,1,1,,${port === 'ship' ? 'A' : 'B'},13u?et${serial}0n:dDPwUM1U1Cb069D,0*00`;
}

function zda(utcMs: number): string {
  const d = new Date(utcMs);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}.${String(Math.floor(d.getUTCMilliseconds() / 10)).padStart(2, '0')}`;
  return formatSentence('$', 'GP', 'ZDA', [time, two(d.getUTCDate()), two(d.getUTCMonth() + 1), String(d.getUTCFullYear()), '00', '00']);
}

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mibc-soak-'));
const ship = new PtyCable(dir, 'ship');
const radio = new PtyCable(dir, 'radio');
await ship.plugIn();
await radio.plugIn();

let traffic: RadioTraffic | undefined;
let keys: { params: string; key: string } | undefined;
if (secure) {
  const files = applianceFiles(join(dir, 'keys'), 'soak', OWN_MMSI, Math.floor(Date.now() / 1000));
  keys = { params: files.params, key: files.key };
  const started = performance.now();
  traffic = RadioTraffic.build(files.pkg, { ships: SHIPS, secured: SECURED_SHIPS, victim: OWN_MMSI }, Date.now(), (done, of) => {
    if (done % 250 === 0) log(`senders' keys: ${done}/${of}`);
  });
  log(`keys of ${SECURED_SHIPS} signing ships extracted in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

const configPath = join(dir, 'config.json');
writeFileSync(
  configPath,
  JSON.stringify({
    ports: { ship: { path: ship.appPath }, radio: { path: radio.appPath } },
    topology: 'inline',
    mode: secure ? 2 : 1,
    ...(keys === undefined ? {} : { keys }),
    gpio: { bypassRelay: 5, leds: { power: 17, secure: 27, alarm: 22 } },
    status: { port: 0 },
    log: { level: 'info' },
  }),
);

const built = join(root, 'dist/cli/main.js');
if (opts.built && !existsSync(built)) throw new Error('dist/cli/main.js is missing: npm run build');
// The unit's V8 options (a small young generation) shape the memory the soak measures, so the daemon gets them too.
const nodeFlags = unitNodeFlags(join(root, 'deploy/mibc-ais.service'));
const args = [...nodeFlags, ...(opts.built ? [built] : ['--import', 'tsx', join(root, 'cli/main.ts')])];
const spawnedAt = performance.now();
// NODE_ENV=production selects the real GPIO; the soak runs on simulated hardware, so that one stays the soak's own.
const { NODE_ENV: _hardware, ...unitEnv } = unitEnvironment(join(root, 'deploy/mibc-ais.service'));
console.log(`daemon: ${Object.entries(unitEnv).map(([k, v]) => `${k}=${v} `).join('')}node ${args.join(' ')} run (options and environment from deploy/mibc-ais.service; NODE_ENV left out: simulated hardware)`);
const child = spawn(process.execPath, [...args, 'run', '--config', configPath], {
  cwd: root,
  env: { ...process.env, ...unitEnv },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const pid = child.pid as number;
let readyAt: number | undefined;
let statusPort: number | undefined;
let startupMs: number | undefined;
/** Warnings the daemon logged, by message (counted: an attack must not grow this soak's own memory). */
const warnings = new Map<string, number>();
createInterface({ input: child.stdout }).on('line', (line) => {
  let entry: { level: number; msg: string; statusPort?: number; startupMs?: number };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    warnings.set('(not JSON)', (warnings.get('(not JSON)') ?? 0) + 1);
    return;
  }
  if (entry.statusPort !== undefined) statusPort = entry.statusPort;
  if (entry.msg === 'ready') {
    readyAt = performance.now();
    startupMs = entry.startupMs;
  }
  if (entry.level >= 40) warnings.set(entry.msg, (warnings.get(entry.msg) ?? 0) + 1);
});
await until(() => readyAt !== undefined, 'the daemon to become ready', 120_000);

async function status(): Promise<DaemonStatus> {
  const res = await fetch(`http://127.0.0.1:${statusPort}/status`);
  return (await res.json()) as DaemonStatus;
}

// Display output at the ship port: received reports and their $PMIBV statuses, counted by result and reason.
const displayStatuses: Record<string, number> = {};
const displayReports = { lines: 0 };
ship.onLine((line) => {
  if (line.startsWith('$PMIBV')) {
    const s = parseStatus(line);
    const key = s === undefined ? 'unparsed' : `${s.result}${s.reason === undefined || s.reason === '' ? '' : ` ${s.reason}`}`;
    displayStatuses[key] = (displayStatuses[key] ?? 0) + 1;
  } else displayReports.lines++;
});

await sleep(5_000);
const idle = sample(pid, 0, (await status()).memory);
log(`start-up to READY: ${((readyAt as number) - spawnedAt).toFixed(0)} ms from spawn (daemon start() to READY: ${startupMs} ms)`);
log(`idle: RSS ${f1(idle.mb.rss)} MB, heap ${f1(idle.mb.heapUsed)}/${f1(idle.mb.heapTotal)} MB, ArrayBuffers ${f1(idle.mb.arrayBuffers)} MB, WASM ${f1(idle.mb.wasm)} MB`);

const sent = { ship: 0, radio: 0 };
const sentByKind: Record<TrafficKind | 'own-ship' | 'gnss', number> = Object.fromEntries([...KINDS, 'own-ship', 'gnss'].map((k) => [k, 0])) as never;
let credit = 0;
let ownShipN = 0;
let nextOwnShipAt = 0;
let nextGnssAt = 0;
const sendShip = (line: string, kind: 'own-ship' | 'gnss'): void => {
  ship.send(line);
  sent.ship++;
  sentByKind[kind]++;
};
const generator = setInterval(() => {
  const perTick = (rate * GENERATOR_PERIOD_MS) / 1000;
  if (!secure || traffic === undefined) {
    for (let i = 0; i < perTick; i += 1) {
      ship.send(plainSentence('ship', sent.ship++));
      radio.send(plainSentence('radio', sent.radio++));
    }
    return;
  }
  const now = Date.now();
  if (now >= nextGnssAt) {
    sendShip(zda(now), 'gnss');
    nextGnssAt = now + 1_000;
  }
  if (now >= nextOwnShipAt) {
    for (const l of encodeVdm(encodeAis(positionReport(OWN_MMSI, ownShipN++)), { formatter: 'VDO', channel: '' })) sendShip(l, 'own-ship');
    nextOwnShipAt = now + OWN_SHIP_INTERVAL_MS;
  }
  // Whole AIS messages at `rate` lines/s on average: a message that overdraws the credit is paid by the next ticks.
  credit += perTick;
  while (credit > 0) {
    const { kind, lines } = traffic.next(now);
    for (const l of lines) radio.send(l);
    sent.radio += lines.length;
    sentByKind[kind] += lines.length;
    credit -= lines.length;
  }
}, GENERATOR_PERIOD_MS);

const loadStart = performance.now();
const seconds = (): number => (performance.now() - loadStart) / 1000;
const warmUpEnd = loadStart + warmUpMinutes * 60_000;
const endAt = warmUpEnd + minutes * 60_000;
const samples: MemorySample[] = [];
let cpuStart = cpuSeconds(pid);
let measuredFrom = loadStart;
let measuring = warmUpMinutes === 0;
while (performance.now() < endAt) {
  await sleep(Math.min(SAMPLE_INTERVAL_MS, Math.max(0, endAt - performance.now())));
  if (!measuring && performance.now() >= warmUpEnd) {
    measuring = true;
    cpuStart = cpuSeconds(pid);
    measuredFrom = performance.now();
    log('warm-up over: measuring');
  }
  const s = await status();
  const m = sample(pid, seconds(), s.memory);
  if (measuring) samples.push(m);
  const p = s.pipeline;
  log(
    `t=${m.t.toFixed(0)} s ${measuring ? '' : '(warm-up) '}RSS ${f1(m.mb.rss)} heap ${f1(m.mb.heapUsed)}/${f1(m.mb.heapTotal)} ext ${f1(m.mb.external)} AB ${f1(m.mb.arrayBuffers)} WASM ${f1(m.mb.wasm)} MB` +
      `  in ship/radio ${s.counters.lines.ship.in}/${s.counters.lines.radio.in}` +
      (secure ? `  verified ${p['rx.verified'] ?? 0} plain ${p['rx.plain'] ?? 0} secured-tx ${p['tx.secured'] ?? 0}` : '') +
      `  queued radio ${JSON.stringify(s.ports.radio?.queued)} ship ${JSON.stringify(s.ports.ship?.queued)}`,
  );
}
const loadEnd = performance.now();
const cpuEnd = cpuSeconds(pid);
clearInterval(generator);

// Let the paced output drain, then account for every line.
let lastOut = -1;
await until(
  () => {
    const out = ship.lines.length + radio.lines.length;
    const settled = out === lastOut;
    lastOut = out;
    return settled;
  },
  'the daemon to drain',
  60_000,
).catch(() => undefined);
await sleep(2_000);
const final = await status();
child.kill('SIGTERM');
const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));

const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
const nonZero = (r: Record<string, number> | undefined): Record<string, number> => Object.fromEntries(Object.entries(r ?? {}).filter(([, n]) => n > 0));
/** One direction: lines into the daemon, and its output to the far port. */
function direction(from: 'ship' | 'radio', to: 'ship' | 'radio', received: number) {
  const inputDrops: Record<string, number> = from === 'radio' && final.counters.radioInputDropped > 0 ? { 'input-queue-full': final.counters.radioInputDropped } : {};
  const d = {
    sent: sent[from],
    daemonIn: final.counters.lines[from].in,
    inputDrops,
    handedOut: final.counters.lines[to].out,
    received,
    drops: nonZero(final.ports[to]?.drops),
  };
  // Plain mode forwards line for line; in mode 2 the pipeline adds signatures and statuses and holds back carriers.
  const inOk = d.sent === d.daemonIn;
  const outOk = d.handedOut === d.received + sum(d.drops);
  const endToEnd = secure || d.sent === d.received + sum(d.drops) + sum(inputDrops);
  return { ...d, balanced: inOk && outOk && endToEnd };
}
const shipToRadio = direction('ship', 'radio', radio.lines.length);
const radioToShip = direction('radio', 'ship', ship.lines.length);
const cpuPct = ((cpuEnd - cpuStart) / ((loadEnd - measuredFrom) / 1000)) * 100;

const memoryMaxMb = unitMemoryMaxMb(join(root, 'deploy/mibc-ais.service'));
const summary = summarise(samples);
const rss = summary.rss;
const headroomMb = memoryMaxMb - rss.plateauMb;
/** A component whose slope would use the headroom up within a day fails a long enough soak. */
const measuredMinutes = (loadEnd - measuredFrom) / 60_000;
const fastGrowers = measuredMinutes >= SLOPE_VERDICT_MIN_MINUTES ? COMPONENTS.filter((c) => summary[c].slopeMbPerHour * 24 > headroomMb) : [];
const rssGrowthMb = rss.lastMb - rss.firstMb;

await ship.pullOut();
await radio.pullOut();
rmSync(dir, { recursive: true, force: true });

console.log('');
console.log(`soak (${secure ? 'secure, mode 2' : 'plain, mode 1'}): ${f1(measuredMinutes)} min measured after ${warmUpMinutes} min warm-up, ${samples.length} samples`);
console.log('  component        slope MB/h   2nd half MB/h   plateau MB   first → last MB');
for (const c of COMPONENTS) {
  const s = summary[c];
  console.log(
    `  ${c.padEnd(15)} ${s.slopeMbPerHour.toFixed(2).padStart(11)}   ${s.lateSlopeMbPerHour.toFixed(2).padStart(13)}   ${f1(s.plateauMb).padStart(10)}   ${f1(s.firstMb)} → ${f1(s.lastMb)}`,
  );
}
console.log(`  headroom vs MemoryMax=${memoryMaxMb} MB: ${f1(headroomMb)} MB (RSS plateau ${f1(rss.plateauMb)} MB)`);
console.log(`  CPU under load: ${cpuPct.toFixed(1)} % of one core`);
console.log(`  ship → radio: ${JSON.stringify(shipToRadio)}`);
console.log(`  radio → ship: ${JSON.stringify(radioToShip)}`);
if (secure) {
  console.log(`  radio lines sent by kind: ${JSON.stringify(sentByKind)}; this process signed for ${f1((traffic?.signingMs ?? 0) / 1000)} s`);
  console.log(`  receive pipeline: ${JSON.stringify(nonZero(Object.fromEntries(Object.entries(final.pipeline).filter(([k]) => k.startsWith('rx.')))))}`);
  console.log(`  display statuses by result/reason: ${JSON.stringify(displayStatuses)}; display report lines: ${displayReports.lines}`);
  console.log(`  transmit pipeline: ${JSON.stringify(nonZero(Object.fromEntries(Object.entries(final.pipeline).filter(([k]) => k.startsWith('tx.')))))}`);
}
console.log(`  bypassed own-ship lines: ${JSON.stringify(nonZero(final.counters.shipBypassed))}; withheld: ${JSON.stringify(nonZero(final.counters.shipWithheld))}; alarms at the end: ${final.alarms.map((a) => `${a.code}/${a.subject ?? ''}`).join(', ') || 'none'}`);
console.log(`  daemon exit code after SIGTERM: ${exitCode}; warnings logged: ${warnings.size === 0 ? 'none' : JSON.stringify(Object.fromEntries(warnings))}`);

const ok =
  shipToRadio.balanced && radioToShip.balanced && exitCode === 0 && headroomMb > 0 && fastGrowers.length === 0 && (secure || rssGrowthMb <= RSS_GROWTH_LIMIT_MB);
writeResults(`soak-${secure ? 'secure' : 'plain'}`, {
  command: `npm run soak -- ${process.argv.slice(2).join(' ')}`,
  mode: secure ? 2 : 1,
  rateLinesPerS: rate,
  warmUpMinutes,
  measuredMinutes,
  traffic: secure ? { ships: SHIPS, securedShips: SECURED_SHIPS, ownShipIntervalMs: OWN_SHIP_INTERVAL_MS, sentByKind } : undefined,
  startup: { readyFromSpawnMs: (readyAt as number) - spawnedAt, daemonStartupMs: startupMs },
  idleMb: idle.mb,
  memory: summary,
  memoryMaxMb,
  headroomMb,
  fastGrowers,
  cpuPercentOfOneCore: cpuPct,
  directions: { shipToRadio, radioToShip },
  receive: secure ? { pipeline: Object.fromEntries(Object.entries(final.pipeline).filter(([k]) => k.startsWith('rx.'))), displayStatuses, displayReportLines: displayReports.lines } : undefined,
  transmit: Object.fromEntries(Object.entries(final.pipeline).filter(([k]) => k.startsWith('tx.'))),
  shipBypassed: final.counters.shipBypassed,
  shipWithheld: final.counters.shipWithheld,
  alarms: final.alarms.map((a) => ({ code: a.code, subject: a.subject })),
  warnings: Object.fromEntries(warnings),
  exitCode,
  samples,
  pass: ok,
});
if (measuredMinutes < SLOPE_VERDICT_MIN_MINUTES) console.log(`  (slopes are reported, not judged, under ${SLOPE_VERDICT_MIN_MINUTES} measured minutes)`);
console.log(ok ? 'soak: PASS' : `soak: FAIL${fastGrowers.length > 0 ? ` (growing: ${fastGrowers.join(', ')})` : ''}`);
process.exit(ok ? 0 : 1);
