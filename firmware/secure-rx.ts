/**
 * The receiving half of the mIBC-AIS-App (paper §5.3 "on the receiver side"): VDM from the radio in; secured
 * messages 6/8 reassembled, verified or decrypted, and the original message handed to the display as an ordinary
 * VDM followed by a `$PMIBV` status (firmware/status.ts). Plain traffic is forwarded flagged (default) or dropped.
 * Nothing that fails a check is ever shown as content; every rejection is reported with a stable reason code.
 *
 * This is the front stage: it parses and assembles sentences, reassembles envelope bodies, checks their time and
 * routes each body to its kind's handler in firmware/rx/ (one file per kind; amortised kinds 5/6 in rx/amortised.ts).
 */
import { CryptoError, MAX_EPOCH } from '../crypto/index.js';
import {
  decodeAis, encodeVdm, isVdm, NmeaError, parseSentence, parseVdm, SequentialId, VdmAssembler,
  type AisBits as NmeaBits, type AisMessage,
} from '../nmea/index.js';
import { bodyTime } from './bodies.js';
import { decodeEnvelopeMessage, Kind } from './envelope.js';
import { EnvelopeError } from './errors.js';
import { reconstructSecond, ReplayGuard } from './freshness.js';
import { GroupKeyRing, VerifierCache, type GroupKey, type IdentityKind } from './keyring.js';
import { Reassembler } from './reassembler.js';
import type { UtcReport } from './pipeline.js';
import { formatStatus, Result, type Status } from './status.js';
import { AmortisedStage } from './rx/amortised.js';
import { UtcReportLog } from './rx/base-station-utc.js';
import type { KindHandler, ReceivedBody, RxContext } from './rx/context.js';
import { countRejection, newRxCounters, type RxCounters } from './rx/counters.js';
import { group } from './rx/group.js';
import { HeldReports, type HeldReport } from './rx/held-reports.js';
import { kem } from './rx/kem.js';
import { isMmsi } from './rx/mmsi.js';
import { DEFAULT_RX_OPTIONS, type RxKeys, type RxOptions } from './rx/options.js';
import { Reject, type RejectReason } from './rx/reject.js';
import { reportDigest } from './rx/report-digest.js';
import { signedAttached } from './rx/signed-attached.js';
import { signedInline } from './rx/signed-inline.js';
import { VerifyBudget, type VerifyBudgetLimits } from './rx/verify-budget.js';

export { baseStationUtcMs } from './rx/base-station-utc.js';
export type { RxCounters } from './rx/counters.js';
export { DEFAULT_RX_OPTIONS, type RxKeys, type RxOptions, type UnverifiedPolicy } from './rx/options.js';
export type { RejectReason } from './rx/reject.js';

type Channel = '' | 'A' | 'B' | '1' | '2';

const MAX_SECOND = 2 ** 48 - 1;

const HANDLERS: Partial<Record<Kind, KindHandler>> = {
  [Kind.SignedInline]: signedInline,
  [Kind.SignedAttached]: signedAttached,
  [Kind.Group]: group,
  [Kind.Kem]: kem,
};

export class SecureRx {
  readonly options: RxOptions;
  readonly counters: RxCounters = newRxCounters();
  /** Told of every group key installed from a mode-4 hand-out. */
  onGroupKey: ((key: GroupKey, from: number) => void) | undefined;
  private readonly assembler = new VdmAssembler({ maxPending: 64, timeoutMs: 10_000 });
  private readonly reassembler: Reassembler;
  private readonly verifiers: VerifierCache;
  private readonly held: HeldReports;
  private readonly seq = new SequentialId();
  private readonly amortised: AmortisedStage;
  private readonly utc = new UtcReportLog();
  private readonly ctx: RxContext;
  private clockTrusted: boolean;
  /** Source MMSI of the message being handled, once its header was read: the last-resort status names it. */
  private source: number | undefined;
  /** Told of every unexpected error the last-resort containment absorbed (for the log). */
  onInternalError: ((error: unknown) => void) | undefined;
  private readonly budget: VerifyBudget | undefined;
  /** Whom the pairing work of the body being handled is charged to. */
  private charge = { source: 0, nowMs: 0 };
  /** BUDGET_TOTAL refusals already handed out by `takeTotalBudgetRefusals`. */
  private totalRefusalsTaken = 0;

