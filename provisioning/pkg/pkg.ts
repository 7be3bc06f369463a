/**
 * The IMO-mIBC-PKG (paper §4.1 setup, §4.2 extraction) as the authority's tool, with the S-63 process shape of
 * DESIGN.md §3: a root key (S-63's Scheme Administrator) certifies an issuer key (the Data Server), which signs the
 * key permits that carry extracted keys to one appliance.
 *
 * A PKG directory holds
 *   params.json     mibc-ais-params: the public parameters every appliance needs (public)
 *   authority.json  mibc-ais-pkg-authority: root public key, issuer id and certificate (public)
 *   vault.json      mibc-ais-pkg-vault: master secret, root and issuer secret keys, register key, and the
 *                   anchor of the register's head (vault.ts)
 *   register.jsonl  the registers as an authenticated append-only log (register.ts)
 * Every operation that changes a register opens the vault, so it needs the passphrase; the clock and randomness
 * are injected (PkgEnv) so tests are deterministic.
 *
 * Order of writes for everything issued (argued in docs/pkg.md, "Crash safety"): the issued file first (the
 * caller's `write`, atomic and 0600), then the register entries (one append, fsync), then the vault's anchor
 * (atomic rename). A failure before the append records nothing; a crash between append and anchor leaves
 * authentic entries beyond the anchor, which the next open verifies and anchors (`anchorReport`); a register
 * shorter than the anchor, or one that differs at the anchored entry, is PKG_REGISTER_ROLLED_BACK.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import {
  checkDecryptionKey, checkMasterSecret, checkSigningKey, decodePublicParams, extractDecryptionKey, extractSigningKey,
  identityBytes, MAX_EPOCH, MrnError, mmsiRefusal, setup, vesselMrn, type MmsiForm, type PublicParams, type RandomSource,
} from '../../crypto/index.js';
import { KemPurpose, MAX_GROUP_ID, encodeGroupKeyGrant } from '../../firmware/bodies.js';
import { epochOf } from '../../firmware/epoch.js';
import { EMPTY_GROUP_POLICY, groupPolicyFile, policyProblem, type GroupPolicy, type GroupPolicyFile } from '../../firmware/group-policy.js';
import {
  GroupKeyFileSchema, IdentityKeyFileSchema, KeyFileError, ParamsFileSchema, parseKeyFile,
  type GroupKeyFile, type IdentityKeyFile, type ParamsFile,
} from '../../firmware/keyfile.js';
import { GroupKeyRing, OwnIdentity, loadSystemParams, type IdentityKind, type SystemParams } from '../../firmware/keyring.js';
import { deviceIdOf, type PermitRecordFields } from '../../firmware/permit/index.js';
import { permitIdentity } from '../../firmware/permit-keys.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { issueIssuerCertificate, issuePermit, type PermitKey } from '../permit-writer.js';
import { PkgError } from './errors.js';
import { appendLines, writeFileAtomic } from './_files.js';
import { drawPseudoMmsi, isPseudoMmsi } from './pseudonym.js';
import {
  formatEntry, mrnBindingKey, openMapping, replayRegister, sealMapping, type RegisterEvent, type RegisterState,
} from './register.js';
import { DEFAULT_SCRYPT_LOG_N, openVaultSession, sealVault, wipeSecrets, type PkgSecrets, type RegisterAnchor, type VaultSession } from './vault.js';

export interface PkgEnv {
  /** UTC milliseconds. */
  readonly now: () => number;
  readonly random: RandomSource;
}

export const DEFAULT_PKG_ENV: PkgEnv = { now: () => Date.now(), random: (n) => new Uint8Array(randomBytes(n)) };

export const PKG_FILES = {
  params: 'params.json',
  authority: 'authority.json',
  vault: 'vault.json',
  register: 'register.jsonl',
  lock: '.pkg.lock',
} as const;

const DAY = 86_400;
/** Most epochs one extraction writes: a year of 30-day epochs. Longer runs defeat expiry by epoch. */
export const MAX_EPOCHS_PER_EXTRACT = 12;
/** Group keys rotate "every few hours" (DESIGN.md §3); a month is the outer bound we accept. */
export const MAX_GROUP_KEY_HOURS = 720;
/** Term of the issuer in the policy `pkg group-key` writes: a month by default, a year at most. */
export const DEFAULT_POLICY_DAYS = 30;
export const MAX_POLICY_DAYS = 366;

