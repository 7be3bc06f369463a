/**
 * The receiving half of the mIBC-AIS-App (paper §5.3 "on the receiver side"): VDM from the radio in; secured
 * messages 6/8 reassembled, verified or decrypted, and the original message handed to the display as an ordinary
 * VDM followed by a `$PMIBV` status (firmware/status.ts). Plain traffic is forwarded flagged (default) or dropped.
 * Nothing that fails a check is ever shown as content; every rejection is reported with a stable reason code.
 * Plain reports of senders that use amortised authentication (kinds 5/6, docs/amortised-auth.md) are shown pending
 * (`P`) and later authenticated (`V`, mode `A`) or failed (`F`), never authenticated before their key is verified.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CryptoError, groupOpen } from '../crypto/index.js';
import {
  decodeAis, encodeVdm, isVdm, NmeaError, parseSentence, parseVdm, SequentialId, VdmAssembler,
  type AisBits as NmeaBits, type AisMessage,
} from '../nmea/index.js';
import {
  AEAD_TAG_BYTES, bodyTime, decodeGroup, decodeGroupKeyGrant, decodeKem, decodeSignedAttached, decodeSignedInline,
  groupHeader, kemSignedPart, KemPurpose, type AisBits,
} from './bodies.js';
import {
  aisChannelOf, AmortisedReceiver, FailReason, NoticeCode, reportFromBits, type ReceiverEvent, type ReceiverLimits,
} from './amortised/index.js';
import { decodeEnvelopeMessage, Kind } from './envelope.js';
import { EnvelopeError } from './errors.js';
import { epochForParity, epochOf } from './epoch.js';
import { reconstructSecond, ReplayGuard } from './freshness.js';
import { GroupKeyRing, VerifierCache, type GroupKey, type IdentityKind, type OwnIdentity, type SystemParams } from './keyring.js';
import { Reassembler, type ReassemblerLimits } from './reassembler.js';
import { kemAssociatedData } from './kem-binding.js';
import { signedMessage } from './signed-message.js';
import type { UtcReport } from './pipeline.js';
import { formatStatus, Result, type Status } from './status.js';

export type UnverifiedPolicy = 'flag' | 'drop';

export interface RxOptions {
  readonly dac: number;
  readonly fi: number;
  /** Plain (unauthenticated) traffic: forward it with a `U` status (default) or drop it. */
  readonly policy: UnverifiedPolicy;
  readonly freshnessWindowS: number;
  readonly reassembler: Partial<ReassemblerLimits>;
  /** Recent plain reports kept per sender for attached signatures to refer to. */
  readonly attachedPerSender: number;
  readonly attachedSenders: number;
  /** Accept group keys only from these MMSIs (a fleet's key issuers); undefined accepts any verified sender. */
  readonly groupKeyIssuers?: readonly number[];
  /** Limits of the amortised-authentication receiver (firmware/amortised DEFAULT_RECEIVER_LIMITS otherwise). */
  readonly amortised: Partial<ReceiverLimits>;
}

export const DEFAULT_RX_OPTIONS: RxOptions = {
  dac: 0,
  fi: 58,
  policy: 'flag',
  freshnessWindowS: 30,
  reassembler: {},
  attachedPerSender: 4,
  attachedSenders: 4096,
  amortised: {},
};

export interface RxKeys {
  readonly params: SystemParams;
  /** This vessel's identity: needed to decrypt mode 4 messages addressed to it. */
  readonly identity?: OwnIdentity;
  readonly groupKeys?: GroupKeyRing;
}

/** Why a secured message was rejected; also the `reason` field of `$PMIBV,F`. */
export type RejectReason =
  | 'MALFORMED'
  | 'BAD_SIGNATURE'
  | 'WRONG_SENDER'
  | 'NO_MATCHING_REPORT'
  | 'NO_GROUP_KEY'
  | 'BAD_TAG'
  | 'NO_KEY'
  | 'UNTRUSTED_KEY_ISSUER'
  | 'UNSUPPORTED_KIND'
  | AmortisedReason
  | EnvelopeError['code'];

