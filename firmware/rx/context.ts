/**
 * What the kind handlers of the receive path share: options, keys, counters, the replay guard and the held plain
 * reports, with the two actions every handler ends in (verify a signature, emit an accepted report).
 */
import type { AisBits as NmeaBits } from '../../nmea/index.js';
import type { Kind } from '../envelope.js';
import type { ReplayGuard } from '../freshness.js';
import type { GroupKey, GroupKeyRing, IdentityKind } from '../keyring.js';
import type { Status } from '../status.js';
import type { RxCounters } from './counters.js';
import type { HeldReports } from './held-reports.js';
import type { RxKeys, RxOptions } from './options.js';

export interface RxContext {
  readonly options: RxOptions;
  readonly keys: RxKeys;
  readonly counters: RxCounters;
  readonly replay: ReplayGuard;
  readonly groupKeys: GroupKeyRing;
  readonly held: HeldReports;
  /** Takes its pairing from the verification budget first, unless the caller took it already (`charged`). */
  verify(kind: IdentityKind, signer: number, epoch: number, msg: Uint8Array, sig: Uint8Array, charged?: boolean): boolean;
  /**
   * The index of the first of `msgs` the signature verifies for, or −1: one pairing (one unit of the budget) however
   * many candidates.
   */
  verifyAny(kind: IdentityKind, signer: number, epoch: number, msgs: readonly Uint8Array[], sig: Uint8Array): number;
  /** Takes one pairing operation of the verification budget before it is spent; throws Reject(BUDGET_*) over it. */
  spendPairing(): void;
  /** Shows an accepted report as VDM on `channel`, followed by its status. */
  emit(report: NmeaBits, channel: string, status: Status, out: string[]): void;
  /** An amortised report was settled by other means (an attached signature): no later amortised status follows. */
  forgetAmortised(id: number): void;
  groupKeyInstalled(key: GroupKey, from: number): void;
  /** The receiver's clock is confirmed by a trusted source now (RxOptions.clockTrusted, SecureRx.setClockTrusted). */
  clockTrusted(): boolean;
}

/** One reassembled body, with what the AIS header and the receiver's clock say about it. */
export interface ReceivedBody {
  readonly kind: Kind;
  /** Source MMSI of the carrying message 6/8. */
  readonly source: number;
  /** Destination MMSI of message 6; undefined for message 8. */
  readonly destination: number | undefined;
  readonly ext: boolean;
  readonly body: Uint8Array;
  /** The body's UTC second, reconstructed against the receiver's clock and inside the freshness window. */
  readonly second: number;
  readonly channel: string;
  readonly nowMs: number;
}

/** A per-kind handler: shows what it accepts in `out`, throws `Reject` (or EnvelopeError) otherwise. */
export type KindHandler = (ctx: RxContext, b: ReceivedBody, out: string[]) => void;
