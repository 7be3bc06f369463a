/**
 * Kinds 5 and 6, amortised authentication (docs/amortised-auth.md): plain reports of senders that amortise are shown
 * pending (`P`) and later authenticated (`V`, mode `A`) or failed (`F`), never authenticated before their key is
 * verified.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { aisChannelOf, AmortisedReceiver, FailReason, reportFromBits, type ReceiverEvent } from '../amortised/index.js';
import { epochForParity } from '../epoch.js';
import { Kind } from '../envelope.js';
import { formatStatus, Result } from '../status.js';
import { countRejection } from './counters.js';
import type { ReceivedBody, RxContext } from './context.js';
import type { HeldReport } from './held-reports.js';
import { AMORTISED_FAIL, AMORTISED_REJECT, Reject } from './reject.js';

/** What a `$PMIBV` line about an amortised report names, and the report's lines for the drop policy. */
interface ShownReport {
  readonly type: number;
  readonly second: number;
  readonly lines: readonly string[];
  readonly digest: string;
  /** The receiver's clock was confirmed when the report arrived: the scheme's timing holds only if it was. */
  readonly clockTrusted: boolean;
}

export class AmortisedStage {
  readonly receiver: AmortisedReceiver;
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
  private lastTickS = Number.NEGATIVE_INFINITY;

  constructor(private readonly ctx: RxContext) {
    this.receiver = new AmortisedReceiver({
      limits: ctx.options.amortised,
      // The anchor is signed by its source MMSI (ext = 0), with the key of the epoch its second falls in.
      verify: (mmsi, parity, msg, sig) => {
        try {
          return ctx.verify('mmsi', mmsi, epochForParity(this.bodySecond, parity, ctx.keys.params.epochSeconds), msg, sig, true);
        } catch (e) {
          // No identity to check it against (see SecureRx.verifyAny): the anchor does not verify.
          if (e instanceof Reject) return false;
          throw e;
        }
      },
    });
  }

  /** True when `mmsi` sends amortised bodies: its plain reports go to `feed`. */
  amortises(mmsi: number): boolean {
    return this.amortisers.has(mmsi);
  }

  forget(id: number): void {
    this.shown.delete(id);
  }

  /**
   * A kind 5/6 body. The sender becomes an amortising one, and the plain reports already held from it are handed to
   * the amortised receiver with their own receive times (a late joiner loses none of the reports heard before).
   */
  body({ source, kind, ext, body, second, nowMs }: ReceivedBody, out: string[]): void {
    // Anchors are verified under the source MMSI; a body naming another signer is not part of this scheme.
    if (ext) throw new Reject('MALFORMED', `kind ${kind} with a signer field (ext = 1)`);
    // The anchor's check is paid here: a refusal inside the receiver would cut its events short.
    if (kind === Kind.ChainAnchor) this.ctx.spendPairing();
    // Nothing in a batch can be verified on arrival. Recording it unverified cannot crowd out other entries: the VDL
    // carries ≈ 4,500 messages per 30-s window on both channels, far below the guard's 65,536.
    this.ctx.replay.accept(source, kind, second, sha256(body).subarray(0, 16), Math.floor(nowMs / 1000));
    const known = this.amortisers.has(source);
    this.amortisers.delete(source);
    if (this.amortisers.size >= this.receiver.limits.maxSenders) {
      const oldest = this.amortisers.keys().next().value as number;
      this.amortisers.delete(oldest);
    }
    this.amortisers.set(source, nowMs / 1000);
    if (!known) for (const h of this.ctx.held.of(source)) if (!h.fed) this.feed(h, false, out);
    this.bodySecond = second;
    this.events(this.receiver.onBody(source, kind, body, nowMs / 1000), out);
  }

  /**
   * Hands a plain report to the amortised receiver; false when its channel is unknown (the tag binds it), so that it
   * stays an ordinary unverified report. `fresh`: the report's lines have not been shown yet.
   */
  feed(h: HeldReport, fresh: boolean, out: string[]): boolean {
    const ch = aisChannelOf(h.channel);
    if (ch === undefined) return false;
    const report = reportFromBits(h.message.type, h.receivedSecond, ch, h.bits.bytes, h.bits.bitLength);
    const events = this.receiver.onReport(h.message.mmsi, report, h.receivedMs / 1000);
    const first = events[0];
    if (first?.type === 'report') {
      // With the flag policy a report is shown on arrival (pending, or earlier as U) and again with its V; with drop
      // only once authenticated. Either way the V directly follows the report it vouches for.
      const flag = this.ctx.options.policy === 'flag';
      this.shown.set(first.id, { type: h.message.type, second: h.receivedSecond, lines: h.lines, digest: h.digest, clockTrusted: this.ctx.clockTrusted() });
      h.amortisedId = first.id;
      if (fresh && flag) {
        this.ctx.counters.forwarded++;
        out.push(...h.lines);
      }
    }
    h.fed = true;
    this.events(events, out);
    return true;
  }

  /** Reports whose evidence can no longer arrive fail; evaluated at most once per second (a pass over every sender). */
  tick(nowMs: number, out: string[]): void {
    const second = Math.floor(nowMs / 1000);
    if (second <= this.lastTickS) return;
    this.lastTickS = second;
    this.events(this.receiver.tick(nowMs / 1000), out);
    const horizon = nowMs / 1000 - this.receiver.limits.pendingExpiryS;
    for (const [mmsi, lastS] of this.amortisers) if (lastS < horizon) this.amortisers.delete(mmsi);
  }

  private events(events: readonly ReceiverEvent[], out: string[]): void {
    const { counters, options } = this.ctx;
    for (const ev of events) {
      if (ev.type === 'notice') {
        counters.notices[ev.code] = (counters.notices[ev.code] ?? 0) + 1;
        const reason = AMORTISED_REJECT[ev.code];
        if (reason !== undefined) {
          countRejection(counters, reason);
          out.push(formatStatus({ result: Result.Failed, mode: 'A', source: ev.mmsi, reason }));
        }
        continue;
      }
      const r = this.shown.get(ev.id);
      if (r === undefined) continue;
      const about = { mode: 'A' as const, source: ev.mmsi, messageType: r.type, second: r.second, report: r.digest };
      if (ev.status === 'pending') {
        counters.pending++;
        if (options.policy === 'flag') out.push(formatStatus({ result: Result.Pending, ...about }));
        continue;
      }
      this.shown.delete(ev.id);
      if (ev.status === 'authenticated' && !(r.clockTrusted && this.ctx.clockTrusted())) {
        // The tags check out, but without a confirmed clock nothing shows the key was still secret when they came.
        counters.unconfirmed++;
        const flag = options.policy === 'flag';
        out.push(...(flag ? r.lines : []), formatStatus({ result: Result.Pending, ...about, reason: 'CLOCK_UNCONFIRMED' }));
      } else if (ev.status === 'authenticated') {
        counters.verified++;
        counters.forwarded++;
        out.push(...r.lines, formatStatus({ result: Result.Verified, identity: ev.mmsi, ...about }));
      } else {
        // The receiver gives every failure a reason; the type leaves it optional only for the other statuses.
        const reason = AMORTISED_FAIL[ev.reason ?? FailReason.Expired];
        countRejection(counters, reason);
        out.push(formatStatus({ result: Result.Failed, ...about, reason }));
      }
    }
  }
}