/** `$PMIBV,F` reasons of amortised authentication: a report's failure, or a rejected kind 5/6 body. */
const AMORTISED_FAIL = {
  [FailReason.TagMismatch]: 'TAG_MISMATCH',
  [FailReason.NoTag]: 'NO_TAG',
  [FailReason.Collision]: 'TAG_COLLISION',
  [FailReason.Unverifiable]: 'UNVERIFIABLE',
  [FailReason.Expired]: 'AUTH_EXPIRED',
  [FailReason.Stale]: 'STALE',
  [FailReason.Flood]: 'FLOOD',
  [FailReason.Evicted]: 'EVICTED',
} as const satisfies Record<FailReason, string>;

/** Notices that reject a body; the others (anchor accepted, buffer full, sender evicted) are only counted. */
const AMORTISED_REJECT: Partial<Record<NoticeCode, string>> = {
  [NoticeCode.AnchorBadSignature]: 'BAD_SIGNATURE',
  [NoticeCode.AnchorStale]: 'STALE',
  [NoticeCode.BodyMalformed]: 'MALFORMED',
  [NoticeCode.BatchUnsafe]: 'BATCH_UNSAFE',
  [NoticeCode.KeyRejected]: 'KEY_REJECTED',
  [NoticeCode.KeyTooFar]: 'KEY_TOO_FAR',
  [NoticeCode.EarlyDisclosure]: 'EARLY_DISCLOSURE',
};

type AmortisedReason = (typeof AMORTISED_FAIL)[FailReason] | 'BATCH_UNSAFE' | 'KEY_REJECTED' | 'KEY_TOO_FAR' | 'EARLY_DISCLOSURE';

interface HeldReport {
  readonly bits: NmeaBits;
  readonly message: AisMessage;
  readonly lines: readonly string[];
  readonly channel: string;
  readonly receivedSecond: number;
  readonly receivedMs: number;
  verified: boolean;
  /** Handed to the amortised receiver, which now decides its status. */
  fed: boolean;
  /** The amortised receiver's id for it, while its final status is awaited. */
  amortisedId?: number;
}

/** What a `$PMIBV` line about an amortised report names, and the report's lines for the drop policy. */
interface ShownReport {
  readonly type: number;
  readonly second: number;
  readonly lines: readonly string[];
}

export interface RxCounters {
  lines: number;
  forwarded: number;
  plain: number;
  verified: number;
  /** Plain reports of amortising senders shown pending. */
  pending: number;
  decrypted: number;
  keysInstalled: number;
  rejected: Record<string, number>;
  malformedLines: number;
  notForUs: number;
  droppedUnverified: number;
  /** Notices of the amortised receiver by code (firmware/amortised NoticeCode). */
  notices: Record<string, number>;
}

type Channel = '' | 'A' | 'B' | '1' | '2';

class Reject extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

export class SecureRx {
  readonly options: RxOptions;
  readonly counters: RxCounters = {
    lines: 0, forwarded: 0, plain: 0, verified: 0, pending: 0, decrypted: 0, keysInstalled: 0, rejected: {}, malformedLines: 0, notForUs: 0,
    droppedUnverified: 0, notices: {},
  };
  /** Told of every group key installed from a mode-4 hand-out. */
  onGroupKey: ((key: GroupKey, from: number) => void) | undefined;
  private readonly assembler = new VdmAssembler({ maxPending: 64, timeoutMs: 10_000 });
  private readonly reassembler: Reassembler;
  private readonly replay: ReplayGuard;
  private readonly verifiers: VerifierCache;
  private readonly groupKeys: GroupKeyRing;
  private readonly held = new Map<number, HeldReport[]>();
  private readonly seq = new SequentialId();
  private readonly amortised: AmortisedReceiver;
  /**
   * Senders heard sending kind 5/6 bodies → receiver second of the last one, least recent first; bounded by the
   * receiver's `maxSenders`, expiring after its `pendingExpiryS`. Only their plain reports are fed to the amortised
   * receiver, so a ship that never amortises stays `U` instead of ending pending and failed, and does not take a
   * place in the receiver's sender table.
   */
  private readonly amortisers = new Map<number, number>();
  /**
   * Amortised reports awaiting their final status, by receiver id. Bounded by the receiver's own limits: it holds at
   * most maxSenders × maxPendingReportsPerSender reports and ends each in exactly one final event.
   */
  private readonly shown = new Map<number, ShownReport>();
  /** The reconstructed second of the body being handled: the anchor's key epoch follows from it. */
  private bodySecond = 0;
  private lastAmortisedTickS = Number.NEGATIVE_INFINITY;

