/**
 * Outcomes of the authority's SECOM service. SECOM's own SECOM_ResponseCode (SECOMLib v1: 0 missing required data,
 * 1 failed signature verification, 2 invalid certificate, 3 schema validation error) is coarse, so every refusal
 * also carries a stable `reason` (docs/secom.md "Errors"), and the HTTP status a generic client acts on.
 */
export const SECOM_RESPONSE = { MISSING_DATA: 0, SIGNATURE: 1, CERTIFICATE: 2, SCHEMA: 3 } as const;
export type SecomResponseCode = (typeof SECOM_RESPONSE)[keyof typeof SECOM_RESPONSE];

export const SECOM_REASONS = {
  SCHEMA: { status: 400, secom: SECOM_RESPONSE.SCHEMA },
  CERT_MALFORMED: { status: 400, secom: SECOM_RESPONSE.CERTIFICATE },
  CERT_UNTRUSTED: { status: 403, secom: SECOM_RESPONSE.CERTIFICATE },
  CERT_EXPIRED: { status: 403, secom: SECOM_RESPONSE.CERTIFICATE },
  CERT_WRONG_MRN: { status: 403, secom: SECOM_RESPONSE.CERTIFICATE },
  ENVELOPE_SIGNATURE: { status: 403, secom: SECOM_RESPONSE.SIGNATURE },
  DATA_SIGNATURE: { status: 403, secom: SECOM_RESPONSE.SIGNATURE },
  STALE: { status: 403, secom: SECOM_RESPONSE.SIGNATURE },
  REPLAY: { status: 409, secom: SECOM_RESPONSE.SIGNATURE },
  PAYLOAD_TOO_LARGE: { status: 413, secom: SECOM_RESPONSE.SCHEMA },
  DECOMPRESSION: { status: 400, secom: SECOM_RESPONSE.SCHEMA },
  PAYLOAD_SCHEMA: { status: 400, secom: SECOM_RESPONSE.SCHEMA },
  NOT_FOUND: { status: 404, secom: SECOM_RESPONSE.MISSING_DATA },
  REVOKED: { status: 403, secom: SECOM_RESPONSE.CERTIFICATE },
  NOT_BOUND: { status: 403, secom: SECOM_RESPONSE.CERTIFICATE },
  UNKNOWN_DEVICE: { status: 403, secom: SECOM_RESPONSE.MISSING_DATA },
  EPOCH_OUT_OF_RANGE: { status: 400, secom: SECOM_RESPONSE.SCHEMA },
  NOT_MEMBER: { status: 403, secom: SECOM_RESPONSE.CERTIFICATE },
  RATE_LIMITED: { status: 429, secom: SECOM_RESPONSE.MISSING_DATA },
} as const;
export type SecomReason = keyof typeof SECOM_REASONS;

export class SecomError extends Error {
  override readonly name = 'SecomError';
  readonly reason: SecomReason;
  constructor(reason: SecomReason, message: string, options?: { cause?: unknown }) {
    super(`${reason}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
  }
}
