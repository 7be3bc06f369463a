/**
 * Rejections of the receive path: every per-message failure is a typed reason, counted and shown as `$PMIBV,F`
 * (docs/display-output.md). Handlers throw `Reject`; the front stage turns it into the count and the status.
 */
import { FailReason, NoticeCode } from '../amortised/index.js';
import type { EnvelopeError } from '../errors.js';
import type { GrantRefusal } from '../group-policy.js';
import type { BudgetRefusal } from './verify-budget.js';

/** `$PMIBV,F` reasons of amortised authentication: a report's failure, or a rejected kind 5/6 body. */
export const AMORTISED_FAIL = {
  [FailReason.TagMismatch]: 'TAG_MISMATCH',
  [FailReason.NoTag]: 'NO_TAG',
  [FailReason.Collision]: 'TAG_COLLISION',
  [FailReason.Unverifiable]: 'UNVERIFIABLE',
  [FailReason.Expired]: 'AUTH_EXPIRED',
  [FailReason.Stale]: 'STALE',
  [FailReason.Flood]: 'FLOOD',
  [FailReason.Evicted]: 'EVICTED',
} as const satisfies Record<FailReason, string>;

/** Notices that reject a body; the others (anchor accepted, buffer full, sender evicted) are only counted. */
export const AMORTISED_REJECT: Partial<Record<NoticeCode, AmortisedReason>> = {
  [NoticeCode.AnchorBadSignature]: 'BAD_SIGNATURE',
  [NoticeCode.AnchorStale]: 'STALE',
  [NoticeCode.BodyMalformed]: 'MALFORMED',
  [NoticeCode.BatchUnsafe]: 'BATCH_UNSAFE',
  [NoticeCode.KeyRejected]: 'KEY_REJECTED',
  [NoticeCode.KeyTooFar]: 'KEY_TOO_FAR',
  [NoticeCode.EarlyDisclosure]: 'EARLY_DISCLOSURE',
};

type AmortisedReason =
  | (typeof AMORTISED_FAIL)[FailReason]
  | 'BAD_SIGNATURE'
  | 'MALFORMED'
  | 'BATCH_UNSAFE'
  | 'KEY_REJECTED'
  | 'KEY_TOO_FAR'
  | 'EARLY_DISCLOSURE';

/** Why a secured message was rejected; also the `reason` field of `$PMIBV,F`. */
export type RejectReason =
  | 'MALFORMED'
  | 'BAD_SIGNATURE'
  | 'WRONG_SENDER'
  | 'NO_MATCHING_REPORT'
  | 'NO_GROUP_KEY'
  | 'BAD_TAG'
  | 'NO_KEY'
  | GrantRefusal
  | 'UNSUPPORTED_KIND'
  /** A header or body names an MMSI outside 0–999 999 999 (the fields are 30 bits wide; identities are 9 digits). */
  | 'INVALID_MMSI'
  /** The body's time gives no usable key epoch (a receiver clock before the first epoch). */
  | 'BAD_TIME'
  /** Under `--clock tagblock`: the line carries no TAG-block `c:` time to check it against. */
  | 'NO_TIME'
  /** Last resort: an unexpected error while handling this message; the message is refused, processing goes on. */
  | 'INTERNAL'
  | AmortisedReason
  | BudgetRefusal
  | EnvelopeError['code'];

/** Thrown by a kind handler: the body is refused for `reason`. */
export class Reject extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
    this.name = 'Reject';
  }
}
