/** Amortised authentication (issue 8): a TESLA key chain anchored by one BLMQ signature; see docs/amortised-auth.md. */
export { AmortisedError, AmortisedErrorCode } from './errors.js';
export { TESLA_PRESETS, checkParams, disclosureTimeOf, intervalOf, type TeslaParams } from './params.js';
export { KeyChain, MAX_CHAIN_LENGTH, chainStep, deriveKey, verifyDisclosedKey, type ChainId } from './chain.js';
export { AIS_CHANNEL, aisChannelOf, computeTag, macKeyOf, reportFromBits, type AisChannel, type Report } from './tag.js';
export {
  anchorSignedMessage,
  decodeAnchorBody,
  encodeAnchorBody,
  type Anchor,
  type AnchorFields,
} from './anchor.js';
export { batchBodyLength, decodeBatchBody, encodeBatchBody, peekBatchGen, type BatchBody, type BatchEntry } from './batch.js';
export { MSG8_APP_DATA_BYTES, maxSingleMessageBody, messageSlotsForBody } from './slots.js';
export { epochParityOf, reconstructSecond, t6Of } from './time.js';
export {
  AMORTISED_KIND,
  AmortisedSender,
  DEFAULT_ANCHOR_PERIOD_S,
  DEFAULT_RETAG_EXTRA_SHARE,
  type Emission,
  type SenderConfig,
} from './sender.js';
export {
  AmortisedReceiver,
  DEFAULT_RECEIVER_LIMITS,
  FailReason,
  NoticeCode,
  displayStatus,
  type ReceiverConfig,
  type ReceiverEvent,
  type ReceiverLimits,
  type ReportStatus,
} from './receiver.js';
