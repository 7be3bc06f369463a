/**
 * `mibc-ais tx` and `mibc-ais rx` (DESIGN.md §4): the secure pipeline as stdin→stdout filters of NMEA lines.
 *   tx: own-ship sentences in → secured sentences out (BBM/ABM for a transponder, or with `--emit vdm` what a
 *       receiver hears); everything else passes unaltered.
 *   rx: received sentences in → the original messages as VDM plus `$PMIBV` status sentences out.
 * Key files are those of firmware/keyfile.ts (`mibc-ais pkg` writes them). Summary counters go to stderr.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  GroupKeyFileSchema, IdentityKeyFileSchema, KeyFileError, ParamsFileSchema, parseKeyFile,
} from '../firmware/keyfile.js';
import { EMPTY_GROUP_POLICY, GroupPolicyFileSchema, type GroupPolicy } from '../firmware/group-policy.js';
import { GroupKeyRing, loadSystemParams, OwnIdentity, type SystemParams } from '../firmware/keyring.js';
import type { Mode } from '../firmware/pipeline.js';
import { SecureRx } from '../firmware/secure-rx.js';
import { rxClock } from './rx-clock.js';
import { TESLA_PRESETS } from '../firmware/amortised/index.js';
import { DEFAULT_TX_OPTIONS, SecureTx, TxError, type Auth, type PlainFallback, type TxFailure, type TxOptions } from '../firmware/secure-tx.js';
import { FileNonceStore } from '../hal/nonce-store-file.js';
import { checkTxSetup } from './tx-check.js';

export interface FilterIo {
  readonly input: Readable;
  readonly output: Writable;
  readonly errors: Writable;
  /** Milliseconds since 1970 (UTC) for each line. */
  readonly now: () => number;
}

/** A key-material file's bytes; an unreadable file is a KeyFileError naming it. */
export function readBytes(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new KeyFileError(what, `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
}

export function readText(path: string, what: string): string {
  return new TextDecoder().decode(readBytes(path, what));
}

export function loadParams(path: string): SystemParams {
  return loadSystemParams(parseKeyFile(ParamsFileSchema, readText(path, 'params'), `params ${path}`));
}

export function loadIdentity(params: SystemParams, path: string): OwnIdentity {
  return OwnIdentity.fromFile(params, parseKeyFile(IdentityKeyFileSchema, readText(path, 'key'), `key ${path}`));
}

export function loadGroupPolicy(path: string): GroupPolicy {
  return parseKeyFile(GroupPolicyFileSchema, readText(path, 'group policy'), `group policy ${path}`);
}

/** The group key ring: keys from `keysPath` (if any) under the group policy (default: none, so no hand-out installs). */
export function loadGroupKeys(keysPath: string | undefined, policy: GroupPolicy = EMPTY_GROUP_POLICY): GroupKeyRing {
  if (keysPath === undefined) return new GroupKeyRing(policy);
  return GroupKeyRing.fromFile(parseKeyFile(GroupKeyFileSchema, readText(keysPath, 'group keys'), `group keys ${keysPath}`), policy);
}

/**
 * Runs `handle` on every input line and `tick` once a second while input is open: amortised authentication sends its
 * batches and keys, and closes pending reports, when time passes, not only when a line arrives.
 */
async function eachLine(io: FilterIo, handle: (line: string, now: number) => string[], tick: (now: number) => string[]): Promise<void> {
  const lines = createInterface({ input: io.input, crlfDelay: Infinity });
  const ticker = setInterval(() => {
    for (const out of tick(io.now())) io.output.write(`${out}\r\n`);
  }, 1000);
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      const now = io.now();
      for (const out of [...handle(line, now), ...tick(now)]) {
        // Respect back-pressure so a slow consumer cannot make us buffer the whole input.
        if (!io.output.write(`${out}\r\n`)) await once(io.output, 'drain');
      }
    }
  } finally {
    clearInterval(ticker);
  }
}

const int = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer ${min}..${max}`);
  return n;
};

