/**
 * The receiving half of the mIBC-AIS-App (paper §5.3 "on the receiver side"): VDM from the radio in; secured
 * messages 6/8 reassembled, verified or decrypted, and the original message handed to the display as an ordinary
 * VDM followed by a `$PMIBV` status (firmware/status.ts). Plain traffic is forwarded flagged (default) or dropped.
 * Nothing that fails a check is ever shown as content; every rejection is reported with a stable reason code.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CryptoError, groupOpen } from '../crypto/index.js';
import {
  decodeAis, encodeVdm, isVdm, NmeaError, parseSentence, parseVdm, SequentialId, VdmAssembler,
  type AisBits as NmeaBits, type AisMessage,
} from '../nmea/index.js';
import {
  AEAD_TAG_BYTES, decodeGroup, decodeGroupKeyGrant, decodeKem, decodeSignedAttached, decodeSignedInline,
  groupHeader, kemSignedPart, KemPurpose, type AisBits,
} from './bodies.js';
import { decodeEnvelopeMessage, Kind } from './envelope.js';
import { EnvelopeError } from './errors.js';
import { epochForParity } from './epoch.js';
import { reconstructSecond, ReplayGuard } from './freshness.js';
import { GroupKeyRing, VerifierCache, type GroupKey, type IdentityKind, type OwnIdentity, type SystemParams } from './keyring.js';
import { Reassembler, type ReassemblerLimits } from './reassembler.js';
import { signedMessage } from './signed-message.js';
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
}

export const DEFAULT_RX_OPTIONS: RxOptions = {
  dac: 0,
  fi: 58,
  policy: 'flag',
  freshnessWindowS: 30,
  reassembler: {},
  attachedPerSender: 4,
  attachedSenders: 4096,
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
  | EnvelopeError['code'];

interface HeldReport {
  readonly bits: NmeaBits;
  readonly message: AisMessage;
  readonly lines: readonly string[];
  readonly channel: string;
  readonly receivedSecond: number;
  verified: boolean;
}

export interface RxCounters {
  lines: number;
  forwarded: number;
  plain: number;
  verified: number;
  decrypted: number;
  keysInstalled: number;
  rejected: Record<string, number>;
  malformedLines: number;
  notForUs: number;
  droppedUnverified: number;
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
    lines: 0, forwarded: 0, plain: 0, verified: 0, decrypted: 0, keysInstalled: 0, rejected: {}, malformedLines: 0, notForUs: 0, droppedUnverified: 0,
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

  constructor(
    options: Partial<RxOptions>,
    private readonly keys: RxKeys,
  ) {
    this.options = { ...DEFAULT_RX_OPTIONS, ...options };
    this.reassembler = new Reassembler(this.options.reassembler);
    this.replay = new ReplayGuard({ freshnessWindowS: this.options.freshnessWindowS });
    this.verifiers = new VerifierCache(keys.params);
    this.groupKeys = keys.groupKeys ?? new GroupKeyRing();
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
    const nowSecond = Math.floor(nowMs / 1000);
    if ((message.type === 8 || message.type === 6) && message.dac === this.options.dac && message.fid === this.options.fi) {
      this.secured(message, channel, nowMs, out);
    } else {
      this.plainMessage(assembled.bits, message, lines, channel, nowSecond, out);
    }
    this.expire(nowMs, out);
    return out;
  }

  /** Time passes: incomplete groups and held plain reports expire. */
  tick(nowMs: number): string[] {
    const out: string[] = [];
    this.expire(nowMs, out);
    return out;
  }

  private expire(nowMs: number, out: string[]): void {
    for (const e of this.reassembler.expire(nowMs)) this.reportDrop(e, out);
    const horizon = Math.floor(nowMs / 1000) - this.options.freshnessWindowS;
    for (const [mmsi, list] of this.held) {
      const keep = list.filter((h) => h.receivedSecond >= horizon);
      if (this.options.policy === 'drop') this.counters.droppedUnverified += list.filter((h) => h.receivedSecond < horizon && !h.verified).length;
      if (keep.length === 0) this.held.delete(mmsi);
      else if (keep.length !== list.length) this.held.set(mmsi, keep);
    }
  }

  private plainMessage(bits: NmeaBits, message: AisMessage, lines: readonly string[], channel: string, nowSecond: number, out: string[]): void {
    this.counters.plain++;
    this.hold({ bits, message, lines, channel, receivedSecond: nowSecond, verified: false });
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
    try {
      const env = decodeEnvelopeMessage(m.data as Uint8Array);
      const r = this.reassembler.push(destination === undefined ? { source } : { source, destination }, env, nowMs);
      for (const e of r.dropped) this.reportDrop(e, out);
      if (r.status !== 'complete') return;
      const second = reconstructSecond(r.body[0] === undefined ? 0 : (r.body[0] >> 2), Math.floor(nowMs / 1000));
      this.replay.checkFresh(second, Math.floor(nowMs / 1000));
      switch (r.kind) {
        case Kind.SignedInline:
          return this.signedInline(source, r.ext, r.body, second, channel, nowMs, out);
        case Kind.SignedAttached:
          return this.signedAttached(source, r.ext, r.body, second, nowMs, out);
        case Kind.Group:
          return this.group(source, r.body, second, channel, nowMs, out);
        case Kind.Kem:
          return this.kem(source, destination, r.body, second, channel, nowMs, out);
        default:
          throw new Reject('UNSUPPORTED_KIND', `envelope kind ${r.kind} is not handled by this receiver`);
      }
    } catch (e) {
      if (e instanceof Reject) return this.reject(e.reason, source, out);
      if (e instanceof EnvelopeError) return this.reject(e.code, source, out);
      if (e instanceof CryptoError) return this.reject('MALFORMED', source, out);
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
    const epoch = epochForParity(second, b.epochParity, this.keys.params.epochSeconds);
    const msg = signedMessage({ kind: Kind.SignedInline, source, signer, destination: 0, second, content: report.bytes, contentBits: report.bitLength });
    if (!this.verify(ext ? 'pseudo-mmsi' : 'mmsi', signer, epoch, msg, b.signature)) throw new Reject('BAD_SIGNATURE', 'signature does not verify');
    this.replay.accept(source, Kind.SignedInline, second, sha256(b.signature).subarray(0, 16), Math.floor(nowMs / 1000));
    this.counters.verified++;
    this.emit(report, channel, { result: Result.Verified, mode: ext ? 3 : 2, source, identity: signer, messageType: message.type, second }, out);
  }

  private signedAttached(source: number, ext: boolean, bytes: Uint8Array, second: number, nowMs: number, out: string[]): void {
    const b = decodeSignedAttached(bytes, ext);
    const signer = b.signer ?? source;
    const epoch = epochForParity(second, b.epochParity, this.keys.params.epochSeconds);
    const window = this.options.freshnessWindowS;
    const candidates = (this.held.get(signer) ?? []).filter((h) => !h.verified && Math.abs(h.receivedSecond - second) <= window);
    if (candidates.length === 0) throw new Reject('NO_MATCHING_REPORT', `no recent plain report from ${signer} for this signature`);
    // Newest first: the signature usually follows its report within a second or two.
    for (const h of [...candidates].reverse()) {
      const msg = signedMessage({ kind: Kind.SignedAttached, source: h.message.mmsi, signer, destination: 0, second, content: h.bits.bytes, contentBits: h.bits.bitLength });
      if (!this.verify(ext ? 'pseudo-mmsi' : 'mmsi', signer, epoch, msg, b.signature)) continue;
      this.replay.accept(source, Kind.SignedAttached, second, sha256(b.signature).subarray(0, 16), Math.floor(nowMs / 1000));
      h.verified = true;
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
    const epoch = epochForParity(second, b.epochParity, this.keys.params.epochSeconds);
    const part = kemSignedPart(b);
    // Authenticate before decrypting: SK-KEM alone says nothing about who sent it.
    const msg = signedMessage({ kind: Kind.Kem, source, signer: source, destination, second, content: part, contentBits: part.length * 8 });
    if (!this.verify('mmsi', source, epoch, msg, b.signature)) throw new Reject('BAD_SIGNATURE', 'mode 4 sender signature does not verify');
    if (!id.hasEpoch(epoch)) throw new Reject('NO_KEY', `no decryption key for epoch ${epoch}`);
    const key = id.decryptor(epoch).decapsulate(b.kemCiphertext);
    let content: Uint8Array;
    try {
      content = groupOpen(key, { keyId: 0, mmsi: destination, utcSeconds: second, counter: 0 }, b.sealed, { tagLength: AEAD_TAG_BYTES });
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
    this.counters.decrypted++;
    this.emit(report, channel, { result: Result.Decrypted, mode: 4, source, identity: source, messageType: message.type, second }, out);
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
