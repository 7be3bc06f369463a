/**
 * S-63 (ed. 1.2.1) §12 error and warning catalogue: the SSE codes a Data Client reports. The texts are the
 * standard's (SSE 19's comes from §11.5.3, it is missing from the §12 table). Codes are stable strings so that
 * callers and logs can count by code.
 */
export const SSE_MESSAGES = {
  'SSE 04': 'Format of SA Signed DS Certificate is incorrect',
  'SSE 05': 'SA Digital Certificate (X509) file is not available.',
  'SSE 06':
    'The SA Signed Data Server Certificate is invalid. The SA may have issued a new public key or the ENC may originate from another service.',
  'SSE 08': 'SA Digital Certificate (X509) file incorrect format.',
  'SSE 09': 'ENC Signature is invalid',
  'SSE 11': 'Cell Permit not found. Load the permit file provided by the data supplier.',
  'SSE 12': 'Cell Permit format is incorrect. Contact your data supplier and obtain a new permit file.',
  'SSE 13': 'Cell Permit is invalid (checksum is incorrect) or the Cell Permit is for a different system.',
  'SSE 15': 'Subscription service has expired. Please contact your data supplier to renew the subscription licence',
  'SSE 17': 'Userpermit is invalid (checksum is incorrect).',
  'SSE 18': 'HW_ID is incorrect format',
  'SSE 19': 'Permits are not valid for this system. Contact your data supplier to obtain the correct permits',
  'SSE 20':
    'Subscription service will expire in less than 30 days. Please contact your data supplier to renew the subscription licence',
  'SSE 24': 'ENC Signature format incorrect, contact your data supplier',
  'SSE 26': 'This ENC is not authenticated by the IHO acting as the Scheme Administrator',
} as const;

export type SseCode = keyof typeof SSE_MESSAGES;

/** A bad S-63 input; `code` is the SSE code the standard prescribes for it, `detail` says what was wrong. */
export class S63Error extends Error {
  override readonly name = 'S63Error';
  readonly code: SseCode;
  readonly detail: string;
  constructor(code: SseCode, detail: string, options?: { cause?: unknown }) {
    super(`${code}: ${SSE_MESSAGES[code]} (${detail})`, options);
    this.code = code;
    this.detail = detail;
  }
}
