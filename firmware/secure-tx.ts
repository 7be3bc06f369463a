/**
 * The sending half of the mIBC-AIS-App (paper §5.3 "the mIBC-AIS-App of the transmitter"): own-ship AIS messages in,
 * secured messages 8/6 out — as BBM/ABM sentences for a transponder or radio module, or as the VDM a receiver would
 * hear. Mode 1 and everything that is not own-ship traffic pass unaltered (ECDIS→transponder sentences included).
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { encapsulate, groupSeal, nextGroupSequence, type RandomSource } from '../crypto/index.js';
import {
  encodeAbm, encodeAis, encodeBbm, replaceMmsi, encodeVdm, joinApplicationData, parseSentence, parseVdm, isVdm,
  SequentialId, VdmAssembler, decodeAis, NmeaError,
  type AisBits as NmeaBits, type NmeaSentence,
} from '../nmea/index.js';
import {
  encodeGroup, encodeKem, encodeSignedAttached, encodeSignedInline, groupHeader, kemSignedPart,
  KemPurpose, signatureBytes, AEAD_TAG_BYTES,
} from './bodies.js';
import { aisChannelOf, AmortisedSender, reportFromBits, TESLA_PRESETS, type AisChannel, type TeslaParams } from './amortised/index.js';
import { slotsFor, type BinaryMessageType } from './capacity.js';
import { epochOf } from './epoch.js';
import { Kind } from './envelope.js';
import { fragmentBody } from './fragmenter.js';
import { timeResidue } from './freshness.js';
import type { GroupKeyRing, OwnIdentity, SystemParams } from './keyring.js';
import { identityOf, KeyUnavailableError } from './keyring.js';
import type { Mode, Priority } from './pipeline.js';
import { signedMessage } from './signed-message.js';

export type Topology = 'inline' | 'attached';
export type Emit = 'bbm' | 'vdm';
/** Modes 2/3: a signature per message (kinds 1/2), or one anchor signature amortised over a TESLA chain (kinds 5/6). */
export type Auth = 'per-message' | 'amortised';

export interface TxOptions {
  readonly mode: Mode;
  readonly topology: Topology;
  /** BBM/ABM for a transponder (default), or VDM: what receivers hear. */
  readonly emit: Emit;
  readonly dac: number;
  readonly fi: number;
  readonly signatureForm: 'compact' | 'full';
  readonly maxSlotsPerMessage: number;
  /** Channel of emitted VDM sentences. */
  readonly vdmChannel: 'A' | 'B';
  /** Channel request of BBM/ABM: 0 no preference, 1 A, 2 B, 3 both. */
  readonly radioChannel: 0 | 1 | 2 | 3;
  /** Which sentences are own-ship traffic: VDO only on a transponder's port, any AIS sentence for a filter. */
  readonly ownShip: 'vdo' | 'any';
  /** Mode 4: the vessel to encrypt to. */
  readonly to?: number;
  /**
   * Mode 2: 'amortised' sends own-ship reports plain and authenticates them with TESLA batches and keys (kind 6)
   * under a BLMQ-signed chain anchor (kind 5), docs/amortised-auth.md. Not available in mode 3 (see `TxError`).
   */
  readonly auth: Auth;
  /** Chain parameters of amortised authentication, announced in the signed anchor. */
  readonly tesla: TeslaParams;
}

export const DEFAULT_TX_OPTIONS: TxOptions = {
  mode: 2,
  topology: 'inline',
  emit: 'bbm',
  dac: 0,
  fi: 58,
  signatureForm: 'compact',
  maxSlotsPerMessage: 3,
  vdmChannel: 'A',
  radioChannel: 0,
  ownShip: 'vdo',
  auth: 'per-message',
  tesla: TESLA_PRESETS.latency,
};

export interface TxKeys {
  readonly params: SystemParams;
  /** The vessel's MMSI identity (modes 2, 4 and the signature of mode 4). */
  readonly identity?: OwnIdentity;
  /** The authority-issued pseudo-MMSI (mode 3). */
  readonly pseudo?: OwnIdentity;
  readonly groupKeys?: GroupKeyRing;
}

export interface TxLine {
  readonly line: string;
  readonly priority: Priority;
}

export class TxError extends Error {
  constructor(
    readonly code: 'NO_KEY' | 'NO_DESTINATION' | 'TX_FAILED' | 'UNSUPPORTED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TxError';
  }
}

