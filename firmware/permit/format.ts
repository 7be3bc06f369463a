/**
 * The key-permit file: S-63's PERMIT.TXT and cell-permit shape (§5.3: header with date and version, records
 * with name, expiry, ECK1/ECK2 and an issuer id, a signature file alongside) in binary, with modern crypto
 * (DESIGN.md §3, reference §1.10). All integers big-endian; times are UTC seconds (u48).
 *
 *   magic "MIKPF" 02 (01: the same without the group policy)
 *   issuedAt u48 | sequence u32 (S-63 ":VERSION", monotonic per issuer: refuses rollback)
 *   deviceId 16 | ephemeralKey 32 (X25519, see key-wrap.ts)
 *   certificate (u16 len) — the issuer certificate, signed by the authority root
 *   recordCount u16, then records:
 *     kind u8 | identity (u8 len, printable ASCII) | epoch u32 | notBefore u48 | notAfter u48
 *     current (u16 len, wrapped) | next (u16 len, wrapped; 0 = no next key)
 *   groupCount u8, then group-policy entries (firmware/group-policy.ts, docs/group-keys.md §2):
 *     groupId u16 | flags u8 (bit 0: member) | notBefore u48 | notAfter u48
 *     issuerCount u8, then issuers: mmsi u32 | notBefore u48 | notAfter u48
 *   signature 64 — the issuer's Ed25519 signature over every byte before it
 *
 * The keys are opaque byte strings of a fixed length per kind (the pairing keys are points whose encodings
 * crypto/ owns); only their lengths are checked here. The issuer id of every record is the certificate's.
 */
import { MAX_GROUP_ISSUERS, MAX_POLICY_GROUPS, policyProblem, type GroupPolicyEntry } from '../group-policy.js';
import { PermitError } from './alarms.js';
import { decodeIssuerCertificate, type IssuerCertificate } from './certificate.js';
import { DEVICE_ID_BYTES, WRAP_OVERHEAD } from './key-wrap.js';
import { Reader, TruncatedError, Writer } from './_bytes.js';

const MAGIC = new Uint8Array([0x4d, 0x49, 0x4b, 0x50, 0x46, 0x02]);
/** Version 1 files carry no group policy: read as an empty one (no hand-out is installed). */
const MAGIC_V1 = new Uint8Array([0x4d, 0x49, 0x4b, 0x50, 0x46, 0x01]);

/** Key kinds and the byte length of their (unwrapped) keys. */
export const KEY_KINDS = {
  /** BLMQ signing key SKs ∈ G1, compressed (DESIGN.md §3). */
  signing: { code: 1, length: 48 },
  /** SK-KEM decryption key SKd ∈ G2, compressed. */
  decryption: { code: 2, length: 96 },
  /** Mode-5 group AES key. */
  group: { code: 3, length: 16 },
} as const;
export type KeyKind = keyof typeof KEY_KINDS;

/** Named limits: a card object and the reassembly buffer are sized by these. */
export const MAX_PERMIT_BYTES = 32_768;
export const MAX_RECORDS = 64;
export const MAX_IDENTITY_BYTES = 64;
export const SIGNATURE_BYTES = 64;

export interface PermitRecordFields {
  readonly kind: KeyKind;
  /** Canonical identity string (e.g. an MRN or "mmsi:237000001"), printable ASCII. */
  readonly identity: string;
  /** Key epoch of the current key; the next key is for epoch + 1 (S-63's ECK1/ECK2). */
  readonly epoch: number;
  readonly notBefore: number;
  /** Exclusive; the permit's subscription expiry, covering current and next key as in S-63. */
  readonly notAfter: number;
}

export interface PermitRecord extends PermitRecordFields {
  readonly current: Uint8Array;
  readonly next: Uint8Array | undefined;
}

export interface PermitHeader {
  readonly issuedAt: number;
  readonly sequence: number;
  readonly deviceId: Uint8Array;
  readonly ephemeralKey: Uint8Array;
}

