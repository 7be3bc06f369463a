/**
 * The PKG's secrets at rest: the mIBC master secret (paper §4.1 step 8: "it requires the same level of advanced
 * protection" as a CA key), the authority root and issuer Ed25519 keys, and the register key — sealed together
 * under a passphrase. scrypt (RFC 7914) derives 64 bytes: the first 32 are the AES-256-GCM key, the second 32 give
 * a check value stored beside the ciphertext, so a wrong passphrase (check differs) is told apart from a corrupt
 * file (check matches, tag fails). The check costs an attacker the same scrypt per guess as the key does.
 *
 *   { format: "mibc-ais-pkg-vault", version: 2, kdf: { name: "scrypt", logN, r, p, salt }, anchor: { seq, head },
 *     check, nonce, ciphertext }
 *   plaintext = masterSecret (40) ‖ rootSecretKey (32) ‖ issuerSecretKey (32) ‖ registerKey (32)
 *   AAD       = the JSON of { format, version, kdf, anchor }, so the parameters cannot be swapped for weaker ones
 *               and the anchor cannot be changed without the passphrase.
 * The anchor is the register's length and head MAC after the last append (register.ts): the register alone can
 * show an edit but not a cut tail, the vault's anchor can. It is re-sealed after every append under the key
 * derived at open (a fresh random GCM nonce each time, no new scrypt), so an append costs no passphrase work.
 * Version 1 (no anchor) is still read; the PKG anchors it on open.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { MASTER_SECRET_BYTES, type RandomSource } from '../../crypto/index.js';
import { PkgError } from './errors.js';

export interface PkgSecrets {
  readonly masterSecret: Uint8Array;
  readonly rootSecretKey: Uint8Array;
  readonly issuerSecretKey: Uint8Array;
  /** Authenticates and encrypts register entries (register.ts). */
  readonly registerKey: Uint8Array;
}

/** 2^17 × 8 × 128 B = 128 MiB and ≈ 0.5 s per try here: the OWASP-recommended floor for scrypt. */
export const DEFAULT_SCRYPT_LOG_N = 17;
/** Lowest accepted cost (tests use it; 16 MiB). */
export const MIN_SCRYPT_LOG_N = 14;
export const MAX_SCRYPT_LOG_N = 20;
export const MIN_PASSPHRASE_CHARS = 12;

const SIZES = [MASTER_SECRET_BYTES, 32, 32, 32] as const;
const PLAIN_BYTES = SIZES.reduce((a, b) => a + b, 0);
const CHECK_TAG = new TextEncoder().encode('mibc-ais pkg vault check v1');

const hex = (n?: number) => z.string().regex(n === undefined ? /^(?:[0-9a-f]{2})+$/ : new RegExp(`^[0-9a-f]{${n * 2}}$`));
const AnchorSchema = z.object({ seq: z.number().int().min(1), head: hex(32) });
/** The register's length and the MAC of its last entry, as last appended by this PKG. */
export type RegisterAnchor = z.infer<typeof AnchorSchema>;

const VaultSchema = z.object({
  format: z.literal('mibc-ais-pkg-vault'),
  version: z.union([z.literal(1), z.literal(2)]),
  anchor: AnchorSchema.optional(),
  kdf: z.object({
    name: z.literal('scrypt'),
    logN: z.number().int().min(MIN_SCRYPT_LOG_N).max(MAX_SCRYPT_LOG_N),
    r: z.literal(8),
    p: z.literal(1),
    salt: hex(32),
  }),
  check: hex(32),
  nonce: hex(12),
  ciphertext: hex(PLAIN_BYTES + 16),
});
type Kdf = z.infer<typeof VaultSchema>['kdf'];

function checkPassphrase(passphrase: string): Uint8Array {
  if (typeof passphrase !== 'string' || [...passphrase].length < MIN_PASSPHRASE_CHARS) {
    throw new PkgError('PKG_PASSPHRASE_MISSING', `the passphrase must have at least ${MIN_PASSPHRASE_CHARS} characters`);
  }
  return new TextEncoder().encode(passphrase.normalize('NFKC'));
}

function derive(passphrase: string, kdf: Kdf): { key: Uint8Array; check: Uint8Array } {
  const pw = checkPassphrase(passphrase);
  const out = scrypt(pw, hexToBytes(kdf.salt), { N: 2 ** kdf.logN, r: kdf.r, p: kdf.p, dkLen: 64, maxmem: 2 ** 31 });
  pw.fill(0);
  const tagged = new Uint8Array(CHECK_TAG.length + 32);
  tagged.set(CHECK_TAG);
  tagged.set(out.subarray(32), CHECK_TAG.length);
  const check = sha256(tagged);
  const key = out.slice(0, 32);
  out.fill(0);
  tagged.fill(0);
  return { key, check };
}

const aad = (version: 1 | 2, kdf: Kdf, anchor: RegisterAnchor | undefined) =>
  new TextEncoder().encode(
    JSON.stringify(version === 1 ? { format: 'mibc-ais-pkg-vault', version, kdf } : { format: 'mibc-ais-pkg-vault', version, kdf, anchor }),
  );