const AuthoritySchema = z.object({
  format: z.literal('mibc-ais-pkg-authority'),
  version: z.literal(1),
  rootPublicKey: z.string().regex(/^[0-9a-f]{64}$/),
  issuerId: z.string(),
  issuerCertificate: z.string().regex(/^(?:[0-9a-f]{2})+$/),
  authorityMmsi: z.number().int().min(0).max(999_999_999).optional(),
});
export type AuthorityFile = z.infer<typeof AuthoritySchema>;

const DeviceKeySchema = z.object({
  format: z.literal('mibc-ais-device-key'),
  version: z.literal(1),
  publicKey: z.string().regex(/^[0-9a-f]{64}$/),
});

export interface SetupOptions {
  readonly dir: string;
  readonly passphrase: string;
  readonly epochDays?: number;
  /** S-63's Data Server id, widened: 2..32 of A–Z, 0–9, '-'. */
  readonly issuerId?: string;
  readonly issuerValidityDays?: number;
  /** The authority's own (coast station) MMSI: the default signer of group-key hand-outs. */
  readonly authorityMmsi?: number;
  readonly scryptLogN?: number;
}

export interface SetupResult {
  readonly rootPublicKey: string;
  /** SHA-256 of the root public key, for the operator to compare over a second channel (S-63 §6.2). */
  readonly rootFingerprint: string;
  readonly head: string;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const utcSecond = (env: PkgEnv) => Math.floor(env.now() / 1000);

/** Real stations the authority issues for (crypto/mmsi.ts); pseudonyms only through `pkg pseudonym`. */
const STATION_FORMS: readonly MmsiForm[] = ['ship', 'group', 'coast', 'sar-aircraft', 'aton'];

function checkMmsi(n: number, what: string, allowed: readonly MmsiForm[] = STATION_FORMS): number {
  const why = mmsiRefusal(n, allowed);
  if (why !== undefined) throw new PkgError('PKG_INPUT', `${what}: ${why}`);
  return n;
}

/** Writes what a command issued; the PKG records it only after this resolves (see the module comment). */
export type IssueWriter<T> = (issued: T) => Promise<void>;

async function exists(file: string): Promise<boolean> {
  return fsp.stat(file).then(
    () => true,
    (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? false : Promise.reject(e)),
  );
}

/** `pkg setup`: master secret and public parameters, root and issuer keys, the empty register. */
export async function setupPkg(opts: SetupOptions, env: PkgEnv = DEFAULT_PKG_ENV): Promise<SetupResult> {
  const epochDays = opts.epochDays ?? 30;
  if (!Number.isInteger(epochDays) || epochDays < 1 || epochDays > 366) throw new PkgError('PKG_INPUT', '--epoch-days must be 1..366');
  const issuerId = opts.issuerId ?? 'PKG-1';
  const validityDays = opts.issuerValidityDays ?? 3 * 365;
  if (opts.authorityMmsi !== undefined) checkMmsi(opts.authorityMmsi, '--authority-mmsi');
  await fsp.mkdir(opts.dir, { recursive: true, mode: 0o700 });
  for (const f of [PKG_FILES.vault, PKG_FILES.register, PKG_FILES.params, PKG_FILES.authority]) {
    if (await exists(join(opts.dir, f))) throw new PkgError('PKG_ALREADY_INITIALISED', `${join(opts.dir, f)} exists; setup never overwrites a PKG`);
  }
  const now = utcSecond(env);
  const { params, masterSecret } = setup(env.random);
  const root = ed25519.keygen(env.random(32));
  const issuer = ed25519.keygen(env.random(32));
  const secrets: PkgSecrets = { masterSecret, rootSecretKey: root.secretKey, issuerSecretKey: issuer.secretKey, registerKey: env.random(32) };
  try {
    const certificate = issueIssuerCertificate(
      { issuerId, publicKey: issuer.publicKey, notBefore: now - DAY, notAfter: now + validityDays * DAY },
      root.secretKey,
    );
    const paramsFile: ParamsFile = { format: 'mibc-ais-params', version: 1, params: bytesToHex(params), epochSeconds: epochDays * DAY };
    const authority: AuthorityFile = {
      format: 'mibc-ais-pkg-authority',
      version: 1,
      rootPublicKey: bytesToHex(root.publicKey),
      issuerId,
      issuerCertificate: bytesToHex(certificate),
      ...(opts.authorityMmsi === undefined ? {} : { authorityMmsi: opts.authorityMmsi }),
    };
    const ev: RegisterEvent = {
      type: 'setup',
      data: { issuerId, rootPublicKey: authority.rootPublicKey, paramsSha256: bytesToHex(sha256(params)), epochSeconds: paramsFile.epochSeconds },
    };
    const line = formatEntry(secrets.registerKey, 1, now, ev, '0'.repeat(64));
    const head = replayRegister(`${line}\n`, secrets.registerKey).head;
    // The vault goes first: a crash after it leaves a PKG that `setup` refuses to overwrite, never keys without a vault.
    const vault = sealVault(secrets, opts.passphrase, env.random, { seq: 1, head }, opts.scryptLogN ?? DEFAULT_SCRYPT_LOG_N);
    await writeFileAtomic(join(opts.dir, PKG_FILES.vault), vault);
    await writeFileAtomic(join(opts.dir, PKG_FILES.params), json(paramsFile));
    await writeFileAtomic(join(opts.dir, PKG_FILES.authority), json(authority));
    await writeFileAtomic(join(opts.dir, PKG_FILES.register), `${line}\n`);
    return { rootPublicKey: authority.rootPublicKey, rootFingerprint: bytesToHex(sha256(root.publicKey)), head };
  } finally {
    wipeSecrets(secrets);
  }
}

async function writeAnchor(dir: string, vault: VaultSession, state: RegisterState, env: PkgEnv): Promise<void> {
  await writeFileAtomic(join(dir, PKG_FILES.vault), vault.reseal({ seq: state.entries.length, head: state.head }, env.random));
}

async function readText(dir: string, name: string): Promise<string> {
  try {
    return await fsp.readFile(join(dir, name), 'utf8');
  } catch (cause) {
    throw new PkgError('PKG_NOT_INITIALISED', `cannot read ${join(dir, name)} (run \`mibc-ais pkg setup\` first)`, { cause });
  }
}

/** Reads a file a command was given, as text; PKG_INPUT if it cannot. */
export async function readInput(file: string, what: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (cause) {
    throw new PkgError('PKG_INPUT', `cannot read ${what} ${file}`, { cause });
  }
}

/** The appliance's X25519 public key: a mibc-ais-device-key JSON file, or just its 64 hex digits. */
export function parseDeviceKey(text: string): Uint8Array {
  const bare = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(bare)) return hexToBytes(bare.toLowerCase());
  try {
    return hexToBytes(DeviceKeySchema.parse(JSON.parse(text)).publicKey);
  } catch (cause) {
    throw new PkgError('PKG_INPUT', 'device key: expected a mibc-ais-device-key file or 64 hex digits', { cause });
  }
}