  constructor(
    options: Partial<RxOptions>,
    private readonly keys: RxKeys,
  ) {
    this.options = { ...DEFAULT_RX_OPTIONS, ...options };
    this.reassembler = new Reassembler(this.options.reassembler);
    this.replay = new ReplayGuard({ freshnessWindowS: this.options.freshnessWindowS });
    this.verifiers = new VerifierCache(keys.params);
    this.groupKeys = keys.groupKeys ?? new GroupKeyRing();
    this.amortised = new AmortisedReceiver({
      limits: this.options.amortised,
      // The anchor is signed by its source MMSI (ext = 0), with the key of the epoch its second falls in.
      verify: (mmsi, parity, msg, sig) => this.verify('mmsi', mmsi, epochForParity(this.bodySecond, parity, keys.params.epochSeconds), msg, sig),
    });
  }

  /** One line from the radio side; returns the lines for the display side. */
  push(line: string, nowMs: number): string[] {
    this.counters.lines++;
    const out: string[] = [];
    let s;
    try {
      s = parseSentence(line);
    } catch (e) {
      if (!(e instanceof NmeaError)) throw e;
      this.counters.malformedLines++;
      return out;
    }
    if (!isVdm(s)) {
      this.counters.forwarded++;
      return [line];
    }
    let assembled;
    let message: AisMessage;
    try {
      assembled = this.assembler.push(parseVdm(s), nowMs);
      if (assembled === undefined) return out;
      message = decodeAis(assembled.bits);
    } catch (e) {
      if (!(e instanceof NmeaError)) throw e;
      this.counters.malformedLines++;
      return out;
    }
    const channel = assembled.fragments[assembled.fragments.length - 1]?.channel ?? '';
    const lines = assembled.fragments.map((f) => f.sentence.raw);
    if ((message.type === 8 || message.type === 6) && message.dac === this.options.dac && message.fid === this.options.fi) {
      this.secured(message, channel, nowMs, out);
    } else {
      this.plainMessage(assembled.bits, message, lines, channel, nowMs, out);
    }
    this.expire(nowMs, out);
    return out;
  }

  /**
   * Time passes: incomplete groups and held plain reports expire; amortised reports whose evidence can no longer
   * arrive fail (evaluated at most once per second: it costs a pass over every amortising sender's reports and tags).
   */
  tick(nowMs: number): string[] {
    const out: string[] = [];
    this.expire(nowMs, out);
    const second = Math.floor(nowMs / 1000);
    if (second > this.lastAmortisedTickS) {
      this.lastAmortisedTickS = second;
      this.amortisedEvents(this.amortised.tick(nowMs / 1000), out);
      const horizon = nowMs / 1000 - this.amortised.limits.pendingExpiryS;
      for (const [mmsi, lastS] of this.amortisers) if (lastS < horizon) this.amortisers.delete(mmsi);
    }
    return out;
  }

  private expire(nowMs: number, out: string[]): void {
    for (const e of this.reassembler.expire(nowMs)) this.reportDrop(e, out);
    const horizon = Math.floor(nowMs / 1000) - this.options.freshnessWindowS;
    for (const [mmsi, list] of this.held) {
      const keep = list.filter((h) => h.receivedSecond >= horizon);
      if (this.options.policy === 'drop') this.counters.droppedUnverified += list.filter((h) => h.receivedSecond < horizon && !h.verified && !h.fed).length;
      if (keep.length === 0) this.held.delete(mmsi);
      else if (keep.length !== list.length) this.held.set(mmsi, keep);
    }
  }

  /** Base-station UTC (message 4) heard since the last `takeUtcReports`, newest last; at most MAX_UTC_REPORTS. */
  private utcReports: UtcReport[] = [];

  takeUtcReports(): UtcReport[] {
    const out = this.utcReports;
    this.utcReports = [];
    return out;
  }

  private noteBaseStationUtc(m: AisMessage): void {
    const utcMs = baseStationUtcMs(m);
    if (utcMs === undefined) return;
    this.utcReports.push({ utcMs, mmsi: m.mmsi });
    if (this.utcReports.length > MAX_UTC_REPORTS) this.utcReports.shift();
  }

  private plainMessage(bits: NmeaBits, message: AisMessage, lines: readonly string[], channel: string, nowMs: number, out: string[]): void {
    this.counters.plain++;
    if (message.type === 4) this.noteBaseStationUtc(message);
    const h: HeldReport = { bits, message, lines, channel, receivedSecond: Math.floor(nowMs / 1000), receivedMs: nowMs, verified: false, fed: false };
    this.hold(h);
    if (this.amortisers.has(message.mmsi) && this.feedAmortised(h, true, out)) return;
    if (this.options.policy === 'drop') return;
    this.counters.forwarded++;
    out.push(...lines, formatStatus({ result: Result.Unverified, mode: 1, source: message.mmsi, messageType: message.type }));
  }

