/** Options and key material of the receive path (firmware/secure-rx.ts). */
import type { ReceiverLimits } from '../amortised/index.js';
import { DEFAULT_VERIFIER_CACHE, type GroupKeyRing, type OwnIdentity, type SystemParams } from '../keyring.js';
import type { ReassemblerLimits } from '../reassembler.js';
import type { VerifyBudgetLimits } from './verify-budget.js';

export type UnverifiedPolicy = 'flag' | 'drop';

export interface RxOptions {
  readonly dac: number;
  readonly fi: number;
  /** Plain (unauthenticated) traffic: forward it with a `U` status (default) or drop it. */
  readonly policy: UnverifiedPolicy;
  readonly freshnessWindowS: number;
  readonly reassembler: Partial<ReassemblerLimits>;
  /**
   * Recent plain reports kept per sender for attached signatures to refer to. Many, so that plain reports sent under
   * a victim's MMSI do not push its genuine one out before the signature arrives; matching costs one pairing however
   * many there are.
   */
  readonly attachedPerSender: number;
  readonly attachedSenders: number;
  /** Plain reports kept in all. */
  readonly attachedTotal: number;
  /** Limits of the amortised-authentication receiver (firmware/amortised DEFAULT_RECEIVER_LIMITS otherwise). */
  readonly amortised: Partial<ReceiverLimits>;
  /**
   * The receiver's clock is confirmed within the amortised scheme's bound by a source the appliance trusts (its own
   * GNSS). Amortised authentication is sound only then (docs/amortised-auth.md): while false, reports it would
   * authenticate are shown `P` with reason CLOCK_UNCONFIRMED instead of `V`. Changed at run time by setClockTrusted.
   */
  readonly clockTrusted: boolean;
  /** The replay cache's start-up barrier (freshness.ts `acceptFromSecond`); the daemon sets it, filters do not. */
  readonly acceptFromSecond?: number;
  /** Pairing operations allowed per source and in total (docs/verification-budget.md); false only to measure without. */
  readonly verifyBudget: Partial<VerifyBudgetLimits> | false;
  /** Prepared verifiers kept for the senders heard most (firmware/keyring.ts `VerifierCache`; ≈19 KiB WASM each). */
  readonly verifierCache: number;
}

export const DEFAULT_RX_OPTIONS: RxOptions = {
  dac: 0,
  fi: 58,
  policy: 'flag',
  freshnessWindowS: 30,
  reassembler: {},
  // A class A ship reports at most every 2 s: 15 genuine reports per 30-s window; twice that leaves room for forgeries.
  attachedPerSender: 32,
  attachedSenders: 4096,
  // ≈ 200 B each: 32,768 reports are ≈ 7 MB, and ten times the reports a busy VDL carries in a freshness window.
  attachedTotal: 32_768,
  amortised: {},
  // Fail closed: nothing vouches for the clock until a trusted source says so.
  clockTrusted: false,
  verifyBudget: {},
  verifierCache: DEFAULT_VERIFIER_CACHE,
};

export interface RxKeys {
  readonly params: SystemParams;
  /** This vessel's identity: needed to decrypt mode 4 messages addressed to it. */
  readonly identity?: OwnIdentity;
  /** Mode-5 keys and the group policy that decides which hand-outs install (none without one). */
  readonly groupKeys?: GroupKeyRing;
}