/** Identity or group key file, told apart by its `format`. */
export function parseKeyInput(text: string, what: string): IdentityKeyFile | GroupKeyFile {
  try {
    const format = (JSON.parse(text) as { format?: unknown }).format;
    if (format === 'mibc-ais-group-keys') return parseKeyFile(GroupKeyFileSchema, text, what);
    return parseKeyFile(IdentityKeyFileSchema, text, what);
  } catch (cause) {
    if (cause instanceof KeyFileError || cause instanceof SyntaxError) throw new PkgError('PKG_INPUT', `${what}: ${cause.message}`, { cause });
    throw cause;
  }
}

export type ExtractTarget =
  | { readonly kind: 'mmsi'; readonly mmsi: number; readonly mrn?: string }
  | { readonly kind: 'pseudo-mmsi'; readonly mmsi: number };

export interface GroupKeyResult {
  readonly keys: GroupKeyFile;
  /** Mode-4 sentences (VDM or ABM), one hand-out per recipient, in the order of `to`. */
  readonly lines: readonly string[];
  /**
   * The group policy the recipients need to install the hand-outs: members of the group, the issuer authorised for
   * it (docs/group-keys.md). `pkg permit --group-policy` signs it into each recipient's permit.
   */
  readonly policy: GroupPolicyFile;
}

export interface GroupKeyOptions {
  /** Group id 0..65535 (default 0). */
  readonly group?: number;
  readonly to: readonly number[];
  readonly hours: number;
  readonly issuerMmsi?: number;
  readonly emit?: 'vdm' | 'abm';
  /** Validity of the policy written with the key, in days from now (default 30): the issuer's term for the group. */
  readonly policyDays?: number;
}

