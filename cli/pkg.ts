/**
 * `mibc-ais pkg …` (DESIGN.md §4): the authority's PKG on the command line — setup, extract, pseudonym,
 * group-key, permit, card-write, revoke and audit. The work is in provisioning/pkg; this file reads options and files,
 * writes results atomically (0600, never over an existing file without --force) before the PKG records them, and
 * prints one JSON summary line per command on stdout, never a secret.
 * The passphrase comes from --passphrase-file or MIBC_PKG_PASSPHRASE, never from an argument: arguments are
 * visible to every user in `ps`.
 */
import * as fsp from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import { vesselMrn } from '../crypto/index.js';
import { GroupPolicyFileSchema } from '../firmware/group-policy.js';
import { KeyFileError, parseKeyFile } from '../firmware/keyfile.js';
import { PcscKeyToken } from '../hal/token-pcsc.js';
import { TokenError, type Transmit } from '../hal/token.js';
import { writePermitToCard } from '../provisioning/card-writer.js';
import {
  DEFAULT_PKG_ENV, DEFAULT_POLICY_DAYS, DEFAULT_SCRYPT_LOG_N, MAX_EPOCHS_PER_EXTRACT, MAX_GROUP_KEY_HOURS, MAX_POLICY_DAYS, MAX_SCRYPT_LOG_N, MIN_SCRYPT_LOG_N, PKG_FILES, Pkg, PkgError, parseDeviceKey, parseKeyInput, readInput, setupPkg,
  writeFileAtomic, type ExtractTarget, type GroupKeyResult, type PkgEnv,
} from '../provisioning/pkg/index.js';
import { intArg, ranged } from './args.js';

/** A card reader the writer can use: PC/SC by default, injectable for tests. */
export interface CardReader {
  readonly transmit: Transmit;
  close(): Promise<void>;
}

export interface PkgCliIo {
  readonly env: PkgEnv;
  readonly getenv: (name: string) => string | undefined;
  readonly out: Writable;
  readonly err: Writable;
  /** Waits up to `waitMs` for a card in a reader matching `reader`. */
  readonly openCard: (reader: RegExp | undefined, waitMs: number) => Promise<CardReader>;
  /** Records the exit status of a failed command (process.exitCode; tests capture it instead). */
  readonly fail: (status: number) => void;
}

async function openPcscCard(reader: RegExp | undefined, waitMs: number): Promise<CardReader> {
  const token = await PcscKeyToken.open(reader === undefined ? {} : { reader });
  if (!token.present) {
    const inserted = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), waitMs);
      token.once('inserted', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!inserted) {
      await token.close();
      throw new TokenError('TOKEN_ABSENT', `no card in a ${reader ? `reader matching ${reader}` : 'PC/SC reader'} within ${waitMs} ms`);
    }
  }
  return { transmit: token.transmit, close: () => token.close() };
}

export const DEFAULT_PKG_CLI_IO: PkgCliIo = {
  env: DEFAULT_PKG_ENV,
  getenv: (name) => process.env[name],
  out: process.stdout,
  err: process.stderr,
  openCard: openPcscCard,
  fail: (status) => {
    process.exitCode = status;
  },
};

export const PASSPHRASE_ENV = 'MIBC_PKG_PASSPHRASE';

/** A secret from a file: the whole content without one trailing newline (editors add one). */
async function readSecretFile(file: string, what: string): Promise<string> {
  return (await readInput(file, what)).replace(/\r?\n$/, '');
}

async function passphrase(opts: { passphraseFile?: string }, io: PkgCliIo): Promise<string> {
  if (opts.passphraseFile !== undefined) return readSecretFile(opts.passphraseFile, 'passphrase file');
  const env = io.getenv(PASSPHRASE_ENV);
  if (env !== undefined && env.length > 0) return env;
  throw new PkgError('PKG_PASSPHRASE_MISSING', `give --passphrase-file FILE or set ${PASSPHRASE_ENV}`);
}

const int = intArg;
const mmsiArg = (name: string) => int(name, 0, 999_999_999);
const mmsiList = ranged('list of 0..999999999', (v: string) => v.split(',').map((s) => mmsiArg('--to')(s.trim())));
/** `--epoch current` is resolved against the PKG clock once the PKG is open. */
const epochArg = ranged('0..4294967295 or current', (v: string): number | 'current' => (v === 'current' ? v : int('--epoch', 0, 0xffff_ffff)(v)));