  constructor(options: Partial<RxOptions>, keys: RxKeys) {
    this.options = { ...DEFAULT_RX_OPTIONS, ...options };
    this.reassembler = new Reassembler(this.options.reassembler);
    this.verifiers = new VerifierCache(keys.params, this.options.verifierCache);
    this.budget = this.options.verifyBudget === false ? undefined : new VerifyBudget(this.options.verifyBudget);
    this.held = new HeldReports({ perSender: this.options.attachedPerSender, senders: this.options.attachedSenders, total: this.options.attachedTotal });
    this.ctx = {
      options: this.options,
      keys,
      counters: this.counters,
      replay: new ReplayGuard({ freshnessWindowS: this.options.freshnessWindowS, acceptFromSecond: this.options.acceptFromSecond }),
      groupKeys: keys.groupKeys ?? new GroupKeyRing(),
      held: this.held,
      verify: (kind, signer, epoch, msg, sig, charged) => this.verifyAny(kind, signer, epoch, [msg], sig, charged) === 0,
      verifyAny: (kind, signer, epoch, msgs, sig) => this.verifyAny(kind, signer, epoch, msgs, sig),
      spendPairing: () => this.spendPairing(),
      emit: (report, channel, status, out) => this.emit(report, channel, status, out),
      forgetAmortised: (id) => this.amortised.forget(id),
      groupKeyInstalled: (key, from) => this.onGroupKey?.(key, from),
      clockTrusted: () => this.clockTrusted,
    };
    this.clockTrusted = this.options.clockTrusted;
    this.amortised = new AmortisedStage(this.ctx);
  }

  /**
   * One line from the radio side; returns the lines for the display side. Never throws: an unexpected error refuses
   * the message it happened on (`INTERNAL`, counted, `$PMIBV,F` when its source is known) and the next line is
   * handled as usual.
   */
  push(line: string, nowMs: number): string[] {
    this.counters.lines++;
    const out: string[] = [];
    this.source = undefined;
    try {
      this.receive(line, nowMs, out);
    } catch (e) {
      return this.internal(e, this.source);
    }
    return out;
  }

  /** A line refused before it is read (no time to check it against under a TAG-block clock): counted only. */
  refuse(reason: RejectReason): string[] {
    this.counters.lines++;
    countRejection(this.counters, reason);
    return [];
  }

  /**
   * Time passes: incomplete groups and held plain reports expire; amortised reports whose evidence can no longer
   * arrive fail (evaluated at most once per second: it costs a pass over every amortising sender's reports and tags).
   * Never throws either.
   */
  tick(nowMs: number): string[] {
    const out: string[] = [];
    try {
      this.expire(nowMs, out);
      this.amortised.tick(nowMs, out);
    } catch (e) {
      return [...out, ...this.internal(e, undefined)];
    }
    return out;
  }

  /**
   * The last-resort containment: whatever this message had produced is withheld (fail closed: half an output could
   * pair a report with the wrong status) and the refusal is counted and shown.
   */
  private internal(error: unknown, source: number | undefined): string[] {
    countRejection(this.counters, 'INTERNAL');
    this.onInternalError?.(error);
    return source === undefined ? [] : [formatStatus({ result: Result.Failed, mode: 0, source, reason: 'INTERNAL' })];
  }

  private receive(line: string, nowMs: number, out: string[]): void {
    let s;
    try {
      s = parseSentence(line);
    } catch (e) {
      if (!(e instanceof NmeaError)) throw e;
      this.counters.malformedLines++;
      return;
    }
    if (!isVdm(s)) {
      this.counters.forwarded++;
      out.push(line);
      return;
    }
    let assembled;
    let message: AisMessage;
    try {
      assembled = this.assembler.push(parseVdm(s), nowMs);
      if (assembled === undefined) return;
      message = decodeAis(assembled.bits);
    } catch (e) {
      if (!(e instanceof NmeaError)) throw e;
      this.counters.malformedLines++;
      return;
    }
    this.source = message.mmsi;
    const channel = assembled.fragments[assembled.fragments.length - 1]?.channel ?? '';
    const lines = assembled.fragments.map((f) => f.sentence.raw);
    if ((message.type === 8 || message.type === 6) && message.dac === this.options.dac && message.fid === this.options.fi) {
      this.secured(message, channel, nowMs, out);
    } else {
      this.plainMessage(assembled.bits, message, lines, channel, nowMs, out);
    }
    this.expire(nowMs, out);
  }

  /**
   * Whether the receiver's clock is confirmed within the amortised scheme's bound by a trusted source (own GNSS);
   * never by message 4, which anyone can transmit. Amortised `V` is given only while it is, for reports received
   * while it was.
   */
  setClockTrusted(trusted: boolean): void {
    this.clockTrusted = trusted;
  }

  /** Base-station UTC (message 4) heard since the last `takeUtcReports`, newest last; at most 16. */
  takeUtcReports(): UtcReport[] {
    return this.utc.take();
  }

  /**
   * Secured messages refused with BUDGET_TOTAL since the last call: the receiver's whole verification budget was
   * spent, so genuine senders may be going unverified too (the daemon raises VERIFY_OVERLOAD).
   */
  takeTotalBudgetRefusals(): number {
    const total = this.counters.rejected.BUDGET_TOTAL ?? 0;
    const fresh = total - this.totalRefusalsTaken;
    this.totalRefusalsTaken = total;
    return fresh;
  }

  /** The limits of the verification budget in force; undefined when it is off. */
  get verifyBudgetLimits(): VerifyBudgetLimits | undefined {
    return this.budget?.limits;
  }

  private expire(nowMs: number, out: string[]): void {
    for (const e of this.reassembler.expire(nowMs)) this.reportDrop(e, out);
    const unvouched = this.held.expire(Math.floor(nowMs / 1000) - this.options.freshnessWindowS);
    if (this.options.policy === 'drop') this.counters.droppedUnverified += unvouched;
  }

