/**
 * The real Pipeline (firmware/pipeline.ts): ship-side lines go through SecureTx to the radio side, radio-side lines
 * through SecureRx to the ship side. One instance per appliance; the daemon, the bench and the filters share it.
 */
import type { Mode, Pipeline, PipelineCounters, PipelineOutput, UtcReport } from './pipeline.js';
import { SecureRx, type RxKeys, type RxOptions } from './secure-rx.js';
import { SecureTx, type PlainFallback, type TxKeys, type TxOptions } from './secure-tx.js';

export type { PlainFallback } from './secure-tx.js';

export interface AppliancePipelineConfig {
  readonly tx: Partial<TxOptions>;
  readonly rx: Partial<RxOptions>;
  /** Modes 2 and 3 (docs/modes.md §2); default 'on-failure': a SOLAS ship must keep reporting. Overrides `tx`'s. */
  readonly plainFallback?: PlainFallback;
}

export interface ApplianceKeys extends TxKeys, RxKeys {}

export class AppliancePipeline implements Pipeline {
  readonly tx: SecureTx;
  readonly rx: SecureRx;
  readonly plainFallback: PlainFallback;
  #timeTrusted = false;

  constructor(config: AppliancePipelineConfig, keys: ApplianceKeys, random?: (n: number) => Uint8Array) {
    this.tx = new SecureTx({ ...config.tx, ...(config.plainFallback === undefined ? {} : { plainFallback: config.plainFallback }) }, keys, random);
    this.rx = new SecureRx(config.rx, keys);
    this.plainFallback = this.tx.options.plainFallback;
  }

  /** Whether the appliance's clock is confirmed by a trusted source (the daemon's trusted-time state). */
  get timeTrusted(): boolean {
    return this.#timeTrusted;
  }

  /** The daemon's verdict on its clock: mode 5 encrypts only while it is trusted. */
  setTimeTrusted(trusted: boolean): void {
    this.#timeTrusted = trusted;
    this.tx.setTimeTrusted(trusted);
    // Amortised V needs it too (docs/display-output.md, Time).
    this.rx.setClockTrusted(trusted);
  }

  /** Whether an own-ship line may leave unaltered: mode 1, mode 2 as configured; never modes 3–5 (docs/modes.md §2). */
  plainAllowed(): boolean {
    return this.tx.plainAllowed();
  }

  get mode(): Mode {
    return this.tx.mode;
  }

  setMode(mode: Mode): void {
    this.tx.setMode(mode);
  }

  fromShip(line: string, nowMs: number): PipelineOutput[] {
    return this.tx.push(line, nowMs).map((l) => ({ side: 'radio', line: l.line, priority: l.priority }));
  }

  fromRadio(line: string, nowMs: number): PipelineOutput[] {
    // Received traffic is shown as it comes; own-ship safety priority applies to the transmit side only.
    return this.rx.push(line, nowMs).map((l) => ({ side: 'ship', line: l, priority: 'normal' }));
  }

  /** Received reports that time out go to the display; due amortised-authentication bodies go to the radio. */
  tick(nowMs: number): PipelineOutput[] {
    return [
      ...this.rx.tick(nowMs).map((l): PipelineOutput => ({ side: 'ship', line: l, priority: 'normal' })),
      ...this.tx.tick(nowMs).map((l): PipelineOutput => ({ side: 'radio', line: l.line, priority: l.priority })),
    ];
  }

  /** The transmit side's fail-safe: own-ship content leaves unsecured only where the mode allows (never 4, 5). */
  bypass(line: string): PipelineOutput[] {
    return this.tx.bypass(line).map((l) => ({ side: 'radio', line: l.line, priority: 'safety' }));
  }

  takeUtcReports(): UtcReport[] {
    return this.rx.takeUtcReports();
  }

  counters(): PipelineCounters {
    const t = this.tx.counters;
    const r = this.rx.counters;
    const out: Record<string, number> = {
      'tx.secured': t.secured, 'tx.passed': t.passed, 'tx.failed': t.failed, 'tx.messages': t.messages, 'tx.slots': t.slots,
      'tx.sentPlain': t.sentPlain, 'tx.dropped': t.dropped, 'tx.echoes': t.echoes,
      'rx.lines': r.lines, 'rx.forwarded': r.forwarded, 'rx.plain': r.plain, 'rx.verified': r.verified, 'rx.pending': r.pending, 'rx.decrypted': r.decrypted,
      'rx.keysInstalled': r.keysInstalled, 'rx.malformedLines': r.malformedLines, 'rx.notForUs': r.notForUs, 'rx.droppedUnverified': r.droppedUnverified,
    };
    for (const [reason, n] of Object.entries(t.byReason)) out[`tx.failed.${reason}`] = n;
    for (const [reason, n] of Object.entries(r.rejected)) out[`rx.rejected.${reason}`] = n;
    for (const [code, n] of Object.entries(r.notices)) out[`rx.notices.${code}`] = n;
    return out;
  }
}
