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
  /** Recent plain reports kept per sender for attached signatures to refer to. */
  readonly attachedPerSender: number;
  readonly attachedSenders: number;
  /** Limits of the amortised-authentication receiver (firmware/amortised DEFAULT_RECEIVER_LIMITS otherwise). */
  readonly amortised: Partial<ReceiverLimits>;
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
  attachedPerSender: 4,
  attachedSenders: 4096,
  amortised: {},
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