/**
 * Amortised authentication is refused in mode 3. The anchor (kind 5) is verified under the source MMSI with ext = 0:
 * it has no field saying whether that number is an MMSI or a pseudo-MMSI identity, and the two kinds share the
 * numbers (crypto/identity.ts), so a receiver that tried both would let the holder of pseudonym N anchor a chain for
 * the ship whose MMSI is N. And with a transponder (BBM) or the attached topology the plain reports go out under
 * the real MMSI, which the pseudonym is meant to hide.
 */
function checkAuth(mode: Mode, auth: Auth): void {
  if (auth === 'amortised' && mode === 3) {
    throw new TxError('UNSUPPORTED', 'amortised authentication is not available in mode 3: the anchor cannot name a pseudo-MMSI identity (docs/amortised-auth.md §8)');
  }
}

/** Position reports and safety messages go first on a busy port (M.1371 priority 1/2 messages). */
const SAFETY_TYPES: ReadonlySet<number> = new Set([1, 2, 3, 9, 12, 14, 18, 19, 27]);

export interface TxCounters {
  secured: number;
  passed: number;
  failed: number;
  /** Lines on which an unexpected error was contained (also counted in `failed`); each went on unaltered. */
  internal: number;
  slots: number;
  messages: number;
}

/** The whole bytes of a message and its trailing pad bits, as the envelope carries them. */
function packBits(bits: NmeaBits): { bytes: Uint8Array; fill: number } {
  const n = (bits.bitLength + 7) >> 3;
  return { bytes: bits.bytes.subarray(0, n), fill: n * 8 - bits.bitLength };
}

export class SecureTx {
  private opts: TxOptions;
  readonly counters: TxCounters = { secured: 0, passed: 0, failed: 0, internal: 0, slots: 0, messages: 0 };
  private readonly assembler = new VdmAssembler({ maxPending: 16, timeoutMs: 5_000 });
  private readonly vdmSeq = new SequentialId();
  private readonly bbmSeq = new SequentialId();
  private abmSeq = 0;
  private groupIds = 0;
  private lastGroup: { utcSeconds: number; counter: number } | undefined;
  private readonly random: RandomSource | undefined;
  /** The TESLA sender while amortised mode 2 runs; a mode switch drops it, so a return starts a fresh chain. */
  private amortised: AmortisedSender | undefined;
  /** The UTC second of the poll in progress: the anchor is signed with that second's key epoch. */
  private pollSecond = 0;

  constructor(
    options: Partial<TxOptions>,
    private readonly keys: TxKeys,
    random?: RandomSource,
  ) {
    this.opts = { ...DEFAULT_TX_OPTIONS, ...options };
    checkAuth(this.opts.mode, this.opts.auth);
    this.random = random;
  }

  get options(): TxOptions {
    return this.opts;
  }

  get mode(): Mode {
    return this.opts.mode;
  }

  /** Switches mode without losing sequence numbers or group-nonce state (mode switch, config reload). */
  setMode(mode: Mode): void {
    checkAuth(mode, this.opts.auth);
    if (mode !== this.opts.mode) this.amortised = undefined;
    this.opts = { ...this.opts, mode };
  }

  /**
   * Time passes: the kind 5/6 bodies of amortised authentication that are due now (anchors, batches, bare keys),
   * as message 8. Call at least once per second; they are not safety traffic and queue behind own-ship reports.
   */
  tick(nowMs: number): TxLine[] {
    if (this.amortised === undefined || !this.amortisedActive()) return [];
    try {
      return this.pollAmortised(this.amortised, nowMs).map((line) => ({ line, priority: 'normal' }));
    } catch (e) {
      // No key for this epoch: the anchor cannot be signed, so the poll is retried next second; the reports meanwhile
      // go out plain and show as unverified, as without the appliance.
      if (!(e instanceof KeyUnavailableError)) throw e;
      this.counters.failed++;
      return [];
    }
  }

  /**
   * One line from the ship side; returns what goes to the radio side. Own-ship messages in secure modes are replaced.
   * Never throws: an unexpected error is counted (`internal`, `failed`) and the line goes on unaltered, as any line
   * that cannot be secured does (navigation safety before authentication).
   */
  push(line: string, nowMs: number): TxLine[] {
    try {
      return this.pushLine(line, nowMs);
    } catch {
      this.counters.internal++;
      this.counters.failed++;
      return [{ line, priority: 'normal' }];
    }
  }

