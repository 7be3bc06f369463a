/**
 * The PKG's secrets at rest: the mIBC master secret (paper §4.1 step 8: "it requires the same level of advanced
 * protection" as a CA key), the authority root and issuer Ed25519 keys, and the register key — sealed together
 * under a passphrase. scrypt (RFC 7914) derives 64 bytes: the first 32 are the AES-256-GCM key, the second 32 give
 * a check value stored beside the ciphertext, so a wrong passphrase (check differs) is told apart from a corrupt
 * file (check matches, tag fails). The check costs an attacker the same scrypt per guess as the key does.
 *
 *   { format: "mibc-ais-pkg-vault", version: 1, kdf: { name: "scrypt", logN, r, p, salt }, check, nonce, ciphertext }
 *   plaintext = masterSecret (40) ‖ rootSecretKey (32) ‖ issuerSecretKey (32) ‖ registerKey (32)
 *   AAD       = the JSON of { format, version, kdf }, so the parameters cannot be swapped for weaker ones.
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
const VaultSchema = z.object({
  format: z.literal('mibc-ais-pkg-vault'),
  version: z.literal(1),
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

const aad = (kdf: Kdf) => new TextEncoder().encode(JSON.stringify({ format: 'mibc-ais-pkg-vault', version: 1, kdf }));

/** The vault file's text. */
export function sealVault(secrets: PkgSecrets, passphrase: string, random: RandomSource, logN = DEFAULT_SCRYPT_LOG_N): string {
  if (!Number.isInteger(logN) || logN < MIN_SCRYPT_LOG_N || logN > MAX_SCRYPT_LOG_N) {
    throw new RangeError(`scrypt logN must be ${MIN_SCRYPT_LOG_N}..${MAX_SCRYPT_LOG_N}`);
  }
  const parts = [secrets.masterSecret, secrets.rootSecretKey, secrets.issuerSecretKey, secrets.registerKey];
  const plain = new Uint8Array(PLAIN_BYTES);
  let off = 0;
  parts.forEach((p, i) => {
    if (p.length !== SIZES[i]) throw new RangeError(`vault secret ${i} must be ${SIZES[i]} bytes`);
    plain.set(p, off);
    off += p.length;
  });
  const kdf: Kdf = { name: 'scrypt', logN, r: 8, p: 1, salt: bytesToHex(random(32)) };
  const { key, check } = derive(passphrase, kdf);
  const nonce = random(12);
  const ciphertext = gcm(key, nonce, aad(kdf)).encrypt(plain);
  key.fill(0);
  plain.fill(0);
  return `${JSON.stringify({ format: 'mibc-ais-pkg-vault', version: 1, kdf, check: bytesToHex(check), nonce: bytesToHex(nonce), ciphertext: bytesToHex(ciphertext) }, null, 2)}\n`;
}

/** Opens the vault text: PKG_PASSPHRASE_WRONG or PKG_VAULT_CORRUPT on failure. */
export function openVault(text: string, passphrase: string): PkgSecrets {
  let parsed: z.infer<typeof VaultSchema>;
  try {
    parsed = VaultSchema.parse(JSON.parse(text));
  } catch (cause) {
    throw new PkgError('PKG_VAULT_CORRUPT', 'the vault file is not a mibc-ais-pkg-vault v1', { cause });
  }
  const { key, check } = derive(passphrase, parsed.kdf);
  try {
    if (bytesToHex(check) !== parsed.check) throw new PkgError('PKG_PASSPHRASE_WRONG', 'the passphrase does not open this vault');
    let plain: Uint8Array;
    try {
      plain = gcm(key, hexToBytes(parsed.nonce), aad(parsed.kdf)).decrypt(hexToBytes(parsed.ciphertext));
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
    return { masterSecret, rootSecretKey, issuerSecretKey, registerKey };
  } finally {
    key.fill(0);
  }
}

export function wipeSecrets(s: PkgSecrets): void {
  s.masterSecret.fill(0);
  s.rootSecretKey.fill(0);
  s.issuerSecretKey.fill(0);
  s.registerKey.fill(0);
}