/** Runs an action; typed and file-system errors become one line on stderr and exit status 1, anything else propagates. */
function action<A extends unknown[]>(io: PkgCliIo, name: string, fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof PkgError || err instanceof TokenError || err instanceof KeyFileError) {
        const code = err.code;
        io.err.write(`mibc-ais pkg ${name}: ${err.message.startsWith(code) ? err.message : `${code}: ${err.message}`}\n`);
        io.fail(1);
        return;
      }
      // A file-system failure outside the outputs (register, vault, lock): one line, never a stack trace.
      const io_ = err as NodeJS.ErrnoException;
      if (io_ instanceof Error && typeof io_.code === 'string' && typeof io_.syscall === 'string') {
        io.err.write(`mibc-ais pkg ${name}: ${io_.code}: ${io_.message}\n`);
        io.fail(1);
        return;
      }
      throw err;
    }
  };
}

async function withPkg<T>(dir: string, opts: { passphraseFile?: string }, io: PkgCliIo, fn: (pkg: Pkg) => Promise<T>): Promise<T> {
  const pkg = await Pkg.open(dir, await passphrase(opts, io), io.env);
  try {
    return await fn(pkg);
  } finally {
    await pkg.close();
  }
}

function print(io: PkgCliIo, summary: Record<string, unknown>): void {
  io.out.write(`${JSON.stringify(summary)}\n`);
}

const head = (pkg: Pkg) => ({
  seq: pkg.register.entries.length,
  head: pkg.register.head,
  ...(pkg.anchorReport.recovered > 0 ? { recovered: pkg.anchorReport.recovered } : {}),
  ...(pkg.anchorReport.upgraded ? { anchored: true } : {}),
});
const jsonText = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Refuses, before any work, outputs that exist (without --force) or that name one file twice. */
async function checkOutputs(files: readonly string[], force: boolean | undefined): Promise<void> {
  if (new Set(files.map((f) => resolve(f))).size !== files.length) throw new PkgError('PKG_INPUT', `the output files must differ: ${files.join(', ')}`);
  if (force === true) return;
  for (const f of files) {
    const there = await fsp.lstat(f).then(
      () => true,
      () => false,
    );
    if (there) throw new PkgError('PKG_OUTPUT_EXISTS', `${f} exists; give --force to replace it`);
  }
}

/** Writes one output atomically, 0600; a failure becomes one typed line naming the path and the cause. */
async function writeOut(file: string, data: string | Uint8Array, force: boolean | undefined): Promise<void> {
  try {
    await writeFileAtomic(file, data, { overwrite: force === true });
  } catch (cause) {
    const e = cause as NodeJS.ErrnoException;
    if (e.code === 'EEXIST') throw new PkgError('PKG_OUTPUT_EXISTS', `${file} exists; give --force to replace it`, { cause });
    // Node's message names the temporary file; the operator needs the path they gave and the reason.
    const reason = /^[A-Z0-9]+: ([^,]+)/.exec(e.message)?.[1] ?? e.message;
    throw new PkgError('PKG_OUTPUT', `cannot write ${file}: ${e.code === undefined ? reason : `${e.code} (${reason})`}`, { cause });
  }
}

const forceOpt = () => new Option('--force', 'replace output files that exist (never done without it)');