  private hold(h: HeldReport): void {
    const mmsi = h.message.mmsi;
    let list = this.held.get(mmsi);
    if (list === undefined) {
      if (this.held.size >= this.options.attachedSenders) {
        const oldest = this.held.keys().next().value as number;
        this.held.delete(oldest);
      }
      list = [];
    } else {
      this.held.delete(mmsi); // re-insert so Map order stays least-recently-heard first
    }
    list.push(h);
    if (list.length > this.options.attachedPerSender) list.shift();
    this.held.set(mmsi, list);
  }

  private secured(m: AisMessage, channel: string, nowMs: number, out: string[]): void {
    const source = m.mmsi;
    const destination = m.type === 6 ? (m.dest_mmsi as number) : undefined;
    if (destination !== undefined && this.keys.identity !== undefined && destination !== this.keys.identity.mmsi) {
      this.counters.notForUs++;
      return;
    }
    let r;
    try {
      const env = decodeEnvelopeMessage(m.data as Uint8Array);
      r = this.reassembler.push(destination === undefined ? { source } : { source, destination }, env, nowMs);
    } catch (e) {
      if (e instanceof EnvelopeError) return this.reject(e.code, source, out);
      throw e;
    }
    for (const e of r.dropped) this.reportDrop(e, out);
    if (r.status !== 'complete') return;
    // The reassembler offers at most one candidate: the body that matches its fragment 0's commitment.
    // Amortised bodies are only checked later (against a disclosed key), so every candidate is handed over.
    const handAll = r.kind === Kind.ChainAnchor || r.kind === Kind.ChainBatch;
    let firstFailure: RejectReason | undefined;
    let accepted = false;
    for (const body of r.candidates) {
      const failure = this.tryBody(source, destination, r.kind, r.ext, body, channel, nowMs, out);
      if (failure === undefined) {
        accepted = true;
        if (!handAll) break;
      } else {
        firstFailure ??= failure;
      }
    }
    if (accepted) r.settle();
    else this.reject(firstFailure as RejectReason, source, out);
  }

  /** Handles one reassembled body; returns the rejection reason, or undefined when it was accepted. */
  private tryBody(source: number, destination: number | undefined, kind: Kind, ext: boolean, body: Uint8Array, channel: string, nowMs: number, out: string[]): RejectReason | undefined {
    try {
      const time = bodyTime(kind, ext, body);
      const second = reconstructSecond(time.residue, time.bits, Math.floor(nowMs / 1000));
      // STALE or FUTURE before any pairing is spent.
      this.replay.checkFresh(second, Math.floor(nowMs / 1000));
      switch (kind) {
        case Kind.SignedInline:
          this.signedInline(source, ext, body, second, channel, nowMs, out);
          return undefined;
        case Kind.SignedAttached:
          this.signedAttached(source, ext, body, second, nowMs, out);
          return undefined;
        case Kind.Group:
          this.group(source, body, second, channel, nowMs, out);
          return undefined;
        case Kind.Kem:
          this.kem(source, destination, body, second, channel, nowMs, out);
          return undefined;
        case Kind.ChainAnchor:
        case Kind.ChainBatch:
          this.amortisedBody(source, kind, ext, body, second, nowMs, out);
          return undefined;
        default:
          return 'UNSUPPORTED_KIND';
      }
    } catch (e) {
      if (e instanceof Reject) return e.reason;
      if (e instanceof EnvelopeError) return e.code;
      if (e instanceof CryptoError) return 'MALFORMED';
      throw e;
    }
  }

  private verify(kind: IdentityKind, signer: number, epoch: number, msg: Uint8Array, sig: Uint8Array): boolean {
    return this.verifiers.get(kind, signer, epoch).verify(msg, sig);
  }