  private pushLine(line: string, nowMs: number): TxLine[] {
    let s: NmeaSentence;
    try {
      s = parseSentence(line);
    } catch {
      // Not ours to judge: the transponder or radio module answers malformed input itself.
      this.counters.passed++;
      return [{ line, priority: 'normal' }];
    }
    if (!this.isOwnShip(s)) {
      this.counters.passed++;
      return [{ line, priority: 'normal' }];
    }
    if (this.options.mode === 1 && this.options.emit === 'bbm') {
      this.counters.passed++;
      return [{ line, priority: 'normal' }];
    }
    let assembled;
    try {
      assembled = this.assembler.push(parseVdm(s), nowMs);
    } catch {
      this.counters.passed++;
      return [{ line, priority: 'normal' }];
    }
    if (assembled === undefined) return [];
    const originals = assembled.fragments.map((f) => f.sentence.raw);
    let message;
    try {
      message = decodeAis(assembled.bits);
    } catch (e) {
      if (!(e instanceof NmeaError)) throw e;
      this.counters.passed++;
      return originals.map((l) => ({ line: l, priority: 'normal' as const }));
    }
    const priority: Priority = SAFETY_TYPES.has(message.type) ? 'safety' : 'normal';
    const channel = aisChannelOf(assembled.fragments[assembled.fragments.length - 1]?.channel ?? '');
    try {
      return this.secure(assembled.bits, message.mmsi, message.type, nowMs, { originals, ...(channel ? { channel } : {}) }).map((l) => ({ line: l, priority }));
    } catch {
      // Fail open: a message that cannot be secured still goes out plain, and the failure is counted.
      this.counters.failed++;
      return this.plain(assembled.bits, originals).map((l) => ({ line: l, priority }));
    }
  }

  /** The plain form of an own-ship message on the radio side. */
  plain(bits: NmeaBits, originals: readonly string[]): string[] {
    if (this.options.emit === 'bbm') return [...originals];
    return encodeVdm(bits, { channel: this.options.vdmChannel, seqId: this.vdmSeq.next() });
  }

  /**
   * Lines carrying one own-ship message secured in the configured mode. `originals` are the sentences it came in
   * (a transponder's own form, forwarded when sending plain to BBM); `channel` the one it goes out on, when known.
   */
  secure(bits: NmeaBits, mmsi: number, type: number, nowMs: number, from: { originals?: readonly string[]; channel?: AisChannel } = {}): string[] {
    const second = Math.floor(nowMs / 1000);
    switch (this.options.mode) {
      case 1:
        this.counters.passed++;
        return this.plain(bits, []);
      case 2:
      case 3: {
        if (this.options.auth === 'amortised') {
          const out = this.amortise(bits, mmsi, type, nowMs, from.originals ?? [], from.channel);
          this.counters.secured++;
          return out;
        }
        // Mode 3 attached: the plain report names the pseudo-MMSI, as inline does, and the signature vouches for it.
        const shown = this.options.mode === 3 ? replaceMmsi(bits, this.signerIdentity().mmsi) : bits;
        const owner = this.options.mode === 3 ? this.signerIdentity().mmsi : mmsi;
        const out = this.options.topology === 'attached' ? [...this.plainForAttached(shown), ...this.signAttached(shown, owner, second)] : this.signInline(bits, mmsi, second);
        this.counters.secured++;
        return out;
      }
      case 4: {
        const to = this.options.to;
        if (to === undefined) throw new TxError('NO_DESTINATION', 'mode 4 needs a destination MMSI (--to)');
        const out = this.sealToVessel(to, KemPurpose.Text, packBits(bits), mmsi, second);
        this.counters.secured++;
        return out;
      }
      case 5: {
        const out = this.groupEncrypt(bits, mmsi, second);
        this.counters.secured++;
        return out;
      }
    }
  }

  private amortisedActive(): boolean {
    return this.options.auth === 'amortised' && this.options.mode === 2;
  }

  /**
   * Amortised mode 2: the report goes out plain, as it would without the appliance, and is recorded for the next
   * batches' tags. The bodies go out from `tick`, at normal priority: they never hold up own-ship safety traffic.
   */
  private amortise(bits: NmeaBits, mmsi: number, type: number, nowMs: number, originals: readonly string[], heard: AisChannel | undefined): string[] {
    const id = this.signerIdentity();
    // A ship tags only its own reports: receivers match tags to reports by the report's MMSI.
    if (mmsi !== id.mmsi) throw new TxError('NO_KEY', `report of ${mmsi}, but the identity key is for ${id.mmsi}`);
    const sender = (this.amortised ??= this.newSender(id));
    // A radio we drive sends on the configured channel; a transponder says in its VDO which channel it used.
    const channel = this.options.emit === 'vdm' ? this.options.vdmChannel : heard;
    if (channel === undefined) throw new TxError('TX_FAILED', 'channel of the own-ship report unknown: its tag could not be checked');
    const plain = this.options.topology === 'attached' ? this.plainForAttached(bits) : this.plain(bits, originals);
    sender.addReport(reportFromBits(type, Math.floor(nowMs / 1000), channel, bits.bytes, bits.bitLength));
    return plain;
  }

