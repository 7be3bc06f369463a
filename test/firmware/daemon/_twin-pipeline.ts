/**
 * The pipeline twin the daemon is tested with: pass-through in every mode (own-ship lines to the radio side as
 * safety traffic, radio lines to the ship side), with an injectable cost per call — `spend(ms)` advances a
 * FakeClock inside the call in unit tests, or busy-waits on real ports — to model slow or hung crypto, and
 * injectable failures. Plain is allowed as AppliancePipeline allows it (mode 1, and mode 2 unless `plainFallback` is off);
 * the trusted-time flags the daemon sets are recorded.
 */
import type { Mode, OwnShipFailure, Pipeline, PipelineCounters, PipelineOutput, UtcReport } from '../../../firmware/pipeline.js';

export interface TwinOptions {
  mode?: Mode;
  /** Makes a call take `ms` of (simulated or real) time. */
  spend?: (ms: number) => void;
}

export class TwinPipeline implements Pipeline {
  mode: Mode;
  /** Cost of each fromShip call, ms. */
  shipCostMs = 0;
  /** Cost of each fromRadio call, ms. */
  radioCostMs = 0;
  /** The next fromShip call throws this. */
  failNext: Error | undefined;
  /** fromRadio throws on lines containing this. */
  poisonRadio: string | undefined;
  /** Mode 2 may fall back to plain. */
  plainFallback = true;
  /** Every setTimeTrusted call, in order. */
  readonly timeTrusted: boolean[] = [];
  readonly modes: Mode[] = [];
  /** Base-station UTC the next `takeUtcReports` hands over, as if heard in message 4. */
  utcReports: UtcReport[] = [];
  readonly #spend: (ms: number) => void;
  readonly #counts = { fromShip: 0, fromRadio: 0, bypass: 0, tick: 0 };

  constructor(options: TwinOptions = {}) {
    this.mode = options.mode ?? 1;
    this.#spend = options.spend ?? busyWait;
  }

  /** Own-ship failures the next `takeFailures` hands over, as if the sending half had told them. */
  failures: OwnShipFailure[] = [];

  takeFailures(): OwnShipFailure[] {
    const out = this.failures;
    this.failures = [];
    return out;
  }

  takeUtcReports(): UtcReport[] {
    const out = this.utcReports;
    this.utcReports = [];
    return out;
  }

  setMode(mode: Mode): void {
    this.mode = mode;
    this.modes.push(mode);
  }

  fromShip(line: string): PipelineOutput[] {
    this.#counts.fromShip += 1;
    if (this.failNext !== undefined) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    if (this.shipCostMs > 0) this.#spend(this.shipCostMs);
    return [{ side: 'radio', line, priority: 'safety' }];
  }

  fromRadio(line: string): PipelineOutput[] {
    this.#counts.fromRadio += 1;
    if (this.poisonRadio !== undefined && line.includes(this.poisonRadio)) throw new RangeError(`field out of range in ${line}`);
    if (this.radioCostMs > 0) this.#spend(this.radioCostMs);
    return [{ side: 'ship', line, priority: 'normal' }];
  }

  tick(): PipelineOutput[] {
    this.#counts.tick += 1;
    return [];
  }

  bypass(line: string): PipelineOutput[] {
    this.#counts.bypass += 1;
    return [{ side: 'radio', line, priority: 'safety' }];
  }

  plainAllowed(): boolean {
    return this.mode === 1 || (this.mode === 2 && this.plainFallback);
  }

  setTimeTrusted(trusted: boolean): void {
    this.timeTrusted.push(trusted);
  }

  counters(): PipelineCounters {
    return { ...this.#counts };
  }
}

/** Blocks the thread like a long synchronous pairing computation would. */
export function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spinning on purpose: the daemon must cope with a pipeline that holds the event loop
  }
}