  private signedInline(source: number, ext: boolean, bytes: Uint8Array, second: number, channel: string, nowMs: number, out: string[]): void {
    const b = decodeSignedInline(bytes, ext);
    const signer = b.signer ?? source;
    const report = toNmeaBits(b.report);
    const message = decodeReport(report);
    // A ship vouches only for its own reports: the report's MMSI must be the identity that signed it.
    if (message.mmsi !== signer) throw new Reject('WRONG_SENDER', `report of ${message.mmsi} signed by ${signer}`);
    const epoch = epochOf(second, this.keys.params.epochSeconds);
    const msg = signedMessage({ kind: Kind.SignedInline, source, signer, destination: 0, second, content: report.bytes, contentBits: report.bitLength });
    if (!this.verify(ext ? 'pseudo-mmsi' : 'mmsi', signer, epoch, msg, b.signature)) throw new Reject('BAD_SIGNATURE', 'signature does not verify');
    this.replay.accept(source, Kind.SignedInline, second, sha256(b.signature).subarray(0, 16), Math.floor(nowMs / 1000));
    this.counters.verified++;
    this.emit(report, channel, { result: Result.Verified, mode: ext ? 3 : 2, source, identity: signer, messageType: message.type, second }, out);
  }

  private signedAttached(source: number, ext: boolean, bytes: Uint8Array, second: number, nowMs: number, out: string[]): void {
    const b = decodeSignedAttached(bytes, ext);
    const signer = b.signer ?? source;
    const epoch = epochOf(second, this.keys.params.epochSeconds);
    const window = this.options.freshnessWindowS;
    const candidates = (this.held.get(signer) ?? []).filter((h) => !h.verified && Math.abs(h.receivedSecond - second) <= window);
    if (candidates.length === 0) throw new Reject('NO_MATCHING_REPORT', `no recent plain report from ${signer} for this signature`);
    // Newest first: the signature usually follows its report within a second or two.
    for (const h of [...candidates].reverse()) {
      const msg = signedMessage({ kind: Kind.SignedAttached, source: h.message.mmsi, signer, destination: 0, second, content: h.bits.bytes, contentBits: h.bits.bitLength });
      if (!this.verify(ext ? 'pseudo-mmsi' : 'mmsi', signer, epoch, msg, b.signature)) continue;
      this.replay.accept(source, Kind.SignedAttached, second, sha256(b.signature).subarray(0, 16), Math.floor(nowMs / 1000));
      h.verified = true;
      // A sender that just left amortised mode: its signature settles the report, so no later amortised F follows.
      if (h.amortisedId !== undefined) this.shown.delete(h.amortisedId);
      this.counters.verified++;
      const status: Status = { result: Result.Verified, mode: ext ? 3 : 2, source, identity: signer, messageType: h.message.type, second };
      // With the drop policy the report was held back until now; with flag it went out already, marked U.
      if (this.options.policy === 'drop') out.push(...h.lines);
      out.push(formatStatus(status));
      return;
    }
    throw new Reject('BAD_SIGNATURE', 'attached signature matches no recent report');
  }

  private group(source: number, bytes: Uint8Array, second: number, channel: string, nowMs: number, out: string[]): void {
    const b = decodeGroup(bytes);
    const keys = this.groupKeys.forSlot(b.keySlot, second);
    if (keys.length === 0) throw new Reject('NO_GROUP_KEY', `no group key for slot ${b.keySlot} at ${second}`);
    const sealed = new Uint8Array(b.ciphertext.length + AEAD_TAG_BYTES);
    sealed.set(b.ciphertext);
    sealed.set(b.tag, b.ciphertext.length);
    for (const k of keys) {
      let plain: Uint8Array;
      try {
        plain = groupOpen(k.key, { keyId: k.keyId, mmsi: source, utcSeconds: second, counter: b.counter }, sealed, { aad: groupHeader(b), tagLength: AEAD_TAG_BYTES });
      } catch (e) {
        if (e instanceof CryptoError) continue;
        throw e;
      }
      const report = toNmeaBits({ bytes: plain, fill: b.fill });
      const message = decodeReport(report);
      if (message.mmsi !== source) throw new Reject('WRONG_SENDER', `group member ${source} sent a report of ${message.mmsi}`);
      this.replay.accept(source, Kind.Group, second, b.tag, Math.floor(nowMs / 1000));
      this.counters.decrypted++;
      this.emit(report, channel, { result: Result.Decrypted, mode: 5, source, identity: source, messageType: message.type, second }, out);
      return;
    }
    throw new Reject('BAD_TAG', 'no group key opens this message');
  }