/** How the register met the vault's anchor when the PKG was opened. */
export interface AnchorReport {
  /** Authentic entries found beyond the anchor (a crash between an append and its anchor) and now anchored. */
  readonly recovered: number;
  /** The vault had no anchor (version 1) and now anchors the register as found. */
  readonly upgraded: boolean;
}

/**
 * Checks the verified register against the anchor: PKG_REGISTER_ROLLED_BACK if it is shorter or differs at the
 * anchored entry; otherwise the number of entries beyond the anchor.
 */
export function checkAnchor(state: RegisterState, anchor: RegisterAnchor): number {
  const n = state.entries.length;
  if (n < anchor.seq) {
    throw new PkgError(
      'PKG_REGISTER_ROLLED_BACK',
      `the register has ${n} entries but the vault anchors ${anchor.seq}: its tail was cut or it was replaced by an older copy (restore it from a backup)`,
    );
  }
  if (state.entries[anchor.seq - 1]?.mac !== anchor.head) {
    throw new PkgError('PKG_REGISTER_ROLLED_BACK', `register entry ${anchor.seq} is not the one the vault anchors: the register was replaced`);
  }
  return n - anchor.seq;
}

/** An opened PKG: secrets in memory until close(), the directory locked against a second writer. */
export class Pkg {
  private closed = false;
  private readonly secrets: PkgSecrets;

  private constructor(
    readonly dir: string,
    private readonly env: PkgEnv,
    private readonly vault: VaultSession,
    readonly paramsFile: ParamsFile,
    readonly params: SystemParams,
    readonly authority: AuthorityFile,
    private state: RegisterState,
    readonly anchorReport: AnchorReport,
  ) {
    this.secrets = vault.secrets;
  }

  /**
   * Opens DIR with the passphrase: PKG_NOT_INITIALISED, PKG_PASSPHRASE_WRONG, PKG_VAULT_CORRUPT,
   * PKG_REGISTER_TAMPERED, PKG_REGISTER_ROLLED_BACK.
   */
  static async open(dir: string, passphrase: string, env: PkgEnv = DEFAULT_PKG_ENV): Promise<Pkg> {
    const lock = join(dir, PKG_FILES.lock);
    const vaultText = await readText(dir, PKG_FILES.vault);
    try {
      await (await fsp.open(lock, 'wx', 0o600)).close();
    } catch (cause) {
      throw new PkgError('PKG_CONFLICT', `${lock} exists: another pkg command is running (remove it only if none is)`, { cause });
    }
    let vault: VaultSession | undefined;
    try {
      const paramsFile = parseKeyFile(ParamsFileSchema, await readText(dir, PKG_FILES.params), PKG_FILES.params);
      let authority: AuthorityFile;
      try {
        authority = AuthoritySchema.parse(JSON.parse(await readText(dir, PKG_FILES.authority)));
      } catch (cause) {
        if (cause instanceof PkgError) throw cause;
        throw new PkgError('PKG_NOT_INITIALISED', `${PKG_FILES.authority} is not a mibc-ais-pkg-authority file`, { cause });
      }
      vault = openVaultSession(vaultText, passphrase);
      const { secrets } = vault;
      const params = loadSystemParams(paramsFile);
      if (!checkMasterSecret(params.pp, secrets.masterSecret)) {
        throw new PkgError('PKG_VAULT_CORRUPT', 'the master secret in the vault does not match params.json');
      }
      if (bytesToHex(ed25519.getPublicKey(secrets.rootSecretKey)) !== authority.rootPublicKey) {
        throw new PkgError('PKG_VAULT_CORRUPT', 'the root key in the vault does not match authority.json');
      }
      const state = replayRegister(await readText(dir, PKG_FILES.register), secrets.registerKey);
      const recovered = vault.anchor === undefined ? 0 : checkAnchor(state, vault.anchor);
      const upgraded = vault.anchor === undefined;
      if (recovered > 0 || upgraded) await writeAnchor(dir, vault, state, env);
      return new Pkg(dir, env, vault, paramsFile, params, authority, state, { recovered, upgraded });
    } catch (err) {
      vault?.wipe();
      await fsp.unlink(lock).catch(() => undefined);
      throw err;
    }
  }