  private newSender(id: OwnIdentity): AmortisedSender {
    const epochSeconds = this.keys.params.epochSeconds;
    const random = this.random ?? randomBytes;
    return new AmortisedSender({
      mmsi: id.mmsi,
      params: this.options.tesla,
      epochSeconds,
      randomSeed: () => random(32),
      sign: (message) =>
        id.signer(epochOf(this.pollSecond, epochSeconds)).sign(message, { form: this.options.signatureForm, ...(this.random ? { random: this.random } : {}) }),
    });
  }

  private pollAmortised(sender: AmortisedSender, nowMs: number): string[] {
    this.pollSecond = Math.floor(nowMs / 1000);
    const source = this.signerIdentity().mmsi;
    return sender.poll(this.pollSecond).flatMap((e) => this.emitBinary(e.kind === 5 ? Kind.ChainAnchor : Kind.ChainBatch, false, e.body, 8, source));
  }

  private plainForAttached(bits: NmeaBits): string[] {
    // Attached: the transponder sends its plain report itself; only a filter emitting VDM shows it.
    return this.options.emit === 'vdm' ? encodeVdm(bits, { channel: this.options.vdmChannel, seqId: this.vdmSeq.next() }) : [];
  }

  private signerIdentity(): OwnIdentity {
    const id = this.options.mode === 3 ? this.keys.pseudo : this.keys.identity;
    if (id === undefined) throw new TxError('NO_KEY', this.options.mode === 3 ? 'mode 3 needs a pseudo-MMSI key' : 'no identity key loaded');
    return id;
  }

  private signInline(bits: NmeaBits, mmsi: number, second: number): string[] {
    const id = this.signerIdentity();
    const epoch = epochOf(second, this.keys.params.epochSeconds);
    let report = bits;
    // Mode 3 shows the pseudo-MMSI in the report itself, not only in the signature.
    if (this.options.mode === 3) report = replaceMmsi(bits, id.mmsi);
    const packed = packBits(report);
    const source = this.sourceMmsi(mmsi);
    const ext = this.options.mode === 3;
    const compact = this.options.signatureForm === 'compact';
    const msg = signedMessage({ kind: Kind.SignedInline, source, signer: id.mmsi, destination: 0, second, content: packed.bytes, contentBits: report.bitLength });
    const signature = id.signer(epoch).sign(msg, { form: this.options.signatureForm, ...(this.random ? { random: this.random } : {}) });
    const body = encodeSignedInline({
      t6: timeResidue(second), epochParity: (epoch & 1) as 0 | 1, compact, report: packed, signature,
      ...(ext ? { signer: id.mmsi } : {}),
    });
    return this.emitBinary(Kind.SignedInline, ext, body, 8, source);
  }

  private signAttached(bits: NmeaBits, mmsi: number, second: number): string[] {
    const id = this.signerIdentity();
    const epoch = epochOf(second, this.keys.params.epochSeconds);
    const ext = this.options.mode === 3;
    const source = this.sourceMmsi(mmsi);
    const msg = signedMessage({ kind: Kind.SignedAttached, source: mmsi, signer: id.mmsi, destination: 0, second, content: packBits(bits).bytes, contentBits: bits.bitLength });
    const signature = id.signer(epoch).sign(msg, { form: this.options.signatureForm, ...(this.random ? { random: this.random } : {}) });
    const body = encodeSignedAttached({
      t6: timeResidue(second), epochParity: (epoch & 1) as 0 | 1, compact: this.options.signatureForm === 'compact', signature,
      ...(ext ? { signer: id.mmsi } : {}),
    });
    return this.emitBinary(Kind.SignedAttached, ext, body, 8, source);
  }

  private groupEncrypt(bits: NmeaBits, mmsi: number, second: number): string[] {
    const key = this.keys.groupKeys?.forSending(second);
    if (key === undefined) throw new TxError('NO_KEY', `no group key valid at ${second}`);
    // The envelope carries 5 counter bits; nextGroupSequence never repeats (second, counter) even if the clock steps back.
    const seq = nextGroupSequence(this.lastGroup, second, 31);
    this.lastGroup = seq;
    const source = mmsi;
    const { bytes, fill } = packBits(bits);
    const header = groupHeader({ t6: timeResidue(seq.utcSeconds), keySlot: key.keyId % 4, counter: seq.counter, fill });
    const sealed = groupSeal(key.key, { keyId: key.keyId, mmsi: source, utcSeconds: seq.utcSeconds, counter: seq.counter }, bytes, { aad: header, tagLength: AEAD_TAG_BYTES });
    const body = encodeGroup({
      t6: timeResidue(seq.utcSeconds), keySlot: key.keyId % 4, counter: seq.counter, fill,
      ciphertext: sealed.subarray(0, sealed.length - AEAD_TAG_BYTES), tag: sealed.subarray(sealed.length - AEAD_TAG_BYTES),
    });
    return this.emitBinary(Kind.Group, false, body, 8, source);
  }

