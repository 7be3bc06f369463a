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

export interface Pipeline {
  /** A line that arrived from the ship side. */
  fromShip(line: string, nowMs: number): PipelineOutput[];
  /** A line that arrived from the radio side. */
  fromRadio(line: string, nowMs: number): PipelineOutput[];
  /** Time passes: expiries, scheduled transmissions. */
  tick(nowMs: number): PipelineOutput[];
  /**
   * The fail-safe for one ship-side line when secured sending falls behind: what may still go out under the mode's
   * failure policy (docs/modes.md) — the line itself in mode 1, nothing of own-ship content in modes 4 and 5.
   */
  bypass(line: string): PipelineOutput[];
  /** Whether an own-ship line may go out unaltered when the pipeline cannot be called at all (failed, hung). */
  bypassAllowed?(): boolean;
  /** The daemon's verdict on its clock; mode 5 sends only while it is trusted. */
  setTimeTrusted?(trusted: boolean): void;
  readonly mode: Mode;
  setMode(mode: Mode): void;
  counters(): PipelineCounters;
  /** Base-station UTC heard since the last call (bounded); optional, a pipeline that decodes nothing has none. */
  takeUtcReports?(): UtcReport[];
}