export interface TxCliOptions {
  mode: number;
  params: string;
  key?: string;
  pseudoKey?: string;
  groupKeys?: string;
  nonceState?: string;
  instance?: number;
  groupPolicy?: string;
  to?: number;
  topology: 'inline' | 'attached';
  emit: 'bbm' | 'vdm';
  signature: 'compact' | 'full';
  dac: number;
  fi: number;
  own: 'vdo' | 'any';
  maxSlots: number;
  auth: Auth;
  tesla: keyof typeof TESLA_PRESETS;
  plainFallback?: PlainFallback;
}

const ACTION_TEXT: Record<TxFailure['action'], string> = {
  'sent-plain': 'sent plain',
  'sent-pseudonymous': 'sent unsigned under the pseudonym',
  dropped: 'dropped',
};

/** One stderr line per own-ship message that was not secured: what became of it, and why. */
export function formatTxFailure(f: TxFailure): string {
  const what = f.type === undefined ? '' : ` (message ${f.type} of ${f.mmsi})`;
  return `tx: ${ACTION_TEXT[f.action]}${what}: ${f.code}: ${f.message}\n`;
}

/**
 * Runs the filter. Setup problems (keys, usage) throw before the first line is read; the returned SecureTx's
 * `counters.failed` says whether any own-ship message was not secured (the command then exits 3).
 */
export async function runTx(o: TxCliOptions, io: FilterIo): Promise<SecureTx> {
  if (o.auth === 'amortised' && o.mode !== 2 && o.mode !== 3) {
    throw new TxError('UNSUPPORTED', `--auth amortised authenticates modes 2 and 3, not mode ${o.mode}`);
  }
  const params = loadParams(o.params);
  const options: Partial<TxOptions> = {
    mode: o.mode as Mode, topology: o.topology, emit: o.emit, signatureForm: o.signature, dac: o.dac, fi: o.fi,
    ownShip: o.own, maxSlotsPerMessage: o.maxSlots, auth: o.auth, tesla: TESLA_PRESETS[o.tesla],
    ...(o.plainFallback === undefined ? {} : { plainFallback: o.plainFallback }),
    // A filter runs on the operator's clock (the system's, or --now): it is the operator's to trust.
    timeTrusted: true,
    ...(o.instance === undefined ? {} : { nonce: { instance: o.instance } }),
    ...(o.to === undefined ? {} : { to: o.to }),
  };
  const identity = o.key === undefined ? undefined : loadIdentity(params, o.key);
  const pseudo = o.pseudoKey === undefined ? undefined : loadIdentity(params, o.pseudoKey);
  const groupKeys = o.groupKeys || o.groupPolicy ? loadGroupKeys(o.groupKeys, o.groupPolicy ? loadGroupPolicy(o.groupPolicy) : undefined) : undefined;
  const nonceState = o.mode === 5 && o.nonceState !== undefined ? new FileNonceStore(o.nonceState) : undefined;
  const tx = new SecureTx(options, {
    params,
    ...(identity ? { identity } : {}),
    ...(pseudo ? { pseudo } : {}),
    ...(groupKeys ? { groupKeys } : {}),
    ...(nonceState ? { nonceState } : {}),
  });
  // The mode's own refusals (mode 3 on a transponder, amortised mode 3) came from the constructor above.
  checkTxSetup({
    options: { ...DEFAULT_TX_OPTIONS, ...options },
    params,
    nowMs: io.now(),
    ...(identity && o.key ? { identity: { key: identity, path: o.key } } : {}),
    ...(pseudo && o.pseudoKey ? { pseudo: { key: pseudo, path: o.pseudoKey } } : {}),
    ...(groupKeys ? { groupKeys: { ring: groupKeys, path: o.groupKeys ?? '(none)' } } : {}),
    ...(o.nonceState === undefined ? {} : { nonceState: o.nonceState }),
  });
  // An unreadable record stops the start here rather than every report later.
  nonceState?.load();
  tx.onFailure = (f) => io.errors.write(formatTxFailure(f));
  await eachLine(
    io,
    (line, now) => tx.push(line, now).map((l) => l.line),
    (now) => tx.tick(now).map((l) => l.line),
  );
  const c = tx.counters;
  const reasons = Object.entries(c.byReason).map(([k, v]) => `${k}=${v}`).join(' ');
  io.errors.write(
    `tx: ${c.secured} secured into ${c.messages} messages, ${c.passed} passed unaltered (${c.echoes} our own echoed back)` +
      (c.failed > 0 ? `; ${c.failed} NOT secured: ${c.sentPlain} sent unsecured, ${c.dropped} dropped (${reasons})` : '') + '\n',
  );
  return tx;
}

