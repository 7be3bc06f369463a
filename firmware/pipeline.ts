/**
 * The appliance's processing seam (DESIGN.md §1): lines from the ship side (transponder / ECDIS presentation
 * interface) and from the radio side go in, lines for either side come out. The daemon, the bench and the `tx`/`rx`
 * filters all drive an implementation of this interface; it is synchronous (mcl-wasm pairings are) and pure apart
 * from the time passed in.
 */

export type Side = 'ship' | 'radio';
export type Priority = 'safety' | 'normal';

/** Operating modes of the mIBC paper §3. */
export type Mode = 1 | 2 | 3 | 4 | 5;

export interface PipelineOutput {
  readonly side: Side;
  readonly line: string;
  /** Own-ship safety traffic (position reports, safety messages) is sent before anything else. */
  readonly priority: Priority;
}

export interface PipelineCounters {
  readonly [name: string]: number;
}

/** UTC announced by a received AIS base station (message 4), for the appliance's clock cross-check. */
export interface UtcReport {
  readonly utcMs: number;
  readonly mmsi: number;
}

/** Secured messages the receiver refused because its total verification budget was spent (docs/verification-budget.md). */
export interface VerifyOverload {
  /** Messages refused with BUDGET_TOTAL since the last report. */
  readonly refused: number;
  /** The total budget, pairing operations per second. */
  readonly totalRate: number;
}

/** When one installed key stops being usable. */
export interface KeyExpiry {
  readonly kind: string;
  readonly identity: string;
  /** UTC seconds. */
  readonly notAfter: number;
}

/** An own-ship message the pipeline could not secure, and what became of it (firmware/secure-tx.ts TxFailure). */
export interface OwnShipFailure {
  /** Stable reason code (NO_KEY, KEY_EXPIRED, NO_SENDING_KEY, TIME_UNTRUSTED, …). */
  readonly code: string;
  readonly action: 'sent-plain' | 'sent-pseudonymous' | 'dropped';
  readonly message: string;
}

export interface Pipeline {
  /** A line that arrived from the ship side. */
  fromShip(line: string, nowMs: number): PipelineOutput[];
  /** A line that arrived from the radio side. */
  fromRadio(line: string, nowMs: number): PipelineOutput[];
  /** Time passes: expiries, scheduled transmissions. */
  tick(nowMs: number): PipelineOutput[];
  /**
   * Plain forwarding of one ship-side line, used when secured sending falls behind (fail-safe). The daemon calls it
   * only while `plainAllowed()` is true.
   */
  bypass(line: string): PipelineOutput[];
  /**
   * Whether an own-ship line may leave unaltered when it cannot be secured (latency budget, full queue, a throw):
   * always in mode 1; in mode 2 only as configured; never in mode 3 (the line names the ship its pseudonym hides)
   * nor in the confidentiality modes 4 and 5. While false the daemon withholds such a line, counts it and raises
   * an alarm.
   */
  plainAllowed(): boolean;
  /**
   * The appliance's clock is (true) or is not (false) confirmed within the schemes' bound by a source it trusts
   * (its own GNSS on the ship port). Mode 5 sends only, and amortised `V` is given only, while it is true.
   * Called at start (false) and on every change.
   */
  setTimeTrusted(trusted: boolean): void;
  /**
   * Builds the key and parameter tables the first messages would otherwise build lazily, so that the first own-ship
   * report after READY meets the latency budget. The daemon calls it once, before READY; a throw fails the start.
   */
  prepare?(nowMs: number): void;
  readonly mode: Mode;
  /** Switches mode; throws (the mode unchanged) when the keys or state cannot serve the new one. */
  setMode(mode: Mode): void;
  /** Why `mode` cannot be served now, or undefined; optional (a pipeline without it is taken to serve its mode). */
  modeProblem?(mode: Mode): string | undefined;
  /** The keys the pipeline loaded and when each stops being usable, for KEY_EXPIRED; optional. */
  keyValidity?(): readonly KeyExpiry[];
  counters(): PipelineCounters;
  /**
   * Own-ship messages not secured since the last call (bounded; the pipeline counts every one): the daemon raises
   * an alarm per reason. Optional: a pipeline that secures nothing has none.
   */
  takeFailures?(): OwnShipFailure[];
  /** Base-station UTC heard since the last call (bounded); optional, a pipeline that decodes nothing has none. */
  takeUtcReports?(): UtcReport[];
  /**
   * Whether messages were refused for the receiver's total verification budget since the last call (a flood):
   * the daemon raises VERIFY_OVERLOAD. Optional: a pipeline without a budget has none.
   */
  takeVerifyOverload?(): VerifyOverload | undefined;
}