  private kem(source: number, destination: number | undefined, bytes: Uint8Array, second: number, channel: string, nowMs: number, out: string[]): void {
    const id = this.keys.identity;
    if (id === undefined || destination === undefined) throw new Reject('NO_KEY', 'mode 4 message but no own identity key');
    const b = decodeKem(bytes);
    const epoch = epochOf(second, this.keys.params.epochSeconds);
    const part = kemSignedPart(b);
    // Authenticate before decrypting: SK-KEM alone says nothing about who sent it.
    const msg = signedMessage({ kind: Kind.Kem, source, signer: source, destination, second, content: part, contentBits: part.length * 8 });
    if (!this.verify('mmsi', source, epoch, msg, b.signature)) throw new Reject('BAD_SIGNATURE', 'mode 4 sender signature does not verify');
    if (!id.hasEpoch(epoch)) throw new Reject('NO_KEY', `no decryption key for epoch ${epoch}`);
    const key = id.decryptor(epoch).decapsulate(b.kemCiphertext);
    let content: Uint8Array;
    try {
      const aad = kemAssociatedData({ sender: source, recipient: destination, second, purpose: b.purpose, fill: b.fill, kemCiphertext: b.kemCiphertext });
      content = groupOpen(key, { keyId: 0, mmsi: destination, utcSeconds: second, counter: 0 }, b.sealed, { aad, tagLength: AEAD_TAG_BYTES });
    } catch (e) {
      if (e instanceof CryptoError) throw new Reject('BAD_TAG', 'mode 4 content does not open');
      throw e;
    } finally {
      key.fill(0);
    }
    this.replay.accept(source, Kind.Kem, second, sha256(b.signature).subarray(0, 16), Math.floor(nowMs / 1000));
    if (b.purpose === KemPurpose.GroupKey) {
      const issuers = this.options.groupKeyIssuers;
      if (issuers !== undefined && !issuers.includes(source)) throw new Reject('UNTRUSTED_KEY_ISSUER', `${source} may not issue group keys`);
      const grant = decodeGroupKeyGrant(content);
      this.groupKeys.add(grant);
      this.counters.keysInstalled++;
      this.onGroupKey?.(grant, source);
      out.push(formatStatus({ result: Result.KeyInstalled, mode: 4, source, identity: source, second, reason: `KEY_${grant.keyId}` }));
      return;
    }
    const report = toNmeaBits({ bytes: content, fill: b.fill });
    const message = decodeReport(report);
    // Refused, not shown with both identities: a display plots a report at the MMSI it names.
    if (message.mmsi !== source) throw new Reject('WRONG_SENDER', `mode 4 report of ${message.mmsi} sent by ${source}`);
    this.counters.decrypted++;
    this.emit(report, channel, { result: Result.Decrypted, mode: 4, source, identity: source, messageType: message.type, second }, out);
  }

  /**
   * A kind 5/6 body. The sender becomes an amortising one, and the plain reports already held from it are handed to
   * the amortised receiver with their own receive times (a late joiner loses none of the reports heard before).
   */
  private amortisedBody(source: number, kind: number, ext: boolean, body: Uint8Array, second: number, nowMs: number, out: string[]): void {
    // Anchors are verified under the source MMSI; a body naming another signer is not part of this scheme.
    if (ext) throw new Reject('MALFORMED', `kind ${kind} with a signer field (ext = 1)`);
    // Nothing in a batch can be verified on arrival. Recording it unverified cannot crowd out other entries: the VDL
    // carries ≈ 4,500 messages per 30-s window on both channels, far below the guard's 65,536.
    this.replay.accept(source, kind, second, sha256(body).subarray(0, 16), Math.floor(nowMs / 1000));
    const known = this.amortisers.has(source);
    this.amortisers.delete(source);
    if (this.amortisers.size >= this.amortised.limits.maxSenders) {
      const oldest = this.amortisers.keys().next().value as number;
      this.amortisers.delete(oldest);
    }
    this.amortisers.set(source, nowMs / 1000);
    if (!known) for (const h of this.held.get(source) ?? []) if (!h.fed) this.feedAmortised(h, false, out);
    this.bodySecond = second;
    this.amortisedEvents(this.amortised.onBody(source, kind, body, nowMs / 1000), out);
  }

