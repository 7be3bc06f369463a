/**
 * The real Pipeline (firmware/pipeline.ts): ship-side lines go through SecureTx to the radio side, radio-side lines
 * through SecureRx to the ship side. One instance per appliance; the daemon, the bench and the filters share it.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { encapsulate, prepareVerifier } from '../crypto/index.js';
import { epochOf } from './epoch.js';
import { identityOf, type OwnIdentity, type SystemParams } from './keyring.js';
import type { KeyExpiry, Mode, OwnShipFailure, Pipeline, PipelineCounters, PipelineOutput, UtcReport, VerifyOverload } from './pipeline.js';
import { StatusFilter, type StatusPolicyOptions } from './rx/status-policy.js';
import { SecureRx, type RxKeys, type RxOptions } from './secure-rx.js';
import { SecureTx, TxError, type PlainFallback, type TxKeys, type TxOptions } from './secure-tx.js';

export type { PlainFallback } from './secure-tx.js';

export interface AppliancePipelineConfig {
  readonly tx: Partial<TxOptions>;
  readonly rx: Partial<RxOptions>;
  /** Modes 2 and 3 (docs/modes.md §2); default 'on-failure': a SOLAS ship must keep reporting. Overrides `tx`'s. */
  readonly plainFallback?: PlainFallback;
  /** Which statuses reach the display (firmware/rx/status-policy.ts); default `all`, the daemon's is `news`. */
  readonly display?: Partial<StatusPolicyOptions>;
}

/** Failures held between two daemon calls (it asks after every one); more are counted, not listed. */
const FAILURE_BACKLOG = 64;

export interface ApplianceKeys extends TxKeys, RxKeys {}

export class AppliancePipeline implements Pipeline {
  readonly tx: SecureTx;
  readonly rx: SecureRx;
  readonly plainFallback: PlainFallback;
  readonly display: StatusFilter;
  #timeTrusted = false;
  readonly #keys: ApplianceKeys;
  /** The key epoch whose tables `prepare` last built (with the next one's). */
  #preparedEpoch: number | undefined;
  /** Failures since the daemon last asked, for its alarms; bounded, as the counters keep the totals. */
  #failures: OwnShipFailure[] = [];
  /** UTC ms of the latest call that passed the time: what `setMode` judges a group key's validity by. */
  #lastNowMs = 0;

