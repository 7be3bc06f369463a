/**
 * The sending half of the mIBC-AIS-App (paper §5.3 "the mIBC-AIS-App of the transmitter"): own-ship AIS messages in,
 * secured messages 8/6 out — as BBM/ABM sentences for a transponder or radio module, or as the VDM a receiver would
 * hear. Mode 1 and everything that is not own-ship traffic pass unaltered (ECDIS→transponder sentences included).
 *
 * Failure policy (docs/modes.md): an own-ship message that cannot be secured is a counted `TxFailure` with a stable
 * code, told to `onFailure`. Modes 4 and 5 never send it plain: it is dropped. Modes 2 and 3 send it unsecured only
 * when `plainFallback` allows (a SOLAS ship keeps reporting) — mode 3 then under its pseudonym, never the real MMSI.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { encapsulate, groupSeal, type RandomSource } from '../crypto/index.js';
import {
  encodeAbm, encodeAis, encodeBbm, encodeVdm, joinApplicationData, parseSentence, parseVdm, isVdm,
  SequentialId, VdmAssembler, decodeAis, NmeaError,
  type AisBits as NmeaBits, type AisMessage, type NmeaSentence,
} from '../nmea/index.js';
import type { NonceStore } from '../hal/nonce-store.js';
import {
  encodeGroup, encodeKem, encodeSignedAttached, encodeSignedInline, groupHeader, kemSignedPart,
  KemPurpose, signatureBytes, AEAD_TAG_BYTES, GROUP_HEADER_BYTES, GROUP_MAX_COUNTER, KEM_CIPHERTEXT_BYTES, TIME_BITS,
} from './bodies.js';
import { aisChannelOf, AmortisedSender, reportFromBits, TESLA_PRESETS, type AisChannel, type TeslaParams } from './amortised/index.js';
import { slotsFor, type BinaryMessageType } from './capacity.js';
import { epochOf } from './epoch.js';
import { GROUP_IDS, Kind } from './envelope.js';
import { EnvelopeError } from './errors.js';
import { fragmentBody, planFragments } from './fragmenter.js';
import { timeResidue } from './freshness.js';
import type { GroupKeyRing, OwnIdentity, SystemParams } from './keyring.js';
import { identityOf, KeyUnavailableError } from './keyring.js';
import { NonceRefusal, NonceReservation, type NonceRefusalCode, type NonceReservationOptions } from './nonce-reservation.js';
import type { Mode, Priority } from './pipeline.js';
import { kemAssociatedData } from './kem-binding.js';
import { pseudonymous } from './pseudonym.js';
import { signedMessage } from './signed-message.js';

const groupIdFrom = (b: Uint8Array): number => (((b[0] as number) << 8) | (b[1] as number)) % GROUP_IDS;

export type Topology = 'inline' | 'attached';
export type Emit = 'bbm' | 'vdm';
/** Modes 2/3: a signature per message (kinds 1/2), or one anchor signature amortised over a TESLA chain (kinds 5/6). */
export type Auth = 'per-message' | 'amortised';
/** Modes 2 and 3: whether an own-ship report that cannot be authenticated still goes out, unauthenticated. */
export type PlainFallback = 'never' | 'on-failure';

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
  /** Modes 2 and 3 only; modes 4 and 5 never fall back. */
  readonly plainFallback: PlainFallback;
  /** Mode 5 encrypts only while the clock is trusted (the daemon's time checks say so); otherwise reports are dropped. */
  readonly timeTrusted: boolean;
  /** Mode-5 nonce reservation: block size, lead, and this appliance's instance byte. */
  readonly nonce: Partial<NonceReservationOptions>;
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
  plainFallback: 'on-failure',
  timeTrusted: false,
  nonce: {},
};

export interface TxKeys {
  readonly params: SystemParams;
  /** The vessel's MMSI identity (modes 2, 4 and the signature of mode 4). */
  readonly identity?: OwnIdentity;
  /** The authority-issued pseudo-MMSI (mode 3). */
  readonly pseudo?: OwnIdentity;
  readonly groupKeys?: GroupKeyRing;
  /** Where mode 5 keeps its nonce high-water marks; without it mode 5 sends nothing. */
  readonly nonceState?: NonceStore;
}

export interface TxLine {
  readonly line: string;
  readonly priority: Priority;
}

