/**
 * The PKG's registers — identities whose keys were extracted, MRN ↔ MMSI bindings, pseudonyms, group keys,
 * permits per device — kept as one append-only, tamper-evident event log (JSON lines) from which the current
 * registers are computed by replaying it. S-63 keeps such registers at the scheme administrator (§1.10 of the
 * reference notes); the mIBC PKG additionally must be able to answer "who held pseudonym X".
 *
 * Why a log and not SQLite: the audit trail is the record the authority needs, and an SQLite table is mutable
 * in place (sql.js even rewrites the whole file; better-sqlite3 needs a native build the CI machine does not
 * have). A log written only with O_APPEND, whose every entry is chained to the one before and authenticated, makes
 * append-only the format's property instead of a promise: any edit, deletion, insertion or reordering breaks
 * the chain. The registers are small (thousands of vessels, not millions), so replaying on open is cheap.
 *
 *   {"seq":n,"at":utcSeconds,"type":"…","data":{…},"prev":"<mac of entry n-1, 64 hex>","mac":"<64 hex>"}
 *   mac = HMAC-SHA256(registerKey, the line's bytes up to and excluding `,"mac":…`, closed with "}")
 * The first entry's prev is 64 zeros. The register key lives in the passphrase vault, so forging an entry needs
 * the passphrase. What the chain cannot show by itself is a cut at the end of the log: the vault anchors the
 * head (seq, mac) after every append (vault.ts, pkg.ts), and each command reports it so the operator can also
 * record it outside the machine (docs/pkg.md).
 * MRN bindings are keyed by the binding form of the MRN (crypto/mrn.ts `vesselMrn`), so case variants of one
 * vessel's MRN are one binding; a log that binds one such form to two MMSIs reports it as a conflict.
 * The pseudonym → vessel mapping is for the authority only: it is stored AES-256-GCM-sealed under a key derived
 * from the register key, so a copy of the register alone does not reveal it.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { vesselMrn, type RandomSource } from '../../crypto/index.js';
import { PkgError } from './errors.js';

export type RegisterEvent =
  | { readonly type: 'setup'; readonly data: { issuerId: string; rootPublicKey: string; paramsSha256: string; epochSeconds: number } }
  | { readonly type: 'extract'; readonly data: { identity: string; epochs: number[]; mrn?: string } }
  | { readonly type: 'bind-mrn'; readonly data: { mrn: string; mmsi: number } }
  | { readonly type: 'pseudonym'; readonly data: { pseudo: number; sealed: string } }
  | { readonly type: 'group-key'; readonly data: { keyId: number; notBefore: number; notAfter: number; issuerMmsi: number; to: number[]; groupId?: number } }
  | { readonly type: 'permit'; readonly data: { deviceId: string; issuerId: string; sequence: number; identities: string[]; groups?: number[] } }
  /** The authority withdrew a vessel's standing: no renewal is granted to its MRN any more. */
  | { readonly type: 'revoke'; readonly data: { mrn: string; reason: string } }
  /** A SECOM exchange of the authority's shore service (docs/secom.md): accepted or refused, with its code. */
  | { readonly type: 'secom'; readonly data: { action: string; code: string; transactionId?: string; peer?: string; detail?: string } };

export type RegisterEntry = RegisterEvent & { readonly seq: number; readonly at: number; readonly prev: string; readonly mac: string };

export interface RegisterState {
  readonly entries: readonly RegisterEntry[];
  /** mac of the last entry (64 zeros when empty): the head the operator records. */
  readonly head: string;
  /** Binding form of an MRN (`mrnBindingKey`) → the MMSI it was first bound to. */
  readonly mrnBindings: ReadonlyMap<string, number>;
  /** Bindings of an MRN (binding form) to a second MMSI found in the log (written before MRNs were compared so). */
  readonly mrnConflicts: readonly { readonly mrn: string; readonly mmsis: readonly number[] }[];
  readonly pseudonyms: ReadonlySet<number>;
  /** Real MMSIs whose keys were extracted: never to be handed out as pseudonyms. */
  readonly extractedMmsis: ReadonlySet<number>;
  readonly lastGroupKeyId: number | undefined;
  /** Every group key id issued: a new id must be none of these. */
  readonly groupKeyIds: ReadonlySet<number>;
  /** Group keys issued (id and validity), to keep overlapping keys in different envelope slots. */
  readonly groupKeys: readonly { readonly keyId: number; readonly notBefore: number; readonly notAfter: number }[];
  /** Highest permit sequence per device id (hex). */
  readonly permitSequences: ReadonlyMap<string, number>;
  /** Vessel MRNs the authority revoked, in binding form (`mrnBindingKey`): a case variant is the same vessel. */
  readonly revokedMrns: ReadonlySet<string>;
}

const GENESIS = '0'.repeat(64);
const MAC_SUFFIX = /,"mac":"([0-9a-f]{64})"\}$/;
const enc = new TextEncoder();

function macOf(key: Uint8Array, unsigned: string): string {
  return bytesToHex(hmac(sha256, key, enc.encode(unsigned)));
}

