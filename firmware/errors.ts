/** Typed errors of the secure envelope: a literal `code` per failure so that the pipeline can count by reason. */

export type EnvelopeErrorCode =
  | 'ENVELOPE_TRUNCATED'
  | 'ENVELOPE_VERSION'
  | 'ENVELOPE_KIND'
  | 'ENVELOPE_FORMAT'
  | 'FRAGMENT_CONFLICT'
  | 'FRAGMENT_COUNT'
  | 'FRAGMENT_EXPIRED'
  | 'FRAGMENT_EVICTED'
  | 'TOO_LARGE'
  | 'STALE'
  | 'FUTURE'
  | 'REPLAY';

export class EnvelopeError extends Error {
  readonly code: EnvelopeErrorCode;
  constructor(code: EnvelopeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnvelopeError';
    this.code = code;
  }
}