  /**
   * Hands a plain report to the amortised receiver; false when its channel is unknown (the tag binds it), so that it
   * stays an ordinary unverified report. `fresh`: the report's lines have not been shown yet.
   */
  private feedAmortised(h: HeldReport, fresh: boolean, out: string[]): boolean {
    const ch = aisChannelOf(h.channel);
    if (ch === undefined) return false;
    const report = reportFromBits(h.message.type, h.receivedSecond, ch, h.bits.bytes, h.bits.bitLength);
    const events = this.amortised.onReport(h.message.mmsi, report, h.receivedMs / 1000);
    const first = events[0];
    if (first?.type === 'report') {
      // With the flag policy a report is shown on arrival (pending, or earlier as U); with drop only once authenticated.
      const flag = this.options.policy === 'flag';
      this.shown.set(first.id, { type: h.message.type, second: h.receivedSecond, lines: flag ? [] : h.lines });
      h.amortisedId = first.id;
      if (fresh && flag) {
        this.counters.forwarded++;
        out.push(...h.lines);
      }
    }
    h.fed = true;
    this.amortisedEvents(events, out);
    return true;
  }

  private amortisedEvents(events: readonly ReceiverEvent[], out: string[]): void {
    for (const ev of events) {
      if (ev.type === 'notice') {
        this.counters.notices[ev.code] = (this.counters.notices[ev.code] ?? 0) + 1;
        const reason = AMORTISED_REJECT[ev.code];
        if (reason !== undefined) {
          this.count(reason);
          out.push(formatStatus({ result: Result.Failed, mode: 'A', source: ev.mmsi, reason }));
        }
        continue;
      }
      const r = this.shown.get(ev.id);
      if (r === undefined) continue;
      const about = { mode: 'A' as const, source: ev.mmsi, messageType: r.type, second: r.second };
      if (ev.status === 'pending') {
        this.counters.pending++;
        if (this.options.policy === 'flag') out.push(formatStatus({ result: Result.Pending, ...about }));
        continue;
      }
      this.shown.delete(ev.id);
      if (ev.status === 'authenticated') {
        this.counters.verified++;
        if (r.lines.length > 0) this.counters.forwarded++;
        out.push(...r.lines, formatStatus({ result: Result.Verified, identity: ev.mmsi, ...about }));
      } else {
        // The receiver gives every failure a reason; the type leaves it optional only for the other statuses.
        const reason = AMORTISED_FAIL[ev.reason ?? FailReason.Expired];
        this.count(reason);
        out.push(formatStatus({ result: Result.Failed, ...about, reason }));
      }
    }
  }

  private emit(report: NmeaBits, channel: string, status: Status, out: string[]): void {
    this.counters.forwarded++;
    const ch: Channel = channel === 'A' || channel === 'B' || channel === '1' || channel === '2' ? channel : '';
    out.push(...encodeVdm(report, { channel: ch, seqId: this.seq.next() }), formatStatus(status));
  }

  private reportDrop(e: EnvelopeError, out: string[]): void {
    this.count(e.code);
    const source = /from (\d+)/.exec(e.message)?.[1];
    if (source !== undefined) out.push(formatStatus({ result: Result.Failed, mode: 0, source: Number(source), reason: e.code }));
  }

  private reject(reason: RejectReason, source: number, out: string[]): void {
    this.count(reason);
    out.push(formatStatus({ result: Result.Failed, mode: 0, source, reason }));
  }

  private count(reason: string): void {
    this.counters.rejected[reason] = (this.counters.rejected[reason] ?? 0) + 1;
  }
}

const MAX_UTC_REPORTS = 16;

/**
 * UTC of a base-station report (ITU-R M.1371-5 message 4: year 1–9999, month 1–12, day 1–31, hour 0–23, minute
 * 0–59, second 0–59; 0 / 24 / 60 mean "not available"), or undefined when any part is missing.
 */
export function baseStationUtcMs(m: AisMessage): number | undefined {
  const { year, month, day, hour, minute, second } = m as unknown as Record<string, number>;
  if (![year, month, day, hour, minute, second].every((v) => Number.isInteger(v))) return undefined;
  if (year! < 1 || month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour! > 23 || minute! > 59 || second! > 59) return undefined;
  return Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
}

function toNmeaBits(b: AisBits): NmeaBits {
  return { bytes: b.bytes, bitLength: b.bytes.length * 8 - b.fill };
}

function decodeReport(bits: NmeaBits): AisMessage {
  try {
    return decodeAis(bits);
  } catch (e) {
    if (e instanceof NmeaError) throw new Reject('MALFORMED', `secured content is not an AIS message: ${e.message}`);
    throw e;
  }
}
