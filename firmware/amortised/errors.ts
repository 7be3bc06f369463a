/** Typed errors of the amortised-authentication codecs (STYLE.md guideline 3: literal `code`, `{ cause }`). */
export const AmortisedErrorCode = {
  BodyLength: 'AMORTISED_BODY_LENGTH',
  BodyField: 'AMORTISED_BODY_FIELD',
  Params: 'AMORTISED_PARAMS',
  Chain: 'AMORTISED_CHAIN',
} as const;
export type AmortisedErrorCode = (typeof AmortisedErrorCode)[keyof typeof AmortisedErrorCode];

export class AmortisedError extends Error {
  override readonly name: string = 'AmortisedError';
  constructor(
    readonly code: AmortisedErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