  /** The register as last verified (entries and derived registers). */
  get register(): RegisterState {
    return this.state;
  }

  get pp(): PublicParams {
    return this.params.pp;
  }

  /** Wipes the secrets and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.vault.wipe();
    await fsp.unlink(join(this.dir, PKG_FILES.lock)).catch(() => undefined);
  }

  private live(): void {
    if (this.closed) throw new Error('the PKG is closed');
  }

  /** Appends events in one write, then anchors the new head in the vault. */
  private async append(...events: RegisterEvent[]): Promise<void> {
    const file = join(this.dir, PKG_FILES.register);
    // Re-read and re-verify before appending: the log on disk, not our memory of it, is what the entry chains to,
    // and it must still hold what the vault anchors (a cut made while this command ran is caught here).
    const current = replayRegister(await readText(this.dir, PKG_FILES.register), this.secrets.registerKey);
    checkAnchor(current, { seq: this.state.entries.length, head: this.state.head });
    const at = utcSecond(this.env);
    let head = current.head;
    const lines = events.map((ev, i) => {
      const line = formatEntry(this.secrets.registerKey, current.entries.length + 1 + i, at, ev, head);
      head = /"mac":"([0-9a-f]{64})"\}$/.exec(line)?.[1] as string;
      return line;
    });
    await appendLines(file, lines);
    this.state = replayRegister(await readText(this.dir, PKG_FILES.register), this.secrets.registerKey);
    await writeAnchor(this.dir, this.vault, this.state, this.env);
  }

  /** Revokes a vessel's MRN: the SECOM service grants it no further renewal. */
  async revoke(mrn: string, reason: string): Promise<void> {
    this.live();
    await this.append({ type: 'revoke', data: { mrn, reason } });
  }

  /** Records one SECOM exchange (accepted or refused) in the register. */
  async recordSecom(data: Extract<RegisterEvent, { type: 'secom' }>['data']): Promise<void> {
    this.live();
    await this.append({ type: 'secom', data });
  }

  /** The key epoch containing the clock's now. */
  currentEpoch(): number {
    return epochOf(utcSecond(this.env), this.params.epochSeconds);
  }

  private epochList(epoch: number, count: number): number[] {
    if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) throw new PkgError('PKG_INPUT', `--epoch must be 0..${MAX_EPOCH}`);
    if (!Number.isInteger(count) || count < 1 || count > MAX_EPOCHS_PER_EXTRACT || epoch + count - 1 > MAX_EPOCH) {
      throw new PkgError('PKG_INPUT', `--epochs must be 1..${MAX_EPOCHS_PER_EXTRACT}`);
    }
    return Array.from({ length: count }, (_, i) => epoch + i);
  }

  private keysFor(kind: IdentityKind, mmsi: number, epochs: readonly number[]): IdentityKeyFile {
    return {
      format: 'mibc-ais-identity-keys',
      version: 1,
      identity: { kind, mmsi },
      keys: epochs.map((epoch) => {
        const id = identityBytes({ kind, mmsi, epoch });
        const signing = extractSigningKey(this.pp, this.secrets.masterSecret, id);
        const decryption = extractDecryptionKey(this.pp, this.secrets.masterSecret, id);
        const keys = { epoch, signingKey: bytesToHex(signing), decryptionKey: bytesToHex(decryption) };
        signing.fill(0);
        decryption.fill(0);
        return keys;
      }),
    };
  }

  /**
   * `pkg extract`: keys of an MMSI or of an issued pseudo-MMSI for `count` epochs from `epoch` (paper §4.2).
   * With an MRN the keys are still those of the on-air MMSI — receivers only ever see the MMSI (reference §3.5) —
   * and the MRN ↔ MMSI binding is recorded; an MRN already bound to another MMSI is refused (PKG_CONFLICT).
   * `write` stores the file; the extraction is recorded only once it has.
   */
  async extract(target: ExtractTarget, epoch: number, count = 1, write?: IssueWriter<IdentityKeyFile>): Promise<IdentityKeyFile> {
    this.live();
    const mmsi = target.kind === 'mmsi' ? checkMmsi(target.mmsi, '--mmsi', [...STATION_FORMS, 'pseudonym']) : checkMmsi(target.mmsi, '--pseudo', ['pseudonym']);
    const epochs = this.epochList(epoch, count);
    let mrn: string | undefined;
    if (target.kind === 'mmsi') {
      if (isPseudoMmsi(mmsi)) throw new PkgError('PKG_CONFLICT', `${mmsi} is in the pseudonym block; use --pseudo`);
      if (target.mrn !== undefined) mrn = this.checkMrn(target.mrn, mmsi);
    } else if (!this.state.pseudonyms.has(mmsi)) {
      throw new PkgError('PKG_CONFLICT', `${mmsi} was not issued as a pseudonym by this PKG (\`pkg pseudonym\`)`);
    }
    const file = this.keysFor(target.kind, mmsi, epochs);
    await write?.(file);
    const bind: RegisterEvent[] = mrn !== undefined && this.state.mrnBindings.get(mrn) !== mmsi ? [{ type: 'bind-mrn', data: { mrn, mmsi } }] : [];
    await this.append(...bind, {
      type: 'extract',
      data: { identity: permitIdentity({ kind: target.kind, mmsi }), epochs, ...(mrn === undefined ? {} : { mrn }) },
    });
    return file;
  }

  /** The MMSI an MRN is bound to (compared in its binding form, so case variants find it), if any. */
  boundMmsi(mrn: string): number | undefined {
    return this.state.mrnBindings.get(mrnBindingKey(mrn));
  }

  private checkMrn(mrn: string, mmsi: number): string {
    let parsed;
    try {
      parsed = vesselMrn(mrn);
    } catch (cause) {
      if (!(cause instanceof MrnError)) throw cause;
      throw new PkgError('PKG_INPUT', `--mrn: not an MCP vessel MRN of a known profile: ${cause.message}`, { cause });
    }
    // Reference §3.6: refuse non-canonical input at issuance rather than silently fix it.
    if (parsed.canonical !== mrn) throw new PkgError('PKG_INPUT', `--mrn is not canonical; write it as ${parsed.canonical}`);
    if (parsed.mmsi !== undefined && Number(parsed.mmsi) !== mmsi) {
      throw new PkgError('PKG_CONFLICT', `${mrn} names MMSI ${parsed.mmsi}, not ${mmsi}`);
    }
    const bound = this.state.mrnBindings.get(parsed.canonical);
    if (bound !== undefined && bound !== mmsi) throw new PkgError('PKG_CONFLICT', `${mrn} is bound to MMSI ${bound}, not ${mmsi}`);
    return parsed.canonical;
  }

  /** `pkg pseudonym`: a fresh pseudo-MMSI for a vessel, the sealed mapping in the register, and its keys. */
  async pseudonym(
    forMmsi: number, epoch: number, count = 1, write?: IssueWriter<{ pseudo: number; keys: IdentityKeyFile }>,
  ): Promise<{ pseudo: number; keys: IdentityKeyFile }> {
    this.live();
    if (isPseudoMmsi(forMmsi)) throw new PkgError('PKG_CONFLICT', `${forMmsi} is itself a pseudonym`);
    checkMmsi(forMmsi, '--for-mmsi');
    const epochs = this.epochList(epoch, count);
    const pseudo = drawPseudoMmsi(this.state.pseudonyms, this.env.random);
    const keys = this.keysFor('pseudo-mmsi', pseudo, epochs);
    await write?.({ pseudo, keys });
    await this.append(
      { type: 'pseudonym', data: { pseudo, sealed: sealMapping(this.secrets.registerKey, pseudo, forMmsi, this.env.random) } },
      { type: 'extract', data: { identity: permitIdentity({ kind: 'pseudo-mmsi', mmsi: pseudo }), epochs } },
    );
    return { pseudo, keys };
  }

  /** The vessel behind a pseudonym (authority only: needs the vault). */
  lookupPseudonym(pseudo: number): number {
    this.live();
    const e = this.state.entries.find((x) => x.type === 'pseudonym' && x.data.pseudo === pseudo);
    if (e === undefined || e.type !== 'pseudonym') throw new PkgError('PKG_INPUT', `${pseudo} is not a pseudonym of this PKG`);
    return openMapping(this.secrets.registerKey, pseudo, e.data.sealed);
  }

  /**
   * `pkg group-key`: a new mode-5 key of one group valid from now for `hours`, and its mode-4 hand-out to each
   * vessel — a grant bound to group, issuer, recipient and validity (firmware/bodies.ts), SK-KEM to the vessel's MMSI
   * identity of the current epoch, signed by the issuer MMSI (SK-KEM alone does not authenticate the sender,
   * DESIGN.md §3). Receivers install it only when their group policy authorises that issuer for that group: the
   * policy returned with it, which `pkg permit` signs into their permits.
   */
  async groupKey(opts: GroupKeyOptions, write?: IssueWriter<GroupKeyResult>): Promise<GroupKeyResult> {
    this.live();
    if (opts.to.length === 0) throw new PkgError('PKG_INPUT', '--to needs at least one MMSI');
    const to = opts.to.map((n) => checkMmsi(n, '--to'));
    if (!Number.isInteger(opts.hours) || opts.hours < 1 || opts.hours > MAX_GROUP_KEY_HOURS) {
      throw new PkgError('PKG_INPUT', `--valid-hours must be 1..${MAX_GROUP_KEY_HOURS}`);
    }
    const groupId = opts.group ?? 0;
    if (!Number.isInteger(groupId) || groupId < 0 || groupId > MAX_GROUP_ID) throw new PkgError('PKG_INPUT', `--group must be 0..${MAX_GROUP_ID}`);
    const policyDays = opts.policyDays ?? DEFAULT_POLICY_DAYS;
    if (!Number.isInteger(policyDays) || policyDays < 1 || policyDays > MAX_POLICY_DAYS) throw new PkgError('PKG_INPUT', `--policy-days must be 1..${MAX_POLICY_DAYS}`);
    const issuerMmsi = opts.issuerMmsi ?? this.authority.authorityMmsi;
    if (issuerMmsi === undefined) throw new PkgError('PKG_INPUT', '--issuer-mmsi is needed (no --authority-mmsi was given at setup)');
    checkMmsi(issuerMmsi, '--issuer-mmsi');
    const second = utcSecond(this.env);
    const notBefore = second;
    const notAfter = second + opts.hours * 3600;
    const keyId = this.newGroupKeyId(notBefore, notAfter);
    const key = this.env.random(16);
    const epoch = epochOf(second, this.params.epochSeconds);
    const issuer = OwnIdentity.fromFile(this.params, this.keysFor('mmsi', issuerMmsi, [epoch]));
    try {
      const tx = new SecureTx({ mode: 4, emit: opts.emit === 'abm' ? 'bbm' : 'vdm' }, { params: this.params, identity: issuer }, this.env.random);
      const lines = to.flatMap((recipient) => {
        const grant = encodeGroupKeyGrant({ groupId, issuer: issuerMmsi, recipient, keyId, notBefore, notAfter, key });
        try {
          return tx.sealToVessel(recipient, KemPurpose.GroupKey, { bytes: grant, fill: 0 }, issuerMmsi, second);
        } finally {
          grant.fill(0);
        }
      });
      const term = { notBefore: second, notAfter: Math.max(notAfter, second + policyDays * DAY) };
      const result: GroupKeyResult = {
        keys: { format: 'mibc-ais-group-keys', version: 1, keys: [{ groupId, keyId, key: bytesToHex(key), notBefore, notAfter }] },
        lines,
        policy: groupPolicyFile({ groups: [{ groupId, member: true, ...term, issuers: [{ mmsi: issuerMmsi, ...term }] }] }),
      };
      await write?.(result);
      await this.append({ type: 'group-key', data: { keyId, notBefore, notAfter, issuerMmsi, to, groupId } });
      return result;
    } finally {
      issuer.destroy();
      key.fill(0);
    }
  }

  /**
   * A group key id nobody can predict (so neither an outsider nor a register cut back to an old head can know or
   * re-issue it), never issued before, and when possible in an envelope slot (id mod 4, firmware/keyring.ts) that
   * no other key valid in [notBefore, notAfter) uses.
   */
  private newGroupKeyId(notBefore: number, notAfter: number): number {
    const slots = GroupKeyRing.SLOTS;
    const busy = new Set(this.state.groupKeys.filter((k) => k.notBefore < notAfter && notBefore < k.notAfter).map((k) => k.keyId % slots));
    const free = Array.from({ length: slots }, (_, i) => i).filter((i) => !busy.has(i));
    const choices = free.length > 0 ? free : Array.from({ length: slots }, (_, i) => i);
    for (let i = 0; i < 64; i++) {
      const b = this.env.random(4);
      const x = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
      const slot = choices[x % choices.length] as number;
      // Clear the slot bits and put the chosen slot there (SLOTS is a power of two).
      const id = ((x & ~(slots - 1)) | slot) >>> 0;
      if (!this.state.groupKeyIds.has(id)) return id;
    }
    throw new PkgError('PKG_CONFLICT', 'no unused group key id found in 64 random draws');
  }

  /**
   * `pkg permit`: the key permit for one appliance (provisioning/permit-writer.ts) from key files this PKG wrote.
   * Every key is checked against the public parameters first, so keys of another PKG never reach a permit. An
   * identity file of two consecutive epochs becomes one record with current and next key (S-63's ECK1/ECK2).
   */
  async permit(
    devicePublicKey: Uint8Array, files: readonly (IdentityKeyFile | GroupKeyFile)[], policy: GroupPolicy = EMPTY_GROUP_POLICY,
    write?: IssueWriter<Uint8Array>,
  ): Promise<Uint8Array> {
    this.live();
    if (devicePublicKey.length !== 32) throw new PkgError('PKG_INPUT', 'device key must be 32 bytes');
    if (files.length === 0) throw new PkgError('PKG_INPUT', '--keys needs at least one key file');
    const problem = policyProblem(policy);
    if (problem !== undefined) throw new PkgError('PKG_INPUT', `--group-policy: ${problem}`);
    const keys = files.flatMap((f) => (f.format === 'mibc-ais-group-keys' ? this.groupRecords(f) : this.identityRecords(f)));
    const deviceId = bytesToHex(deviceIdOf(devicePublicKey));
    const sequence = (this.state.permitSequences.get(deviceId) ?? 0) + 1;
    const issuer = { certificate: hexToBytes(this.authority.issuerCertificate), secretKey: this.secrets.issuerSecretKey };
    const file = issuePermit({ issuer, devicePublicKey, issuedAt: utcSecond(this.env), sequence, keys, groups: policy.groups }, this.env.random);
    for (const k of keys) {
      k.current.fill(0);
      k.next?.fill(0);
    }
    await write?.(file);
    await this.append({
      type: 'permit',
      data: {
        deviceId, issuerId: this.authority.issuerId, sequence, identities: [...new Set(keys.map((k) => k.identity))],
        ...(policy.groups.length === 0 ? {} : { groups: policy.groups.map((g) => g.groupId) }),
      },
    });
    return file;
  }

  private identityRecords(f: IdentityKeyFile): PermitKey[] {
    const { kind, mmsi } = f.identity;
    const sorted = [...f.keys].sort((a, b) => a.epoch - b.epoch);
    const [cur, next, ...rest] = sorted;
    if (cur === undefined || rest.length > 0 || (next !== undefined && next.epoch !== cur.epoch + 1)) {
      throw new PkgError('PKG_INPUT', `${kind} ${mmsi}: a permit record holds one epoch or two consecutive ones, got ${sorted.map((k) => k.epoch).join(', ')}`);
    }
    for (const k of sorted) {
      const id = identityBytes({ kind, mmsi, epoch: k.epoch });
      if (!checkSigningKey(this.pp, id, hexToBytes(k.signingKey)) || !checkDecryptionKey(this.pp, id, hexToBytes(k.decryptionKey))) {
        throw new PkgError('PKG_INPUT', `${kind} ${mmsi} epoch ${k.epoch}: the keys do not belong to this PKG's parameters`);
      }
    }
    const fields = (keyKind: 'signing' | 'decryption'): PermitRecordFields => ({
      kind: keyKind,
      identity: permitIdentity({ kind, mmsi }),
      epoch: cur.epoch,
      notBefore: cur.epoch * this.params.epochSeconds,
      notAfter: ((next ?? cur).epoch + 1) * this.params.epochSeconds,
    });
    return [
      { ...fields('signing'), current: hexToBytes(cur.signingKey), next: next && hexToBytes(next.signingKey) },
      { ...fields('decryption'), current: hexToBytes(cur.decryptionKey), next: next && hexToBytes(next.decryptionKey) },
    ];
  }

  private groupRecords(f: GroupKeyFile): PermitKey[] {
    return f.keys.map((k) => ({
      kind: 'group' as const,
      identity: permitIdentity({ kind: 'group', groupId: k.groupId ?? 0, keyId: k.keyId }),
      epoch: 0,
      notBefore: k.notBefore,
      notAfter: k.notAfter,
      current: hexToBytes(k.key),
    }));
  }
}