  private plainMessage(bits: NmeaBits, message: AisMessage, lines: readonly string[], channel: string, nowMs: number, out: string[]): void {
    this.counters.plain++;
    if (message.type === 4) this.utc.note(message);
    const digest = reportDigest(bits);
    const h: HeldReport = { bits, message, lines, channel, receivedSecond: Math.floor(nowMs / 1000), receivedMs: nowMs, digest, verified: false, fed: false };
    this.held.hold(h);
    if (this.amortised.amortises(message.mmsi) && this.amortised.feed(h, true, out)) return;
    if (this.options.policy === 'drop') return;
    this.counters.forwarded++;
    out.push(...lines, formatStatus({ result: Result.Unverified, mode: 1, source: message.mmsi, messageType: message.type, report: digest }));
  }

  private secured(m: AisMessage, channel: string, nowMs: number, out: string[]): void {
    const source = m.mmsi;
    const destination = m.type === 6 ? (m.dest_mmsi as number) : undefined;
    // Header fields are 30 bits wide; an identity is an MMSI of at most nine digits. Refused before any key work.
    if (!isMmsi(source) || (destination !== undefined && !isMmsi(destination))) return this.reject('INVALID_MMSI', source, out);
    if (destination !== undefined && this.ctx.keys.identity !== undefined && destination !== this.ctx.keys.identity.mmsi) {
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
      const failure = this.tryBody({ kind: r.kind, source, destination, ext: r.ext, body, second: 0, channel, nowMs }, out);
      if (failure === undefined) {
        accepted = true;
        if (!handAll) break;
      } else {
        firstFailure ??= failure;
        // Over budget: the other candidates would be refused too.
        if (failure === 'BUDGET_SOURCE' || failure === 'BUDGET_TOTAL') {
          firstFailure = failure;
          break;
        }
      }
    }
    if (accepted) r.settle();
    else this.reject(firstFailure as RejectReason, source, out);
  }

  /** Handles one reassembled body (its `second` still to be read); returns the rejection reason, or undefined when accepted. */
  private tryBody(received: ReceivedBody, out: string[]): RejectReason | undefined {
    this.charge = { source: received.source, nowMs: received.nowMs };
    try {
      const { body, nowMs } = received;
      const time = bodyTime(received.kind, received.ext, body);
      const second = reconstructSecond(time.residue, time.bits, Math.floor(nowMs / 1000));
      // Signed messages and nonces carry the second in 48 bits; a receiver clock outside them checks nothing.
      if (!(second >= 0 && second <= MAX_SECOND)) throw new Reject('BAD_TIME', `second ${second} outside 0..2^48 − 1`);
      // STALE or FUTURE from the time bits alone, before any pairing is spent.
      this.ctx.replay.checkFresh(second, Math.floor(nowMs / 1000));
      const b = { ...received, second };
      if (b.kind === Kind.ChainAnchor || b.kind === Kind.ChainBatch) {
        this.amortised.body(b, out);
        return undefined;
      }
      const handler = HANDLERS[b.kind];
      if (handler === undefined) return 'UNSUPPORTED_KIND';
      handler(this.ctx, b, out);
      return undefined;
    } catch (e) {
      if (e instanceof Reject) return e.reason;
      if (e instanceof EnvelopeError) return e.code;
      if (e instanceof CryptoError) return 'MALFORMED';
      throw e;
    }
  }

  private verifyAny(kind: IdentityKind, signer: number, epoch: number, msgs: readonly Uint8Array[], sig: Uint8Array, charged = false): number {
    // No identity can be made of these: refused before any budget or pairing is spent.
    if (!isMmsi(signer)) throw new Reject('INVALID_MMSI', `signer ${signer} is not an MMSI`);
    if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) throw new Reject('BAD_TIME', `no key epoch ${epoch}`);
    if (!charged) this.spendPairing();
    return this.verifiers.get(kind, signer, epoch).verifyAny(msgs, sig);
  }

  private spendPairing(): void {
    const refused = this.budget?.take(this.charge.source, this.charge.nowMs);
    if (refused !== undefined) throw new Reject(refused, `verification budget exhausted (${this.charge.source})`);
  }

  private emit(report: NmeaBits, channel: string, status: Status, out: string[]): void {
    this.counters.forwarded++;
    const ch: Channel = channel === 'A' || channel === 'B' || channel === '1' || channel === '2' ? channel : '';
    out.push(...encodeVdm(report, { channel: ch, seqId: this.seq.next() }), formatStatus({ ...status, report: reportDigest(report) }));
  }

  private reportDrop(e: EnvelopeError, out: string[]): void {
    countRejection(this.counters, e.code);
    const source = /from (\d+)/.exec(e.message)?.[1];
    if (source !== undefined) out.push(formatStatus({ result: Result.Failed, mode: 0, source: Number(source), reason: e.code }));
  }

  private reject(reason: RejectReason, source: number, out: string[]): void {
    countRejection(this.counters, reason);
    out.push(formatStatus({ result: Result.Failed, mode: 0, source, reason }));
  }
}