export interface RxCliOptions {
  params: string;
  key?: string;
  groupKeys?: string;
  groupPolicy?: string;
  policy: 'flag' | 'drop';
  window: number;
  dac: number;
  fi: number;
  /** `now` (default: the FilterIo clock), `tagblock` or `fixed:<time>` (rx-clock.ts). */
  clock?: string;
  /** The clock is confirmed within the amortised scheme's bound (a GNSS-disciplined system clock, a trusted log). */
  trustClock?: boolean;
  /** off: no verification budget, for checking a recorded file at one fixed time (docs/verification-budget.md). */
  verifyBudget?: 'on' | 'off';
}

export async function runRx(o: RxCliOptions, io: FilterIo): Promise<SecureRx> {
  const params = loadParams(o.params);
  const clock = rxClock(o.clock ?? 'now', io.now);
  const rx = new SecureRx(
    {
      policy: o.policy, freshnessWindowS: o.window, dac: o.dac, fi: o.fi, clockTrusted: o.trustClock === true,
      ...(o.verifyBudget === 'off' ? { verifyBudget: false as const } : {}),
    },
    {
      params,
      ...(o.key ? { identity: loadIdentity(params, o.key) } : {}),
      groupKeys: loadGroupKeys(o.groupKeys, o.groupPolicy ? loadGroupPolicy(o.groupPolicy) : undefined),
    },
  );
  await eachLine(
    io,
    (line) => {
      const at = clock.at(line);
      return at === undefined ? rx.refuse('NO_TIME') : rx.push(line, at);
    },
    () => {
      const at = clock.tick();
      return at === undefined ? [] : rx.tick(at);
    },
  );
  const c = rx.counters;
  const rejected = Object.entries(c.rejected).map(([k, v]) => `${k}=${v}`).join(' ');
  io.errors.write(
    `rx: ${c.verified} verified, ${c.pending} shown pending, ${c.unconfirmed} unconfirmed (clock), ${c.decrypted} decrypted, ${c.keysInstalled} keys installed, ${c.plain} plain, ${c.malformedLines} malformed lines` +
      (rejected ? `; rejected: ${rejected}` : '') + '\n',
  );
  return rx;
}

function clockOption(): Option {
  return new Option('--now <time>', 'fixed UTC time for every line (ISO 8601 or ms since 1970); default: the system clock');
}

function nowFrom(v: string | undefined): () => number {
  if (v === undefined) return () => Date.now();
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`--now: not a time: ${v}`);
  return () => ms;
}

