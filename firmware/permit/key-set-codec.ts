/**
 * The installed key set as the appliance persists it between starts (install.ts `KeySet`): the keys installed from
 * every permit so far, the merged group policy, and the highest permit sequence per issuer, which the next install's
 * rollback check compares against (S-63 §11.5). JSON in UTF-8, versioned; the caller stores it in its key store (0600, written atomically).
 * Pure: bytes in, bytes out; a file that does not decode is refused whole, never half read.
 */
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { GroupPolicyFileSchema, groupPolicyFile } from '../group-policy.js';
import { KEY_KINDS, type KeyKind } from './format.js';
import type { InstalledKey, KeySet } from './install.js';

export const KEY_SET_FORMAT = 'mibc-ais-installed-keys';
export const KEY_SET_VERSION = 1;

const hex = z.string().regex(/^(?:[0-9a-f]{2})+$/, 'must be lower-case hex');
const seconds = z.number().int().min(0);

const keySchema = z.strictObject({
  kind: z.enum(Object.keys(KEY_KINDS) as [KeyKind, ...KeyKind[]]),
  identity: z.string().min(1),
  epoch: z.number().int().min(0),
  notBefore: seconds,
  notAfter: seconds,
  issuerId: z.string().min(1),
  current: hex,
  next: hex.optional(),
});

const fileSchema = z.strictObject({
  format: z.literal(KEY_SET_FORMAT),
  version: z.literal(KEY_SET_VERSION),
  keys: z.array(keySchema),
  /** The group policy's entries, checked as a group-policy file's are. */
  groups: z.array(z.unknown()),
  sequences: z.record(z.string(), z.number().int().min(0)),
});

export class KeySetCodecError extends Error {
  override readonly name = 'KeySetCodecError';
}

export function encodeKeySet(set: KeySet): Uint8Array {
  const keys = set.keys.map((k) => ({
    kind: k.kind, identity: k.identity, epoch: k.epoch, notBefore: k.notBefore, notAfter: k.notAfter, issuerId: k.issuerId,
    current: bytesToHex(k.current), ...(k.next === undefined ? {} : { next: bytesToHex(k.next) }),
  }));
  const groups = groupPolicyFile({ groups: set.groups ?? [] }).groups;
  return utf8ToBytes(JSON.stringify({ format: KEY_SET_FORMAT, version: KEY_SET_VERSION, keys, groups, sequences: set.sequences }));
}

/** Throws KeySetCodecError naming the first problem. */
export function decodeKeySet(bytes: Uint8Array): KeySet {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new KeySetCodecError(`not JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KeySetCodecError(`${issue?.path.map(String).join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`);
  }
  const keys = parsed.data.keys.map((k): InstalledKey => {
    const current = hexToBytes(k.current);
    if (current.length !== KEY_KINDS[k.kind].length) throw new KeySetCodecError(`${k.kind} ${k.identity}: key is ${current.length} bytes`);
    const next = k.next === undefined ? undefined : hexToBytes(k.next);
    if (next !== undefined && next.length !== current.length) throw new KeySetCodecError(`${k.kind} ${k.identity}: next key is ${next.length} bytes`);
    return { kind: k.kind, identity: k.identity, epoch: k.epoch, notBefore: k.notBefore, notAfter: k.notAfter, issuerId: k.issuerId, current, next };
  });
  const policy = GroupPolicyFileSchema.safeParse({ format: 'mibc-ais-group-policy', version: 1, groups: parsed.data.groups });
  if (!policy.success) throw new KeySetCodecError(`groups: ${policy.error.issues[0]?.message ?? 'invalid'}`);
  return { keys, groups: policy.data.groups, sequences: parsed.data.sequences };
}