/** Why an own-ship message was not secured. Stable: counters, alarms and the CLI's stderr use these. */
export type TxFailureCode =
  | 'NO_KEY'
  | 'KEY_EXPIRED'
  | 'NO_SENDING_KEY'
  | 'WRONG_IDENTITY'
  | 'NO_DESTINATION'
  | 'TIME_UNTRUSTED'
  | 'NO_NONCE_STATE'
  | NonceRefusalCode
  | 'TOO_LARGE'
  | 'UNDECODABLE'
  | 'CRYPTO_FAILED'
  | 'TX_FAILED'
  | 'LATENCY_BUDGET'
  /** Last resort: an unexpected error while handling the line (counted; the failure policy decides what goes out). */
  | 'INTERNAL';

/** What became of it: sent without protection, sent under the pseudonym without a signature (mode 3), or dropped. */
export type TxAction = 'sent-plain' | 'sent-pseudonymous' | 'dropped';

export interface TxFailure {
  readonly code: TxFailureCode;
  readonly mode: Mode;
  readonly action: TxAction;
  /** Source MMSI and type of the message, when it could be decoded. */
  readonly mmsi?: number;
  readonly type?: number;
  readonly message: string;
}

export class TxError extends Error {
  constructor(
    readonly code: TxFailureCode | 'UNSUPPORTED' | 'MODE_UNAVAILABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TxError';
  }
}

/**
 * Whether an own-ship line may leave unaltered when the pipeline cannot handle it (a latency budget overrun, a
 * failed pipeline): mode 1, and mode 2 when its fallback allows. Never mode 3 (the raw line names the ship) nor
 * modes 4 and 5 (the raw line is the content they protect).
 */