function packSecrets(secrets: PkgSecrets): Uint8Array {
  const parts = [secrets.masterSecret, secrets.rootSecretKey, secrets.issuerSecretKey, secrets.registerKey];
  const plain = new Uint8Array(PLAIN_BYTES);
  let off = 0;
  parts.forEach((p, i) => {
    if (p.length !== SIZES[i]) throw new RangeError(`vault secret ${i} must be ${SIZES[i]} bytes`);
    plain.set(p, off);
    off += p.length;
  });
  return plain;
}

function seal(secrets: PkgSecrets, key: Uint8Array, kdf: Kdf, check: string, anchor: RegisterAnchor, random: RandomSource): string {
  const plain = packSecrets(secrets);
  const nonce = random(12);
  const ciphertext = gcm(key, nonce, aad(2, kdf, anchor)).encrypt(plain);
  plain.fill(0);
  const file = { format: 'mibc-ais-pkg-vault', version: 2, kdf, anchor, check, nonce: bytesToHex(nonce), ciphertext: bytesToHex(ciphertext) };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The vault file's text, anchoring a register whose head is `anchor`. */
export function sealVault(secrets: PkgSecrets, passphrase: string, random: RandomSource, anchor: RegisterAnchor, logN = DEFAULT_SCRYPT_LOG_N): string {
  if (!Number.isInteger(logN) || logN < MIN_SCRYPT_LOG_N || logN > MAX_SCRYPT_LOG_N) {
    throw new RangeError(`scrypt logN must be ${MIN_SCRYPT_LOG_N}..${MAX_SCRYPT_LOG_N}`);
  }
  const kdf: Kdf = { name: 'scrypt', logN, r: 8, p: 1, salt: bytesToHex(random(32)) };
  const { key, check } = derive(passphrase, kdf);
  try {
    return seal(secrets, key, kdf, bytesToHex(check), anchor, random);
  } finally {
    key.fill(0);
  }
}

/** An opened vault: the secrets, the anchor it holds (undefined in a version-1 vault), and a re-sealer. */
export interface VaultSession {
  readonly secrets: PkgSecrets;
  readonly anchor: RegisterAnchor | undefined;
  /** The vault text with a new anchor: same passphrase and KDF, fresh nonce. */
  reseal(anchor: RegisterAnchor, random: RandomSource): string;
  /** Wipes the secrets and the derived key. */
  wipe(): void;
}

/** Opens the vault text: PKG_PASSPHRASE_WRONG or PKG_VAULT_CORRUPT on failure. */
export function openVault(text: string, passphrase: string): PkgSecrets {
  const s = openVaultSession(text, passphrase);
  s.wipeKey();
  return s.secrets;
}

/** Opens the vault and keeps the derived key for re-sealing (see VaultSession). */
export function openVaultSession(text: string, passphrase: string): VaultSession & { wipeKey(): void } {
  let parsed: z.infer<typeof VaultSchema>;
  try {
    parsed = VaultSchema.parse(JSON.parse(text));
  } catch (cause) {
    throw new PkgError('PKG_VAULT_CORRUPT', 'the vault file is not a mibc-ais-pkg-vault v1', { cause });
  }
  if ((parsed.version === 2) !== (parsed.anchor !== undefined)) {
    throw new PkgError('PKG_VAULT_CORRUPT', 'a version-2 vault has an anchor, a version-1 vault none');
  }
  const { key, check } = derive(passphrase, parsed.kdf);
  let ok = false;
  try {
    if (bytesToHex(check) !== parsed.check) throw new PkgError('PKG_PASSPHRASE_WRONG', 'the passphrase does not open this vault');
    let plain: Uint8Array;
    try {
      plain = gcm(key, hexToBytes(parsed.nonce), aad(parsed.version, parsed.kdf, parsed.anchor)).decrypt(hexToBytes(parsed.ciphertext));
    } catch (cause) {
      throw new PkgError('PKG_VAULT_CORRUPT', 'the vault ciphertext does not authenticate', { cause });
    }
    const out: Uint8Array[] = [];
    let off = 0;
    for (const n of SIZES) {
      out.push(plain.slice(off, off + n));
      off += n;
    }
    plain.fill(0);
    const [masterSecret, rootSecretKey, issuerSecretKey, registerKey] = out as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const secrets: PkgSecrets = { masterSecret, rootSecretKey, issuerSecretKey, registerKey };
    const { kdf } = parsed;
    const checkHex = parsed.check;
    ok = true;
    return {
      secrets,
      anchor: parsed.anchor,
      reseal: (anchor, random) => seal(secrets, key, kdf, checkHex, anchor, random),
      wipeKey: () => key.fill(0),
      wipe: () => {
        key.fill(0);
        wipeSecrets(secrets);
      },
    };
  } finally {
    if (!ok) key.fill(0);
  }
}

export function wipeSecrets(s: PkgSecrets): void {
  s.masterSecret.fill(0);
  s.rootSecretKey.fill(0);
  s.issuerSecretKey.fill(0);
  s.registerKey.fill(0);
}
