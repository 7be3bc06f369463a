/**
 * Installing a key permit on the appliance: the checks of an S-63 Data Client installing PERMIT.TXT (§11.5), in
 * the same order, with our own stable alarm codes (alarms.ts):
 *   missing → format → not for this device → integrity (root → issuer certificate, issuer signature over the
 *   file, then the AEAD of every wrapped key; S-63 §1.5's "verify before decrypt") → issuer certificate
 *   validity → clock cross-check (SSE 14) → rollback → not yet valid → expired → 30 days or less left (warning).
 * A permit is installed whole or not at all, with one exception: records that have expired are left out with a
 * KEY_EXPIRED warning naming each, and the rest installs — a permit whose short-lived group key ran out must not
 * take the vessel's signing key with it. A permit with nothing left unexpired is refused (PERMIT_EXPIRED): an
 * expired record never replaces an installed key. The installed key set passed in is never modified — the caller
 * persists the returned set (atomically) or keeps the old one.
 * Time is injected (UTC seconds); the runtime supplies GNSS/AIS UTC as `reference` when it has it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { MAX_POLICY_GROUPS, mergePolicies, type GroupPolicyEntry } from '../group-policy.js';
import { PermitError, type PermitAlarmCode } from './alarms.js';
import { verifyIssuerCertificate } from './certificate.js';
import { decodePermitFile, recordAad, type KeyKind, type PermitFile } from './format.js';
import { applianceShared, deriveKek, unwrapKey } from './key-wrap.js';
import { equalBytes } from './_bytes.js';

export const DAY = 86_400;
/** S-63 §11.5.5: warn when the permit expires "within 30 days or less". */
export const DEFAULT_WARN_DAYS = 30;
/** Largest accepted difference between the system clock and GNSS/AIS UTC before expiry is decided. */
export const DEFAULT_MAX_CLOCK_SKEW = 300;

export interface DeviceKey {
  /** X25519 secret key of this appliance (32 bytes). */
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** deviceIdOf(publicKey). */
  readonly id: Uint8Array;
}

export interface InstallContext {
  readonly device: DeviceKey;
  /** Ed25519 public key of the authority root, installed independently of any permit (S-63 §6.2). */
  readonly rootPublicKey: Uint8Array;
  /** System clock, UTC seconds. */
  readonly now: number;
  /** GNSS/AIS UTC in seconds when available; checked against `now` (SSE 14). */
  readonly reference?: number | undefined;
  readonly maxClockSkew?: number;
  readonly warnDays?: number;
}

export interface InstalledKey {
  readonly kind: KeyKind;
  readonly identity: string;
  readonly epoch: number;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly issuerId: string;
  readonly current: Uint8Array;
  /** Key for epoch + 1, for a seamless rollover (S-63's CK2). */
  readonly next: Uint8Array | undefined;
}

export interface KeySet {
  readonly keys: readonly InstalledKey[];
  /** The group policy of the installed permits (firmware/group-policy.ts); empty: no hand-out is ever installed. */
  readonly groups?: readonly GroupPolicyEntry[];
  /** Highest installed permit sequence per issuer id (rollback protection). */
  readonly sequences: Readonly<Record<string, number>>;
}

export const EMPTY_KEY_SET: KeySet = Object.freeze({ keys: Object.freeze([]), groups: Object.freeze([]), sequences: Object.freeze({}) });

export interface PermitWarning {
  readonly code: Extract<PermitAlarmCode, 'PERMIT_EXPIRES_SOON' | 'KEY_EXPIRED'>;
  readonly kind: KeyKind;
  readonly identity: string;
  /** Whole days left (0 on the last day); negative once expired. */
  readonly daysLeft: number;
  /** UTC seconds. */
  readonly notAfter: number;
}

export type InstallResult =
  | { readonly ok: true; readonly keys: KeySet; readonly warnings: readonly PermitWarning[] }
  | { readonly ok: false; readonly error: PermitError };

function fail(code: PermitError['code'], detail: string, cause?: unknown): InstallResult {
  return { ok: false, error: new PermitError(code, detail, cause === undefined ? undefined : { cause }) };
}

function wipe(keys: readonly InstalledKey[]): void {
  for (const k of keys) {
    k.current.fill(0);
    k.next?.fill(0);
  }
}

/** Verifies and unwraps every key, or returns the PERMIT_INTEGRITY reason. */
function unwrapAll(file: PermitFile, device: DeviceKey): InstalledKey[] | string {
  const shared = applianceShared(device.secretKey, file.ephemeralKey);
  if (shared === undefined) return 'ephemeral key is not a usable X25519 point';
  const kek = deriveKek(shared, file.ephemeralKey, device.publicKey);
  shared.fill(0);
  const out: InstalledKey[] = [];
  try {
    for (const [i, r] of file.records.entries()) {
      const aad = recordAad(r);
      const current = unwrapKey(kek, i, 0, aad, r.current);
      const next = r.next === undefined ? undefined : unwrapKey(kek, i, 1, aad, r.next);
      if (current === undefined || (r.next !== undefined && next === undefined)) {
        current?.fill(0);
        wipe(out);
        return `record ${i} (${r.kind} ${r.identity}): wrapped key does not authenticate`;
      }
      const { kind, identity, epoch, notBefore, notAfter } = r;
      out.push({ kind, identity, epoch, notBefore, notAfter, issuerId: file.certificate.issuerId, current, next });
    }
    return out;
  } finally {
    kek.fill(0);
  }
}

function daysLeft(notAfter: number, now: number): number {
  return Math.floor((notAfter - now) / DAY);
}