export function plainAllowed(mode: Mode, plainFallback: PlainFallback): boolean {
  return mode === 1 || (mode === 2 && plainFallback === 'on-failure');
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

/**
 * Mode 3 hides the ship only where the appliance chooses the transmitting MMSI: VDM to a radio it drives. A
 * transponder (BBM) sends message 8 under its own, real MMSI, and beside a transponder the attached topology would
 * leave its plain report on air: receivers would link pseudonym and ship. On a radio the appliance drives, attached
 * mode 3 sends the scrubbed report itself under the pseudo-MMSI and the signature beside it, so receivers without
 * the appliance still see the position.
 */
function checkMode(mode: Mode, o: Pick<TxOptions, 'emit' | 'topology'>): void {
  if (mode !== 3) return;
  if (o.emit !== 'vdm') {
    throw new TxError(
      'MODE_UNAVAILABLE',
      `mode 3 needs a radio the appliance drives (emit vdm): a transponder sends ${o.topology === 'attached' ? 'its plain reports and ' : ''}BBM messages under the real MMSI, which links the pseudonym to the ship`,
    );
  }
}

/** A Class A position report (message 1): the smallest own-ship message every mode must carry. */
export const POSITION_REPORT_BITS = 168;

/**
 * Whether messages of at most `maxSlotsPerMessage` slots can carry an own-ship message of `reportBits` bits in the
 * configured mode with per-message protection (the body sizes of docs/envelope.md §2). Undefined when they can;
 * otherwise why not. Amortised authentication sends reports plain and is not judged here.
 */
export function capacityProblem(o: Pick<TxOptions, 'mode' | 'topology' | 'signatureForm' | 'maxSlotsPerMessage' | 'auth'>, reportBits = POSITION_REPORT_BITS): string | undefined {
  if (o.mode === 1 || o.auth === 'amortised') return undefined;
  const report = (reportBits + 7) >> 3;
  const sig = signatureBytes(o.signatureForm === 'compact');
  const signer = o.mode === 3 ? 4 : 0;
  const body =
    o.mode === 5 ? GROUP_HEADER_BYTES + report + AEAD_TAG_BYTES
    : o.mode === 4 ? 2 + KEM_CIPHERTEXT_BYTES + report + AEAD_TAG_BYTES + sig
    : o.topology === 'attached' ? 1 + signer + sig
    : 2 + signer + report + sig;
  try {
    planFragments(body, { messageType: o.mode === 4 ? 6 : 8, maxSlotsPerMessage: o.maxSlotsPerMessage });
    return undefined;
  } catch (e) {
    if (!(e instanceof EnvelopeError)) throw e;
    return `mode ${o.mode} needs a ${body}-byte body for a ${reportBits}-bit report; ${e.message}`;
  }
}

/** Position reports and safety messages go first on a busy port (M.1371 priority 1/2 messages). */
const SAFETY_TYPES: ReadonlySet<number> = new Set([1, 2, 3, 9, 12, 14, 18, 19, 27]);

export interface TxCounters {
  secured: number;
  passed: number;
  /** Own-ship messages that could not be secured (the sum of `byReason`). */
  failed: number;
  /** …of which went out unauthenticated (plain, or in mode 3 under the pseudonym). */
  sentPlain: number;
  /** …of which were dropped. */
  dropped: number;
  /** Our own secured messages the transponder echoed back (VDO of our DAC/FI): forwarded, never secured again. */
  echoes: number;
  slots: number;
  messages: number;
  byReason: Partial<Record<TxFailureCode, number>>;
}

/** The whole bytes of a message and its trailing pad bits, as the envelope carries them. */
function packBits(bits: NmeaBits): { bytes: Uint8Array; fill: number } {
  const n = (bits.bitLength + 7) >> 3;
  return { bytes: bits.bytes.subarray(0, n), fill: n * 8 - bits.bitLength };
}

function failureCode(e: unknown): TxFailureCode {
  if (e instanceof TxError && e.code !== 'UNSUPPORTED' && e.code !== 'MODE_UNAVAILABLE') return e.code;
  if (e instanceof NonceRefusal) return e.code;
  if (e instanceof KeyUnavailableError) return 'KEY_EXPIRED';
  if (e instanceof EnvelopeError && e.code === 'TOO_LARGE') return 'TOO_LARGE';
  return 'CRYPTO_FAILED';
}

interface Own {
  readonly bits: NmeaBits;
  readonly message: AisMessage;
  readonly originals: readonly string[];
  /** Channel of the last sentence, as the transponder reported it ('' when unknown). */
  readonly channel: string;
}

export class SecureTx {
  private opts: TxOptions;
  readonly counters: TxCounters = { secured: 0, passed: 0, failed: 0, sentPlain: 0, dropped: 0, echoes: 0, slots: 0, messages: 0, byReason: {} };
  /** Told of every own-ship message that was not secured, with what became of it. */
  onFailure: ((failure: TxFailure) => void) | undefined;
  /** One assembler for `push` and `bypass`: a message whose sentences arrive partly through each still completes. */
  private readonly assembler = new VdmAssembler({ maxPending: 16, timeoutMs: 5_000 });
  private readonly vdmSeq = new SequentialId();
  private readonly bbmSeq = new SequentialId();
  private abmSeq = 0;
  private readonly nonces: NonceReservation | undefined;
  private readonly random: RandomSource | undefined;
  /** The TESLA sender while amortised mode 2 runs; a mode switch drops it, so a return starts a fresh chain. */
  private amortised: AmortisedSender | undefined;
  /** The UTC second of the poll in progress: the anchor is signed with that second's key epoch. */
  private pollSecond = 0;
  private lastNowMs = 0;

  constructor(
    options: Partial<TxOptions>,
    private readonly keys: TxKeys,
    random?: RandomSource,
  ) {
    this.opts = { ...DEFAULT_TX_OPTIONS, ...options };
    checkAuth(this.opts.mode, this.opts.auth);
    checkMode(this.opts.mode, this.opts);
    this.random = random;
    this.nonces = keys.nonceState && new NonceReservation(keys.nonceState, { ...this.opts.nonce, maxCounter: GROUP_MAX_COUNTER }, random ?? randomBytes);
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
    checkMode(mode, this.opts);
    if (mode !== this.opts.mode) this.amortised = undefined;
    this.opts = { ...this.opts, mode };
  }

  /** The daemon's verdict on its clock (GNSS lock, cross-checks, no step): mode 5 sends only while it is true. */
  setTimeTrusted(trusted: boolean): void {
    this.opts = { ...this.opts, timeTrusted: trusted };
  }

  /** Whether an own-ship line may leave unaltered in the current mode (see `plainAllowed`). */
  plainAllowed(): boolean {
    return plainAllowed(this.opts.mode, this.opts.plainFallback);
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
      // No key for this epoch: the anchor cannot be signed, so the poll is retried next second. The reports meanwhile
      // went out plain (that is amortised mode) and show as unverified; the failure is counted and told.
      if (!(e instanceof KeyUnavailableError)) throw e;
      this.record({ code: 'KEY_EXPIRED', mode: this.mode, action: 'dropped', message: `chain anchor: ${e.message}` });
      return [];
    }
  }

  /**
   * One line from the ship side; returns what goes to the radio side. Own-ship messages in secure modes are replaced.
   * Never throws: an unexpected error is an `INTERNAL` failure, and the line goes on unaltered only where the mode's
   * fallback lets an unaltered line out.
   */
  push(line: string, nowMs: number): TxLine[] {
    try {
      return this.pushLine(line, nowMs);
    } catch (e) {
      const allowed = this.mode === 1 || this.plainAllowed();
      this.record({ code: 'INTERNAL', mode: this.mode, action: allowed ? 'sent-plain' : 'dropped', message: (e as Error)?.message ?? String(e) });
      return allowed ? [{ line, priority: 'normal' }] : [];
    }
  }

  private pushLine(line: string, nowMs: number): TxLine[] {
    this.lastNowMs = nowMs;
    const own = this.ownMessage(line, nowMs);
    if (!('bits' in own)) return own.out;
    const { bits, message, originals } = own;
    const priority: Priority = SAFETY_TYPES.has(message.type) ? 'safety' : 'normal';
    const channel = aisChannelOf(own.channel);
    try {
      this.checkIdentity(message.mmsi);
      return this.secure(bits, message.mmsi, message.type, nowMs, { originals, ...(channel ? { channel } : {}) }).map((l) => ({ line: l, priority }));
    } catch (e) {
      return this.fail(failureCode(e), (e as Error).message, own).map((l) => ({ line: l, priority }));
    }
  }

  /**
   * The fail-safe path for a line the caller could not put through `push` in time (the daemon's latency budget):
   * the `LATENCY_BUDGET` failure, with the same policy — an own-ship message leaves unsecured only where the mode's
   * fallback allows it, and never in modes 4 and 5.
   */
  bypass(line: string, nowMs: number = this.lastNowMs): TxLine[] {
    const own = this.ownMessage(line, nowMs);
    if (!('bits' in own)) return own.out.map((l) => ({ ...l, priority: 'safety' }));
    return this.fail('LATENCY_BUDGET', 'the line waited past the latency budget', own).map((l) => ({ line: l, priority: 'safety' }));
  }

  /**
   * The own-ship message a line completes, or what to send instead: lines that are not own-ship traffic pass, our own
   * secured messages echoed back pass, and an own-ship line that cannot be decoded follows the failure policy.
   */
  private ownMessage(line: string, nowMs: number): Own | { out: TxLine[] } {
    const pass = (lines: readonly string[]) => {
      this.counters.passed++;
      return { out: lines.map((l) => ({ line: l, priority: 'normal' as const })) };
    };
    let s: NmeaSentence;
    try {
      s = parseSentence(line);
    } catch {
      // Not ours to judge: the transponder or radio module answers malformed input itself.
      return pass([line]);
    }
    if (!this.isOwnShip(s) || (this.options.mode === 1 && this.options.emit === 'bbm')) return pass([line]);
    let assembled;
    try {
      assembled = this.assembler.push(parseVdm(s), nowMs);
    } catch (e) {
      return { out: this.failRaw([line], (e as Error).message) };
    }
    if (assembled === undefined) return { out: [] };
    const originals = assembled.fragments.map((f) => f.sentence.raw);
    let message: AisMessage;
    try {
      message = decodeAis(assembled.bits);
    } catch (e) {
      if (!(e instanceof NmeaError)) throw e;
      return { out: this.failRaw(originals, e.message) };
    }
    if (this.isEcho(message)) {
      this.counters.echoes++;
      return pass(originals);
    }
    return { bits: assembled.bits, message, originals, channel: assembled.fragments[assembled.fragments.length - 1]?.channel ?? '' };
  }

  /** Our envelope under our application id: what the appliance itself sent, shown back by the transponder. */
  private isEcho(m: AisMessage): boolean {
    return (m.type === 6 || m.type === 8) && m['dac'] === this.options.dac && m['fid'] === this.options.fi;
  }

  /** The identity key must be the ship's: a key for another MMSI signs what receivers will reject or misattribute. */
  private checkIdentity(mmsi: number): void {
    const mode = this.options.mode;
    if (mode !== 2 && mode !== 4) return;
    const id = this.keys.identity;
    if (id !== undefined && id.mmsi !== mmsi) throw new TxError('WRONG_IDENTITY', `own-ship report of ${mmsi}, but the identity key is for ${id.mmsi}`);
  }

  /** Counts and tells one failure, and returns what goes out instead under the mode's policy. */
  private fail(code: TxFailureCode, message: string, own: Own): string[] {
    const mode = this.options.mode;
    let action: TxAction = 'dropped';
    let out: string[] = [];
    if (mode === 1 || (mode === 2 && this.options.plainFallback === 'on-failure')) {
      out = this.options.topology === 'attached' ? this.plainForAttached(own.bits) : this.plain(own.bits, own.originals);
      action = 'sent-plain';
    } else if (mode === 3 && this.options.plainFallback === 'on-failure' && this.keys.pseudo !== undefined) {
      // Navigation safety without the name: the report under the pseudonym, scrubbed, unsigned.
      try {
        out = encodeVdm(pseudonymous(own.bits, own.message.type, this.keys.pseudo.mmsi), { channel: this.options.vdmChannel, seqId: this.vdmSeq.next() });
        action = 'sent-pseudonymous';
      } catch {
        // A message our codec cannot rebuild under the pseudonym is dropped: the original would name the ship.
      }
    }
    this.record({ code, mode, action, mmsi: own.message.mmsi, type: own.message.type, message });
    return out;
  }

  /** An own-ship line that cannot even be decoded: forwarded as it is only where an unaltered line is allowed. */
  private failRaw(lines: readonly string[], message: string): TxLine[] {
    if (this.mode === 1) {
      this.counters.passed++;
      return lines.map((l) => ({ line: l, priority: 'normal' }));
    }
    const allowed = this.plainAllowed();
    this.record({ code: 'UNDECODABLE', mode: this.mode, action: allowed ? 'sent-plain' : 'dropped', message });
    return allowed ? lines.map((l) => ({ line: l, priority: 'normal' })) : [];
  }

  private record(f: TxFailure): void {
    const c = this.counters;
    c.failed++;
    c.byReason[f.code] = (c.byReason[f.code] ?? 0) + 1;
    if (f.action === 'dropped') c.dropped++;
    else c.sentPlain++;
    this.onFailure?.(f);
  }

  /** The plain form of an own-ship message on the radio side. */
  plain(bits: NmeaBits, originals: readonly string[]): string[] {
    if (this.options.emit === 'bbm') return [...originals];
    return encodeVdm(bits, { channel: this.options.vdmChannel, seqId: this.vdmSeq.next() });
  }

  /**
   * Lines carrying one own-ship message secured in the configured mode. `originals` are the sentences it came in
   * (a transponder's own form, forwarded when sending plain to BBM); `channel` the one it goes out on, when known.
   * Throws a TxError, NonceRefusal or KeyUnavailableError with the reason when it cannot.
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
        if (this.options.topology === 'inline') {
          const out = this.signInline(bits, mmsi, type, second);
          this.counters.secured++;
          return out;
        }
        // Attached mode 3: the plain report itself goes out under the pseudo-MMSI, scrubbed, and the signature vouches
        // for exactly that report (receivers match held reports under the signer's identity).
        const pseudo = this.options.mode === 3 ? this.signerIdentity().mmsi : undefined;
        const shown = pseudo === undefined ? bits : pseudonymous(bits, type, pseudo);
        const out = [...this.plainForAttached(shown), ...this.signAttached(shown, pseudo ?? mmsi, second)];
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
    if (mmsi !== id.mmsi) throw new TxError('WRONG_IDENTITY', `report of ${mmsi}, but the identity key is for ${id.mmsi}`);
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

  private signInline(bits: NmeaBits, mmsi: number, type: number, second: number): string[] {
    const id = this.signerIdentity();
    const epoch = epochOf(second, this.keys.params.epochSeconds);
    // Mode 3 shows the pseudo-MMSI in the report itself, not only in the signature, and no name, call sign or IMO.
    const report = this.options.mode === 3 ? pseudonymous(bits, type, id.mmsi) : bits;
    const packed = packBits(report);
    const source = this.sourceMmsi(mmsi);
    const ext = this.options.mode === 3;
    const compact = this.options.signatureForm === 'compact';
    const msg = signedMessage({ kind: Kind.SignedInline, source, signer: id.mmsi, destination: 0, second, content: packed.bytes, contentBits: report.bitLength });
    const signature = id.signer(epoch).sign(msg, { form: this.options.signatureForm, ...(this.random ? { random: this.random } : {}) });
    const body = encodeSignedInline({
      time: timeResidue(second, TIME_BITS[Kind.SignedInline]), compact, report: packed, signature,
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
      time: timeResidue(second, TIME_BITS[Kind.SignedAttached]), compact: this.options.signatureForm === 'compact', signature,
      ...(ext ? { signer: id.mmsi } : {}),
    });
    return this.emitBinary(Kind.SignedAttached, ext, body, 8, source);
  }

  private groupEncrypt(bits: NmeaBits, mmsi: number, second: number): string[] {
    // A clock that may be wrong could put the nonce second anywhere; wait until the daemon trusts it.
    if (!this.options.timeTrusted) throw new TxError('TIME_UNTRUSTED', 'mode 5 waits for trusted time');
    if (this.nonces === undefined) throw new TxError('NO_NONCE_STATE', 'mode 5 needs persisted nonce state');
    const key = this.keys.groupKeys?.forSending(second);
    if (key === undefined) {
      const held = (this.keys.groupKeys?.size ?? 0) > 0;
      throw new TxError(
        held ? 'NO_SENDING_KEY' : 'NO_KEY',
        held ? `no group key to send with at ${second} (expired, not yet valid, or read-only under the group policy)` : 'no group key loaded',
      );
    }
    const seq = this.nonces.next(key.keyId, second);
    const source = mmsi;
    const { bytes, fill } = packBits(bits);
    const head = { time: timeResidue(seq.utcSeconds, TIME_BITS[Kind.Group]), keySlot: key.keyId % 4, counter: seq.counter, fill, instance: seq.instance };
    const sealed = groupSeal(key.key, { keyId: key.keyId, mmsi: source, instance: seq.instance, utcSeconds: seq.utcSeconds, counter: seq.counter }, bytes, {
      aad: groupHeader(head),
      tagLength: AEAD_TAG_BYTES,
    });
    const body = encodeGroup({ ...head, ciphertext: sealed.subarray(0, sealed.length - AEAD_TAG_BYTES), tag: sealed.subarray(sealed.length - AEAD_TAG_BYTES) });
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
    // Each KEM key seals exactly one message, so a constant nonce is safe; the associated data binds sender,
    // recipient, second, purpose and KEM ciphertext, so another key holder cannot re-sign the ciphertext as its own.
    const aad = kemAssociatedData({ sender: id.mmsi, recipient: to, second, purpose, fill: content.fill, kemCiphertext: ciphertext });
    const sealed = groupSeal(key, { keyId: 0, mmsi: to, utcSeconds: second, counter: 0 }, content.bytes, { aad, tagLength: AEAD_TAG_BYTES });
    key.fill(0);
    const compact = this.options.signatureForm === 'compact';
    const unsigned = { time: timeResidue(second, TIME_BITS[Kind.Kem]), compact, purpose, fill: content.fill, kemCiphertext: ciphertext, sealed };
    const part = kemSignedPart(unsigned);
    const msg = signedMessage({ kind: Kind.Kem, source, signer: id.mmsi, destination: to, second, content: part, contentBits: part.length * 8 });
    const signature = id.signer(epoch).sign(msg, { form: this.options.signatureForm, ...(this.random ? { random: this.random } : {}) });
    if (signature.length !== signatureBytes(compact)) throw new TxError('TX_FAILED', 'signature of unexpected length');
    return this.emitBinary(Kind.Kem, false, encodeKem({ ...unsigned, signature }), 6, source, to);
  }

  private sourceMmsi(mmsi: number): number {
    // In mode 3 the radio we drive (VDM emit, enforced by checkMode) transmits under the pseudo-MMSI.
    if (this.options.mode === 3 && this.options.emit === 'vdm' && this.keys.pseudo) return this.keys.pseudo.mmsi;
    return mmsi;
  }

  private emitBinary(kind: Kind, ext: boolean, body: Uint8Array, type: BinaryMessageType, source: number, to?: number): string[] {
    // Random, not sequential: a spoofer cannot place forged fragments in a group before its fragment 0 is heard.
    const group = groupIdFrom((this.random ?? randomBytes)(2));
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