export function pkgCommand(io: PkgCliIo = DEFAULT_PKG_CLI_IO): Command {
  const pkg = new Command('pkg').description("the authority's PKG: master secret, key extraction, pseudonyms, group keys, key permits");
  const dirOpt = () => new Option('--dir <dir>', 'PKG directory').makeOptionMandatory();
  const passOpt = () => new Option('--passphrase-file <file>', `file holding the vault passphrase (else $${PASSPHRASE_ENV})`);

  pkg
    .command('setup')
    .description('create master secret, public parameters, root and issuer keys in DIR (never overwrites)')
    .addOption(dirOpt())
    .addOption(passOpt())
    .option('--epoch-days <n>', 'key epoch length in days', int('--epoch-days', 1, 366), 30)
    .option('--issuer-id <id>', 'issuer id in the issuer certificate (A-Z, 0-9, -)', 'PKG-1')
    .option('--issuer-days <n>', 'validity of the issuer certificate in days', int('--issuer-days', 1, 3650), 1095)
    .option('--authority-mmsi <mmsi>', "the authority's coast-station MMSI: default signer of group-key hand-outs", mmsiArg('--authority-mmsi'))
    .option('--scrypt-log-n <n>', 'scrypt cost exponent for the vault', int('--scrypt-log-n', MIN_SCRYPT_LOG_N, MAX_SCRYPT_LOG_N), DEFAULT_SCRYPT_LOG_N)
    .action(
      action(io, 'setup', async (o: { dir: string; passphraseFile?: string; epochDays: number; issuerId: string; issuerDays: number; authorityMmsi?: number; scryptLogN: number }) => {
        const r = await setupPkg(
          {
            dir: o.dir, passphrase: await passphrase(o, io), epochDays: o.epochDays, issuerId: o.issuerId, issuerValidityDays: o.issuerDays,
            scryptLogN: o.scryptLogN, ...(o.authorityMmsi === undefined ? {} : { authorityMmsi: o.authorityMmsi }),
          },
          io.env,
        );
        print(io, { command: 'setup', dir: o.dir, params: PKG_FILES.params, rootPublicKey: r.rootPublicKey, rootFingerprint: r.rootFingerprint, register: { seq: 1, head: r.head } });
      }),
    );

  pkg
    .command('extract')
    .description('write the identity keys (mibc-ais-identity-keys) of an MMSI, an issued pseudo-MMSI, or an MRN bound to an MMSI')
    .addOption(dirOpt())
    .addOption(passOpt())
    .option('--mmsi <mmsi>', 'on-air MMSI', mmsiArg('--mmsi'))
    .option('--pseudo <mmsi>', 'a pseudo-MMSI issued by `pkg pseudonym`', mmsiArg('--pseudo'))
    .option('--mrn <urn>', "the vessel's MCP vessel MRN: with --mmsi binds them; alone uses the MMSI it is bound to")
    .requiredOption('--epoch <e>', 'first key epoch, or "current"', epochArg)
    .option('--epochs <k>', 'number of consecutive epochs', int('--epochs', 1, MAX_EPOCHS_PER_EXTRACT), 1)
    .requiredOption('--out <file>', 'identity key file to write')
    .addOption(forceOpt())
    .action(
      action(io, 'extract', async (o: { dir: string; passphraseFile?: string; mmsi?: number; pseudo?: number; mrn?: string; epoch: number | 'current'; epochs: number; out: string; force?: boolean }) => {
        const given = [o.mmsi, o.pseudo, o.mrn].filter((x) => x !== undefined).length;
        if (given === 0 || (o.pseudo !== undefined && given > 1)) throw new PkgError('PKG_INPUT', 'give --mmsi (optionally with --mrn), --mrn alone, or --pseudo');
        await checkOutputs([o.out], o.force);
        await withPkg(o.dir, o, io, async (p) => {
          const epoch = o.epoch === 'current' ? p.currentEpoch() : o.epoch;
          let target: ExtractTarget;
          if (o.pseudo !== undefined) target = { kind: 'pseudo-mmsi', mmsi: o.pseudo };
          else if (o.mmsi !== undefined) target = { kind: 'mmsi', mmsi: o.mmsi, ...(o.mrn === undefined ? {} : { mrn: o.mrn }) };
          else {
            // An MRN alone means the MMSI it is already bound to; the first extraction must name both.
            const bound = p.boundMmsi(o.mrn as string);
            if (bound === undefined) throw new PkgError('PKG_INPUT', `${o.mrn} is not bound to an MMSI yet: give --mmsi too`);
            target = { kind: 'mmsi', mmsi: bound, mrn: o.mrn as string };
          }
          const file = await p.extract(target, epoch, o.epochs, (f) => writeOut(o.out, jsonText(f), o.force));
          print(io, { command: 'extract', identity: file.identity, epochs: file.keys.map((k) => k.epoch), out: o.out, register: head(p) });
        });
      }),
    );

  pkg
    .command('pseudonym')
    .description('issue a pseudo-MMSI for a vessel (mapping kept sealed in the register) and write its identity keys')
    .addOption(dirOpt())
    .addOption(passOpt())
    .requiredOption('--for-mmsi <mmsi>', 'the real MMSI of the vessel', mmsiArg('--for-mmsi'))
    .option('--epoch <e>', 'first key epoch, or "current"', epochArg, 'current' as const)
    .option('--epochs <k>', 'number of consecutive epochs', int('--epochs', 1, MAX_EPOCHS_PER_EXTRACT), 1)
    .requiredOption('--out <file>', 'identity key file to write')
    .addOption(forceOpt())
    .action(
      action(io, 'pseudonym', async (o: { dir: string; passphraseFile?: string; forMmsi: number; epoch: number | 'current'; epochs: number; out: string; force?: boolean }) => {
        await checkOutputs([o.out], o.force);
        await withPkg(o.dir, o, io, async (p) => {
          const epoch = o.epoch === 'current' ? p.currentEpoch() : o.epoch;
          const r = await p.pseudonym(o.forMmsi, epoch, o.epochs, (x) => writeOut(o.out, jsonText(x.keys), o.force));
          // The vessel is not repeated here: stdout ends up in logs and tickets; `pkg audit --who` tells the authority.
          print(io, { command: 'pseudonym', pseudo: r.pseudo, epochs: r.keys.keys.map((k) => k.epoch), out: o.out, register: head(p) });
        });
      }),
    );

  pkg
    .command('group-key')
    .description('new mode-5 group key and its signed mode-4 hand-out to each MMSI')
    .addOption(dirOpt())
    .addOption(passOpt())
    .option('--group <id>', 'group id the key belongs to', int('--group', 0, 0xffff), 0)
    .requiredOption('--to <mmsi,...>', 'recipient MMSIs, comma-separated', mmsiList)
    .requiredOption('--valid-hours <h>', 'validity from now in hours', int('--valid-hours', 1, MAX_GROUP_KEY_HOURS))
    .option('--issuer-mmsi <mmsi>', 'MMSI that signs the hand-out (default: --authority-mmsi of setup)', mmsiArg('--issuer-mmsi'))
    .addOption(new Option('--emit <form>', 'VDM (what receivers hear) or ABM (for our radio)').choices(['vdm', 'abm']).default('vdm'))
    .requiredOption('--out-keys <file>', 'group key file (mibc-ais-group-keys) to write')
    .requiredOption('--out-nmea <file>', 'NMEA sentences to write')
    .option('--out-policy <file>', 'group policy (mibc-ais-group-policy) authorising the issuer for the group, for `pkg permit --group-policy`')
    .option('--policy-days <n>', "the issuer's term in that policy, in days from now", int('--policy-days', 1, MAX_POLICY_DAYS), DEFAULT_POLICY_DAYS)
    .addOption(forceOpt())
    .action(
      action(io, 'group-key', async (o: {
        dir: string; passphraseFile?: string; group: number; to: number[]; validHours: number; issuerMmsi?: number; emit: 'vdm' | 'abm';
        outKeys: string; outNmea: string; outPolicy?: string; policyDays: number; force?: boolean;
      }) => {
        const outputs = [o.outKeys, o.outNmea, ...(o.outPolicy === undefined ? [] : [o.outPolicy])];
        await checkOutputs(outputs, o.force);
        await withPkg(o.dir, o, io, async (p) => {
          // All files or none: a key file without its hand-out (or the reverse) is not what was recorded.
          const writeAll = async (x: GroupKeyResult) => {
            const texts = [jsonText(x.keys), `${x.lines.join('\r\n')}\r\n`, ...(o.outPolicy === undefined ? [] : [jsonText(x.policy)])];
            const done: string[] = [];
            try {
              for (const [i, file] of outputs.entries()) {
                await writeOut(file, texts[i] as string, o.force);
                done.push(file);
              }
            } catch (e) {
              if (o.force !== true) for (const f of done) await fsp.unlink(f).catch(() => undefined);
              throw e;
            }
          };
          const r = await p.groupKey(
            { group: o.group, to: o.to, hours: o.validHours, emit: o.emit, policyDays: o.policyDays, ...(o.issuerMmsi === undefined ? {} : { issuerMmsi: o.issuerMmsi }) },
            writeAll,
          );
          const k = r.keys.keys[0];
          print(io, {
            command: 'group-key', group: o.group, keyId: k?.keyId, notBefore: k?.notBefore, notAfter: k?.notAfter, to: o.to, sentences: r.lines.length,
            outKeys: o.outKeys, outNmea: o.outNmea, ...(o.outPolicy === undefined ? {} : { outPolicy: o.outPolicy }), register: head(p),
          });
        });
      }),
    );

  pkg
    .command('permit')
    .description('key permit for one appliance from key files, signed by the issuer')
    .addOption(dirOpt())
    .addOption(passOpt())
    .requiredOption('--device-key <file>', "the appliance's X25519 public key (mibc-ais-device-key JSON or 64 hex digits)")
    .requiredOption('--keys <files...>', 'identity and group key files')
    .option('--group-policy <file>', 'group policy (mibc-ais-group-policy): groups the appliance is in and who may hand out their keys; without it no hand-out is installed')
    .requiredOption('--out <file>', 'permit file to write')
    .addOption(forceOpt())
    .action(
      action(io, 'permit', async (o: { dir: string; passphraseFile?: string; deviceKey: string; keys: string[]; groupPolicy?: string; out: string; force?: boolean }) => {
        const device = parseDeviceKey(await readInput(o.deviceKey, 'device key'));
        const files = await Promise.all(o.keys.map(async (f) => parseKeyInput(await readInput(f, 'key file'), f)));
        const policy = o.groupPolicy === undefined ? undefined : parseKeyFile(GroupPolicyFileSchema, await readInput(o.groupPolicy, 'group policy'), o.groupPolicy);
        await checkOutputs([o.out], o.force);
        await withPkg(o.dir, o, io, async (p) => {
          const permit = await p.permit(device, files, policy, (x) => writeOut(o.out, x, o.force));
          const last = p.register.entries.at(-1);
          print(io, { command: 'permit', bytes: permit.length, ...(last?.type === 'permit' ? last.data : {}), out: o.out, register: head(p) });
        });
      }),
    );

  pkg
    .command('card-write')
    .description('write a permit file to a smart card through PC/SC, then read it back')
    .requiredOption('--permit <file>', 'permit file')
    .requiredOption('--admin-pin-file <file>', "file holding the card's admin PIN")
    .option('--reader <regexp>', 'use the reader whose name matches')
    .option('--wait <seconds>', 'how long to wait for a card', int('--wait', 0, 600), 10)
    .action(
      action(io, 'card-write', async (o: { permit: string; adminPinFile: string; reader?: string; wait: number }) => {
        let permit: Uint8Array;
        try {
          permit = new Uint8Array(await fsp.readFile(o.permit));
        } catch (cause) {
          throw new PkgError('PKG_INPUT', `cannot read permit ${o.permit}`, { cause });
        }
        const pin = await readSecretFile(o.adminPinFile, 'admin PIN file');
        const card = await io.openCard(o.reader === undefined ? undefined : new RegExp(o.reader), o.wait * 1000);
        try {
          await writePermitToCard(card.transmit, permit, pin);
        } finally {
          await card.close();
        }
        print(io, { command: 'card-write', bytes: permit.length, verified: true });
      }),
    );

  pkg
    .command('revoke')
    .description("withdraw a vessel's standing: its MCP vessel MRN gets no further renewal or group subscription through SECOM")
    .addOption(dirOpt())
    .addOption(passOpt())
    .requiredOption('--mrn <urn>', "the vessel's MCP vessel MRN (case variants are the same vessel)")
    .requiredOption('--reason <text>', 'why, for the register (1..200 characters)')
    .action(
      action(io, 'revoke', async (o: { dir: string; passphraseFile?: string; mrn: string; reason: string }) => {
        if (o.reason.trim().length < 1 || o.reason.length > 200) throw new PkgError('PKG_INPUT', `--reason must be 1..200 characters, got ${o.reason.length}`);
        let canonical: string;
        try {
          canonical = vesselMrn(o.mrn).canonical;
        } catch (cause) {
          throw new PkgError('PKG_INPUT', `--mrn: ${(cause as Error).message}`, { cause });
        }
        await withPkg(o.dir, o, io, async (p) => {
          await p.revoke(canonical, o.reason);
          print(io, { command: 'revoke', mrn: canonical, revoked: p.register.revokedMrns.size, register: head(p) });
        });
      }),
    );

  pkg
    .command('audit')
    .description('verify the register log and summarise it; --who tells the vessel behind a pseudonym')
    .addOption(dirOpt())
    .addOption(passOpt())
    .option('--who <pseudo>', 'pseudo-MMSI to resolve', mmsiArg('--who'))
    .action(
      action(io, 'audit', async (o: { dir: string; passphraseFile?: string; who?: number }) => {
        await withPkg(o.dir, o, io, async (p) => {
          const r = p.register;
          if (r.mrnConflicts.length > 0) {
            const list = r.mrnConflicts.map((c) => `${c.mrn} → ${c.mmsis.join(', ')}`).join('; ');
            throw new PkgError('PKG_CONFLICT', `the register binds one vessel MRN to more than one MMSI: ${list}`);
          }
          const counts: Record<string, number> = {};
          for (const e of r.entries) counts[e.type] = (counts[e.type] ?? 0) + 1;
          print(io, {
            command: 'audit', verified: true, entries: counts, pseudonyms: r.pseudonyms.size, mrnBindings: r.mrnBindings.size, register: head(p),
            ...(o.who === undefined ? {} : { pseudo: o.who, vessel: p.lookupPseudonym(o.who) }),
          });
        });
      }),
    );
  return pkg;
}