/** Expiry alarms of one key at `now`: KEY_EXPIRED (permanent until replaced, S-63 SSE 25) or PERMIT_EXPIRES_SOON. */
function keyWarning(k: InstalledKey, now: number, warnDays: number): PermitWarning | undefined {
  const left = k.notAfter - now;
  const { kind, identity, notAfter } = k;
  if (left <= 0) return { code: 'KEY_EXPIRED', kind, identity, notAfter, daysLeft: daysLeft(notAfter, now) };
  if (left <= warnDays * DAY) return { code: 'PERMIT_EXPIRES_SOON', kind, identity, notAfter, daysLeft: daysLeft(notAfter, now) };
  return undefined;
}

/** The state alarms of the installed keys at `now`; the runtime shows KEY_EXPIRED for as long as it holds. */
export function keySetAlarms(keys: KeySet, now: number, warnDays: number = DEFAULT_WARN_DAYS): PermitWarning[] {
  return keys.keys.flatMap((k) => keyWarning(k, now, warnDays) ?? []);
}

/** Checks a permit file and returns the key set with it installed, or the reason it was refused. */
export function installPermit(file: Uint8Array | undefined, installed: KeySet, ctx: InstallContext): InstallResult {
  const { device, rootPublicKey, now } = ctx;
  if (!Number.isSafeInteger(now) || now < 0) throw new RangeError('now must be UTC seconds');
  if (device.id.length !== 16 || device.publicKey.length !== 32 || device.secretKey.length !== 32) {
    throw new RangeError('device key sizes');
  }
  if (file === undefined) return fail('PERMIT_MISSING', 'no permit file');
  // An empty file is a failed copy or transfer, not an absent permit: say so, under the same reason code.
  if (file.length === 0) return fail('PERMIT_MISSING', 'the permit file is empty');

  let permit: PermitFile;
  try {
    permit = decodePermitFile(file);
  } catch (err) {
    if (err instanceof PermitError) return { ok: false, error: err };
    throw err;
  }

  if (!equalBytes(permit.deviceId, device.id)) return fail('PERMIT_NOT_FOR_DEVICE', 'permit names another device id');

  const cert = permit.certificate;
  if (!verifyIssuerCertificate(cert, rootPublicKey)) {
    return fail('PERMIT_INTEGRITY', `issuer certificate ${cert.issuerId} is not signed by the authority root`);
  }
  let signed = false;
  try {
    signed = ed25519.verify(permit.signature, permit.signed, cert.publicKey);
  } catch (err) {
    return fail('PERMIT_INTEGRITY', 'issuer key or signature is not a valid encoding', err);
  }
  if (!signed) return fail('PERMIT_INTEGRITY', `signature of issuer ${cert.issuerId} does not verify`);
  const keys = unwrapAll(permit, device);
  if (typeof keys === 'string') return fail('PERMIT_INTEGRITY', keys);

  const refuse = (code: PermitError['code'], detail: string): InstallResult => {
    wipe(keys);
    return fail(code, detail);
  };
  if (!(cert.notBefore <= now && now < cert.notAfter)) {
    return refuse('ISSUER_CERTIFICATE_EXPIRED', `issuer certificate ${cert.issuerId} valid ${cert.notBefore}..${cert.notAfter}, now ${now}`);
  }
  const skew = ctx.maxClockSkew ?? DEFAULT_MAX_CLOCK_SKEW;
  if (ctx.reference !== undefined && Math.abs(ctx.reference - now) > skew) {
    return refuse('CLOCK_DISAGREES', `system ${now} vs GNSS/AIS UTC ${ctx.reference} (> ${skew} s)`);
  }
  const last = installed.sequences[cert.issuerId];
  if (last !== undefined && permit.sequence < last) {
    return refuse('PERMIT_ROLLBACK', `sequence ${permit.sequence} < installed ${last} from ${cert.issuerId}`);
  }
  const early = keys.find((k) => now < k.notBefore);
  if (early) return refuse('PERMIT_NOT_YET_VALID', `${early.kind} ${early.identity} valid from ${early.notBefore}`);
  const valid = keys.filter((k) => now < k.notAfter);
  const expired = keys.filter((k) => now >= k.notAfter);
  if (valid.length === 0) {
    const first = expired[0] as InstalledKey;
    return refuse('PERMIT_EXPIRED', `${first.kind} ${first.identity} expired at ${first.notAfter}${expired.length > 1 ? ` (and ${expired.length - 1} more)` : ''}`);
  }
  wipe(expired);

  const groups = mergePolicies({ groups: installed.groups ?? [] }, { groups: permit.groups }).groups;
  if (groups.length > MAX_POLICY_GROUPS) return refuse('PERMIT_FORMAT', `${groups.length} groups in the merged group policy, at most ${MAX_POLICY_GROUPS}`);

  const warnDays = ctx.warnDays ?? DEFAULT_WARN_DAYS;
  const warnings = [...expired, ...valid].flatMap((k) => keyWarning(k, now, warnDays) ?? []);
  // Merge as S-63 merges permits per data server (§5.3.3): the new permit replaces keys of the same kind and
  // identity and leaves every other installed key in place.
  // The kept keys are copied so that the new set shares no buffer with the old one: the caller may wipe the
  // old set once the new one is persisted.
  const replaced = (k: InstalledKey) => valid.some((n) => n.kind === k.kind && n.identity === k.identity);
  const kept = installed.keys.filter((k) => !replaced(k)).map((k) => ({ ...k, current: k.current.slice(), next: k.next?.slice() }));
  return {
    ok: true,
    keys: {
      keys: [...kept, ...valid],
      // Group-policy entries merge the same way: the new permit's entry for a group replaces the installed one.
      groups,
      sequences: { ...installed.sequences, [cert.issuerId]: permit.sequence },
    },
    warnings,
  };
}