  constructor(config: AppliancePipelineConfig, keys: ApplianceKeys, random?: (n: number) => Uint8Array) {
    this.#keys = keys;
    this.tx = new SecureTx({ ...config.tx, ...(config.plainFallback === undefined ? {} : { plainFallback: config.plainFallback }) }, keys, random);
    this.rx = new SecureRx(config.rx, keys);
    this.display = new StatusFilter({ policy: 'all', ...config.display });
    this.tx.onFailure = (f) => {
      if (this.#failures.length < FAILURE_BACKLOG) this.#failures.push({ code: f.code, action: f.action, message: f.message });
    };
    this.plainFallback = this.tx.options.plainFallback;
  }

  /**
   * Builds, before the first message needs them, the tables that message would otherwise build inside the latency
   * budget: the own identities' signers and decryptors for this key epoch and the next (≈25 ms and 1.2 MB each), and
   * the public parameters' fixed-base tables and Miller-loop lines (one test signature verified, one encapsulation).
   * Cold, the first own-ship report took 220–800 ms; prepared, it costs one signature. A key that does not match
   * its identity throws here (KeyMismatchError), at start, not at the first report.
   */
  prepare(nowMs: number): void {
    const { params } = this.#keys;
    const epoch = epochOf(Math.floor(nowMs / 1000), params.epochSeconds);
    this.#preparedEpoch = epoch;
    this.#lastNowMs = nowMs;
    const own = [this.#keys.identity, this.#keys.pseudo].filter((id): id is OwnIdentity => id !== undefined);
    for (const id of own) {
      for (const e of [epoch, epoch + 1]) {
        if (!id.hasEpoch(e)) continue; // expiry is the alarms' business, not a start-up failure
        id.signer(e);
        id.decryptor(e);
      }
    }
    warmParams(params, own.find((id) => id.hasEpoch(epoch)), epoch);
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

  /**
   * Refuses (TxError MODE_UNAVAILABLE, the mode unchanged) a mode these keys and this state cannot serve: a switch
   * into it would only withhold, or send plain, every own-ship report while the panel showed a secure mode.
   */
  setMode(mode: Mode): void {
    const problem = this.modeProblem(mode);
    if (problem !== undefined) throw new TxError('MODE_UNAVAILABLE', problem);
    this.tx.setMode(mode);
  }

  /** Why `mode` cannot be served now, or undefined. Time untrusted is not a reason: mode 5 waits for it, alarmed. */
  modeProblem(mode: Mode): string | undefined {
    const k = this.#keys;
    const o = this.tx.options;
    switch (mode) {
      case 1:
        return undefined;
      case 2:
        return k.identity === undefined ? 'mode 2 needs the vessel\'s identity key' : undefined;
      case 3:
        if (k.pseudo === undefined) return 'mode 3 needs a pseudo-MMSI key';
        return o.emit === 'vdm' ? undefined : 'mode 3 needs a radio the appliance drives (a transponder sends under the real MMSI)';
      case 4:
        if (o.to === undefined) return 'mode 4 needs a destination vessel';
        return k.identity === undefined ? 'mode 4 needs the vessel\'s identity key to sign' : undefined;
      case 5:
        if (k.nonceState === undefined) return 'mode 5 needs persisted nonce state (a state directory)';
        return k.groupKeys?.forSending(Math.floor(this.#lastNowMs / 1000)) === undefined ? 'mode 5 has no group key to send with now' : undefined;
    }
  }

  /** The own identities' last usable second (end of their last key epoch), for KEY_EXPIRED / KEY_EXPIRES_SOON. */
  keyValidity(): KeyExpiry[] {
    const { epochSeconds } = this.#keys.params;
    const out: KeyExpiry[] = [];
    for (const id of [this.#keys.identity, this.#keys.pseudo]) {
      const last = id?.epochs.at(-1);
      if (id === undefined || last === undefined) continue;
      out.push({ kind: 'key', identity: `${id.kind}:${String(id.mmsi).padStart(9, '0')}`, notAfter: (last + 1) * epochSeconds });
    }
    return out;
  }

  fromShip(line: string, nowMs: number): PipelineOutput[] {
    this.#lastNowMs = nowMs;
    return this.tx.push(line, nowMs).map((l) => ({ side: 'radio', line: l.line, priority: l.priority }));
  }

  fromRadio(line: string, nowMs: number): PipelineOutput[] {
    this.#lastNowMs = nowMs;
    // Received traffic is shown as it comes; own-ship safety priority applies to the transmit side only.
    return this.display.filter(this.rx.push(line, nowMs), nowMs).map((l) => ({ side: 'ship', line: l, priority: 'normal' }));
  }

  /** Received reports that time out go to the display; due amortised-authentication bodies go to the radio. */
  tick(nowMs: number): PipelineOutput[] {
    this.#lastNowMs = nowMs;
    // A new key epoch: the one after it is prepared now, in a tick, not in an own-ship report at the next rollover.
    if (this.#preparedEpoch !== undefined && epochOf(Math.floor(nowMs / 1000), this.#keys.params.epochSeconds) !== this.#preparedEpoch) this.prepare(nowMs);
    return [
      ...this.display.filter(this.rx.tick(nowMs), nowMs).map((l): PipelineOutput => ({ side: 'ship', line: l, priority: 'normal' })),
      ...this.tx.tick(nowMs).map((l): PipelineOutput => ({ side: 'radio', line: l.line, priority: l.priority })),
    ];
  }

  /** The transmit side's fail-safe: own-ship content leaves unsecured only where the mode allows (never 4, 5). */
  bypass(line: string): PipelineOutput[] {
    return this.tx.bypass(line).map((l) => ({ side: 'radio', line: l.line, priority: 'safety' }));
  }

  takeFailures(): OwnShipFailure[] {
    const out = this.#failures;
    this.#failures = [];
    return out;
  }

  takeUtcReports(): UtcReport[] {
    return this.rx.takeUtcReports();
  }

  takeVerifyOverload(): VerifyOverload | undefined {
    const refused = this.rx.takeTotalBudgetRefusals();
    const limits = this.rx.verifyBudgetLimits;
    return refused > 0 && limits !== undefined ? { refused, totalRate: limits.totalRate } : undefined;
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
    out['display.unverifiedOmitted'] = this.display.counters.unverifiedOmitted;
    out['display.failuresSuppressed'] = this.display.counters.failuresSuppressed;
    for (const [reason, n] of Object.entries(t.byReason)) out[`tx.failed.${reason}`] = n;
    for (const [reason, n] of Object.entries(r.rejected)) out[`rx.rejected.${reason}`] = n;
    for (const [code, n] of Object.entries(r.notices)) out[`rx.notices.${code}`] = n;
    return out;
  }
}

/** One signature verified and one encapsulation: builds the parameters' lazily made tables (g, P1, s·P1, P2, s·P2). */
function warmParams(params: SystemParams, id: OwnIdentity | undefined, epoch: number): void {
  const target = identityOf(id?.kind ?? 'mmsi', id?.mmsi ?? 0, epoch);
  encapsulate(params.pp, target).key.fill(0);
  if (id === undefined) return;
  const msg = utf8ToBytes('mibc-ais table warm-up');
  const verifier = prepareVerifier(params.pp, target);
  try {
    verifier.verify(msg, id.signer(epoch).sign(msg));
  } finally {
    verifier.destroy();
  }
}