async function guarded(run: () => Promise<unknown>): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  try {
    await run();
  } catch (e) {
    if (e instanceof Error && 'code' in e) {
      process.stderr.write(`mibc-ais: ${(e as { code: string }).code}: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

export function txCommand(): Command {
  return new Command('tx')
    .description('secure own-ship AIS sentences (stdin) for transmission (stdout); exit 3 when any was not secured')
    .requiredOption('--mode <n>', 'mode 1 plain, 2 authenticated, 3 anonymous, 4 encrypted to --to, 5 group-encrypted', int('mode', 1, 5))
    .requiredOption('--params <file>', 'system parameters (mibc-ais-params JSON)')
    .option('--key <file>', 'this vessel\'s identity keys (modes 2, 4)')
    .option('--pseudo-key <file>', 'pseudo-MMSI keys (mode 3)')
    .option('--group-keys <file>', 'group keys (mode 5)')
    .option('--group-policy <file>', 'group policy (mibc-ais-group-policy): groups this vessel sends in (docs/group-keys.md)')
    .option('--nonce-state <file>', 'mode 5: the record of nonces used (created if missing; keep it between runs)')
    .option('--instance <n>', 'mode 5: this sender\'s instance byte, distinct per appliance sharing an MMSI (default: saved, else random)', int('--instance', 0, 255))
    .option('--to <mmsi>', 'destination vessel (mode 4)', int('--to', 0, 999_999_999))
    .addOption(new Option('--topology <t>', 'inline: replace own-ship messages; attached: add signatures beside them').choices(['inline', 'attached']).default('inline'))
    .addOption(new Option('--emit <form>', 'bbm: BBM/ABM for a transponder; vdm: what receivers hear (mode 3 needs vdm)').choices(['bbm', 'vdm']).default('bbm'))
    .addOption(new Option('--signature <form>', 'BLMQ challenge length').choices(['compact', 'full']).default('compact'))
    .addOption(new Option('--own <which>', 'own-ship sentences: vdo (a transponder port) or any AIS sentence').choices(['vdo', 'any']).default('vdo'))
    .addOption(
      new Option('--plain-fallback <p>', 'modes 2, 3: a report that cannot be signed goes out unsigned (on-failure) or not at all (never); modes 4, 5 never')
        .choices(['on-failure', 'never'])
        .default('on-failure'),
    )
    .option('--dac <n>', 'application DAC (0 = test)', int('--dac', 0, 1023), 0)
    .option('--fi <n>', 'application FI', int('--fi', 0, 63), 58)
    .option('--max-slots <n>', 'largest message in slots (3 for a mobile station)', int('--max-slots', 1, 5), 3)
    .addOption(
      new Option('--auth <a>', 'per-message: a signature per report; amortised: plain reports, TESLA batches under a signed anchor (mode 2)')
        .choices(['per-message', 'amortised'])
        .default('per-message'),
    )
    .addOption(new Option('--tesla <preset>', 'amortised chain parameters (docs/amortised-auth.md §2)').choices(['latency', 'load']).default('latency'))
    .addOption(clockOption())
    .action(async (o: TxCliOptions & { now?: string }) =>
      guarded(async () => {
        const tx = await runTx(o, { input: process.stdin, output: process.stdout, errors: process.stderr, now: nowFrom(o.now) });
        if (tx.counters.failed > 0) process.exitCode = 3;
      }),
    );
}

export function rxCommand(): Command {
  return new Command('rx')
    .description('verify/decrypt received AIS sentences (stdin); originals and $PMIBV status sentences out (stdout)')
    .requiredOption('--params <file>', 'system parameters (mibc-ais-params JSON)')
    .option('--key <file>', 'this vessel\'s identity keys (to decrypt mode 4)')
    .option('--group-keys <file>', 'group keys (mode 5)')
    .option('--group-policy <file>', 'group policy (mibc-ais-group-policy): who may hand out group keys in mode 4; without it none is installed')
    .addOption(new Option('--policy <p>', 'plain traffic: flag (forward with a U status) or drop').choices(['flag', 'drop']).default('flag'))
    .option('--window <s>', 'freshness window in seconds', int('--window', 0, 31), 30)
    .option('--dac <n>', 'application DAC (0 = test)', int('--dac', 0, 1023), 0)
    .option('--fi <n>', 'application FI', int('--fi', 0, 63), 58)
    .addOption(new Option('--verify-budget <b>', 'limit signature checks per sender and in total (off: a recorded file at one --now)').choices(['on', 'off']).default('on'))
    .addOption(clockOption())
    .option('--clock <clock>', 'time each line is checked against: now (system clock), tagblock (its TAG-block c: time) or fixed:<time>')
    .option('--trust-clock', 'the clock is confirmed within the amortised scheme\'s bound (GNSS-disciplined, or a trusted log); without it amortised reports stay P')
    .action(async (o: RxCliOptions & { now?: string }) =>
      guarded(() => {
        if (o.clock !== undefined && o.now !== undefined) throw new InvalidArgumentError('--now and --clock: give one');
        return runRx(o, { input: process.stdin, output: process.stdout, errors: process.stderr, now: nowFrom(o.now) });
      }),
    );
}