  /**
   * Mode 4: `content` encrypted to vessel `to` under SK-KEM and signed by this vessel (SK-KEM alone does not tell who
   * sent it). Used to hand out group keys (purpose GroupKey) and for short confidential AIS messages (Text).
   */
  sealToVessel(to: number, purpose: KemPurpose, content: { bytes: Uint8Array; fill: number }, source: number, second: number): string[] {
    const id = this.keys.identity;
    if (id === undefined) throw new TxError('NO_KEY', 'mode 4 needs the vessel identity key to sign');
    const epoch = epochOf(second, this.keys.params.epochSeconds);
    const { key, ciphertext } = encapsulate(this.keys.params.pp, identityOf('mmsi', to, epoch), ...(this.random ? [this.random] : []));
    // Each KEM key seals exactly one message, so a constant nonce is safe; the destination binds it anyway.
    const sealed = groupSeal(key, { keyId: 0, mmsi: to, utcSeconds: second, counter: 0 }, content.bytes, { tagLength: AEAD_TAG_BYTES });
    key.fill(0);
    const compact = this.options.signatureForm === 'compact';
    const unsigned = { t6: timeResidue(second), epochParity: (epoch & 1) as 0 | 1, compact, purpose, fill: content.fill, kemCiphertext: ciphertext, sealed };
    const part = kemSignedPart(unsigned);
    const msg = signedMessage({ kind: Kind.Kem, source, signer: id.mmsi, destination: to, second, content: part, contentBits: part.length * 8 });
    const signature = id.signer(epoch).sign(msg, { form: this.options.signatureForm, ...(this.random ? { random: this.random } : {}) });
    if (signature.length !== signatureBytes(compact)) throw new TxError('TX_FAILED', 'signature of unexpected length');
    return this.emitBinary(Kind.Kem, false, encodeKem({ ...unsigned, signature }), 6, source, to);
  }

  private sourceMmsi(mmsi: number): number {
    // In mode 3 a radio we drive (VDM emit) transmits under the pseudo-MMSI; a transponder fills in its own MMSI.
    if (this.options.mode === 3 && this.options.emit === 'vdm' && this.keys.pseudo) return this.keys.pseudo.mmsi;
    return mmsi;
  }

  private emitBinary(kind: Kind, ext: boolean, body: Uint8Array, type: BinaryMessageType, source: number, to?: number): string[] {
    const group = this.groupIds++ % 16;
    const datas = fragmentBody(kind, ext, body, group, { messageType: type, maxSlotsPerMessage: this.options.maxSlotsPerMessage });
    const out: string[] = [];
    for (const data of datas) {
      this.counters.messages++;
      this.counters.slots += slotsFor(type, data.length) as number;
      const app = { dac: this.options.dac, fid: this.options.fi, data, dataBits: data.length * 8 };
      if (this.options.emit === 'vdm') {
        const bits =
          type === 8
            ? encodeAis({ type: 8, repeat: 0, mmsi: source, dac: app.dac, fid: app.fid, data, dataBits: app.dataBits })
            : encodeAis({ type: 6, repeat: 0, mmsi: source, seqno: this.abmSeq, dest_mmsi: to as number, retransmit: false, dac: app.dac, fid: app.fid, data, dataBits: app.dataBits });
        out.push(...encodeVdm(bits, { channel: this.options.vdmChannel, seqId: this.vdmSeq.next() }));
      } else if (type === 8) {
        out.push(...encodeBbm({ channel: this.options.radioChannel, messageId: 8, seqId: this.bbmSeq.next(), bits: joinApplicationData(app) }));
      } else {
        out.push(...encodeAbm({ destMmsi: to as number, channel: this.options.radioChannel, messageId: 6, seqId: this.abmSeq, bits: joinApplicationData(app) }));
      }
      if (type === 6) this.abmSeq = (this.abmSeq + 1) % 4;
    }
    return out;
  }

  private isOwnShip(s: NmeaSentence): boolean {
    if (!isVdm(s)) return false;
    return this.options.ownShip === 'any' || s.formatter === 'VDO';
  }
}