export interface PermitFile extends PermitHeader {
  readonly certificate: IssuerCertificate;
  readonly records: readonly PermitRecord[];
  /** Who may hand out keys of which group, and which groups this appliance belongs to; signed with the rest. */
  readonly groups: readonly GroupPolicyEntry[];
  /** Every byte before the signature. */
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

const KIND_BY_CODE = new Map<number, KeyKind>(
  (Object.keys(KEY_KINDS) as KeyKind[]).map((k) => [KEY_KINDS[k].code, k]),
);
const IDENTITY = /^[\x21-\x7e]+$/;

/** The record's clear fields as bytes: the AEAD's associated data (key-wrap.ts). */
export function recordAad(r: PermitRecordFields): Uint8Array {
  return new Writer()
    .u8(KEY_KINDS[r.kind].code)
    .short(new TextEncoder().encode(r.identity))
    .u32(r.epoch)
    .u48(r.notBefore)
    .u48(r.notAfter)
    .finish();
}

function checkRecord(r: PermitRecord): string | undefined {
  const wrapped = KEY_KINDS[r.kind].length + WRAP_OVERHEAD;
  if (!IDENTITY.test(r.identity) || r.identity.length > MAX_IDENTITY_BYTES) return 'identity';
  if (!(r.notBefore < r.notAfter)) return 'notBefore must be before notAfter';
  if (r.current.length !== wrapped) return `current key must be ${wrapped} wrapped bytes`;
  if (r.next !== undefined && r.next.length !== wrapped) return `next key must be ${wrapped} wrapped bytes`;
  if (r.next !== undefined && r.epoch === 0xffffffff) return 'no epoch after 2^32-1';
  return undefined;
}

/** The signed part of a permit file. Throws RangeError on fields out of range (issuer-side misuse). */
export function encodePermitBody(
  h: PermitHeader,
  certificate: Uint8Array,
  records: readonly PermitRecord[],
  groups: readonly GroupPolicyEntry[] = [],
): Uint8Array {
  if (h.deviceId.length !== DEVICE_ID_BYTES || h.ephemeralKey.length !== 32) throw new RangeError('deviceId/ephemeralKey size');
  if (records.length < 1 || records.length > MAX_RECORDS) throw new RangeError(`1..${MAX_RECORDS} records`);
  const w = new Writer().bytes(MAGIC).u48(h.issuedAt).u32(h.sequence).bytes(h.deviceId).bytes(h.ephemeralKey);
  w.long(certificate).u16(records.length);
  for (const r of records) {
    const bad = checkRecord(r);
    if (bad) throw new RangeError(`record ${r.identity}: ${bad}`);
    w.bytes(recordAad(r)).long(r.current).long(r.next ?? new Uint8Array(0));
  }
  const bad = policyProblem({ groups });
  if (bad) throw new RangeError(`group policy: ${bad}`);
  w.u8(groups.length);
  for (const g of groups) {
    w.u16(g.groupId).u8(g.member ? 1 : 0).u48(g.notBefore).u48(g.notAfter).u8(g.issuers.length);
    for (const i of g.issuers) w.u32(i.mmsi).u48(i.notBefore).u48(i.notAfter);
  }
  return w.finish();
}

export function encodePermitFile(body: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signature.length !== SIGNATURE_BYTES) throw new RangeError('signature must be 64 bytes');
  const out = new Uint8Array(body.length + SIGNATURE_BYTES);
  out.set(body);
  out.set(signature, body.length);
  if (out.length > MAX_PERMIT_BYTES) throw new RangeError(`permit file exceeds ${MAX_PERMIT_BYTES} bytes`);
  return out;
}

/** Structural decode (S-63's "format" check, SSE 12): throws PermitError PERMIT_FORMAT. Verifies nothing. */
export function decodePermitFile(bytes: Uint8Array): PermitFile {
  const fail = (detail: string, cause?: unknown): never => {
    throw new PermitError('PERMIT_FORMAT', detail, cause === undefined ? undefined : { cause });
  };
  if (bytes.length > MAX_PERMIT_BYTES) fail(`larger than ${MAX_PERMIT_BYTES} bytes`);
  try {
    const r = new Reader(bytes);
    const magic = r.bytes(MAGIC.length);
    const v1 = magic.every((b, i) => b === MAGIC_V1[i]);
    if (!v1 && !magic.every((b, i) => b === MAGIC[i])) fail('not a key permit (magic)');
    const issuedAt = r.u48();
    const sequence = r.u32();
    const deviceId = r.bytes(DEVICE_ID_BYTES).slice();
    const ephemeralKey = r.bytes(32).slice();
    const certificate = decodeIssuerCertificate(r.bytes(r.u16()));
    const count = r.u16();
    if (count < 1 || count > MAX_RECORDS) fail(`record count ${count} not in 1..${MAX_RECORDS}`);
    const records: PermitRecord[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const kind = KIND_BY_CODE.get(r.u8());
      if (kind === undefined) fail(`record ${i}: unknown key kind`);
      const identity = String.fromCharCode(...r.bytes(r.u8()));
      const epoch = r.u32();
      const notBefore = r.u48();
      const notAfter = r.u48();
      const current = r.bytes(r.u16()).slice();
      const nextLen = r.u16();
      const next = nextLen === 0 ? undefined : r.bytes(nextLen).slice();
      const record: PermitRecord = { kind: kind!, identity, epoch, notBefore, notAfter, current, next };
      const bad = checkRecord(record);
      if (bad) fail(`record ${i}: ${bad}`);
      const key = `${kind}\u0000${identity}`;
      if (seen.has(key)) fail(`record ${i}: duplicate ${kind} key for ${identity}`);
      seen.add(key);
      records.push(record);
    }
    const groups = v1 ? [] : readGroups(r, fail);
    if (r.remaining !== SIGNATURE_BYTES) fail(`expected a 64-byte signature at the end, found ${r.remaining} bytes`);
    const signed = bytes.slice(0, r.offset);
    const signature = r.bytes(SIGNATURE_BYTES).slice();
    return { issuedAt, sequence, deviceId, ephemeralKey, certificate, records, groups, signed, signature };
  } catch (err) {
    if (err instanceof TruncatedError) return fail('truncated', err);
    throw err;
  }
}

function readGroups(r: Reader, fail: (detail: string) => never): GroupPolicyEntry[] {
  const count = r.u8();
  if (count > MAX_POLICY_GROUPS) fail(`${count} group-policy entries, at most ${MAX_POLICY_GROUPS}`);
  const groups: GroupPolicyEntry[] = [];
  for (let i = 0; i < count; i++) {
    const groupId = r.u16();
    const flags = r.u8();
    if ((flags & ~1) !== 0) fail(`group ${groupId}: unknown flags ${flags}`);
    const notBefore = r.u48();
    const notAfter = r.u48();
    const n = r.u8();
    if (n > MAX_GROUP_ISSUERS) fail(`group ${groupId}: ${n} issuers, at most ${MAX_GROUP_ISSUERS}`);
    const issuers = Array.from({ length: n }, () => ({ mmsi: r.u32(), notBefore: r.u48(), notAfter: r.u48() }));
    groups.push({ groupId, member: (flags & 1) === 1, notBefore, notAfter, issuers });
  }
  const bad = policyProblem({ groups });
  if (bad) fail(`group policy: ${bad}`);
  return groups;
}