function sealKey(registerKey: Uint8Array): Uint8Array {
  return hkdf(sha256, registerKey, undefined, enc.encode('mibc-ais pkg register seal v1'), 32);
}

/** Seals the pseudonym mapping; the pseudonym is the associated data, so a sealed mapping cannot be moved. */
export function sealMapping(registerKey: Uint8Array, pseudo: number, forMmsi: number, random: RandomSource): string {
  const key = sealKey(registerKey);
  const nonce = random(12);
  const ct = gcm(key, nonce, enc.encode(`pseudo:${pseudo}`)).encrypt(enc.encode(String(forMmsi)));
  key.fill(0);
  return bytesToHex(nonce) + bytesToHex(ct);
}

export function openMapping(registerKey: Uint8Array, pseudo: number, sealed: string): number {
  const key = sealKey(registerKey);
  try {
    const b = hexToBytes(sealed);
    const plain = gcm(key, b.subarray(0, 12), enc.encode(`pseudo:${pseudo}`)).decrypt(b.subarray(12));
    return Number(new TextDecoder().decode(plain));
  } catch (cause) {
    throw new PkgError('PKG_REGISTER_TAMPERED', `the sealed mapping of pseudonym ${pseudo} does not authenticate`, { cause });
  } finally {
    key.fill(0);
  }
}

/** The form an MRN binding is recorded and compared under; a malformed MRN of an old log keys by its lower case. */
export function mrnBindingKey(mrn: string): string {
  try {
    return vesselMrn(mrn).canonical;
  } catch {
    return mrn.toLowerCase();
  }
}

/** The line for an event appended after `head`. */
export function formatEntry(key: Uint8Array, seq: number, at: number, ev: RegisterEvent, prev: string): string {
  const unsigned = JSON.stringify({ seq, at, type: ev.type, data: ev.data, prev });
  return `${unsigned.slice(0, -1)},"mac":"${macOf(key, unsigned)}"}`;
}

function tampered(line: number, why: string): PkgError {
  return new PkgError('PKG_REGISTER_TAMPERED', `register line ${line}: ${why}`);
}

/** Verifies every entry of the log text and computes the registers. */
export function replayRegister(text: string, key: Uint8Array): RegisterState {
  if (text.length > 0 && !text.endsWith('\n')) throw tampered(text.split('\n').length, 'incomplete last line');
  const lines = text.length === 0 ? [] : text.slice(0, -1).split('\n');
  const entries: RegisterEntry[] = [];
  const mrnBindings = new Map<string, number>();
  const pseudonyms = new Set<number>();
  const extractedMmsis = new Set<number>();
  const permitSequences = new Map<string, number>();
  const revokedMrns = new Set<string>();
  const mrnConflicts = new Map<string, Set<number>>();
  const groupKeyIds = new Set<number>();
  const groupKeys: { keyId: number; notBefore: number; notAfter: number }[] = [];
  let lastGroupKeyId: number | undefined;
  let head = GENESIS;
  lines.forEach((line, i) => {
    const m = MAC_SUFFIX.exec(line);
    if (m === null) throw tampered(i + 1, 'no authentication tag');
    const unsigned = `${line.slice(0, m.index)}}`;
    if (macOf(key, unsigned) !== m[1]) throw tampered(i + 1, 'authentication tag does not verify');
    const e = JSON.parse(line) as RegisterEntry;
    if (e.seq !== i + 1) throw tampered(i + 1, `sequence ${e.seq}, expected ${i + 1}`);
    if (e.prev !== head) throw tampered(i + 1, 'does not chain to the entry before it');
    head = e.mac;
    entries.push(e);
    switch (e.type) {
      case 'extract': {
        const [kind, n] = e.data.identity.split(':');
        if (kind === 'mmsi') extractedMmsis.add(Number(n));
        break;
      }
      case 'bind-mrn': {
        const k = mrnBindingKey(e.data.mrn);
        const bound = mrnBindings.get(k);
        if (bound === undefined) mrnBindings.set(k, e.data.mmsi);
        else if (bound !== e.data.mmsi) mrnConflicts.set(k, (mrnConflicts.get(k) ?? new Set([bound])).add(e.data.mmsi));
        break;
      }
      case 'pseudonym':
        pseudonyms.add(e.data.pseudo);
        break;
      case 'group-key':
        lastGroupKeyId = e.data.keyId;
        groupKeyIds.add(e.data.keyId);
        groupKeys.push({ keyId: e.data.keyId, notBefore: e.data.notBefore, notAfter: e.data.notAfter });
        break;
      case 'permit':
        permitSequences.set(e.data.deviceId, e.data.sequence);
        break;
      case 'revoke':
        revokedMrns.add(mrnBindingKey(e.data.mrn));
        break;
      case 'setup':
      case 'secom':
        break;
    }
  });
  return {
    entries, head, mrnBindings, pseudonyms, extractedMmsis, lastGroupKeyId, groupKeyIds, groupKeys, permitSequences, revokedMrns,
    mrnConflicts: [...mrnConflicts].map(([mrn, mmsis]) => ({ mrn, mmsis: [...mmsis] })),
  };
}
