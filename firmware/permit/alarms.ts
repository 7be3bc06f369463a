/**
 * Stable alarm codes of key-permit installation and key state, in the order of the S-63 client checks they
 * mirror (S-63 §11.5 and §12; DESIGN.md §3 Provisioning). The codes are part of the appliance's contract
 * (logs, status, tests): add codes, never rename them.
 */
export const PERMIT_ALARMS = {
  PERMIT_MISSING: { s63: 'SSE 11', severity: 'error', text: 'No key permit found. Load the permit provided by the authority.' },
  PERMIT_FORMAT: { s63: 'SSE 12', severity: 'error', text: 'Key permit format is incorrect.' },
  PERMIT_NOT_FOR_DEVICE: { s63: 'SSE 19', severity: 'error', text: 'Key permit is not valid for this appliance.' },
  PERMIT_INTEGRITY: { s63: 'SSE 13', severity: 'error', text: 'Key permit is invalid (signature, certificate or key wrap check failed).' },
  ISSUER_CERTIFICATE_EXPIRED: { s63: 'SSE 22', severity: 'error', text: 'The issuer certificate of the key permit has expired.' },
  CLOCK_DISAGREES: { s63: 'SSE 14', severity: 'error', text: 'System clock disagrees with GNSS/AIS UTC; expiry cannot be decided.' },
  PERMIT_ROLLBACK: { s63: '-', severity: 'error', text: 'Key permit is older than the installed one from the same issuer.' },
  PERMIT_NOT_YET_VALID: { s63: '-', severity: 'error', text: 'Key permit is not valid yet.' },
  PERMIT_EXPIRED: { s63: 'SSE 15', severity: 'error', text: 'Key permit has expired. Contact the authority to renew it.' },
  PERMIT_EXPIRES_SOON: { s63: 'SSE 20', severity: 'warning', text: 'Key permit expires in 30 days or less. Contact the authority to renew it.' },
  KEY_EXPIRED: { s63: 'SSE 25', severity: 'alarm', text: 'An installed key has expired: messages it would sign or decrypt are not protected.' },
} as const;

export type PermitAlarmCode = keyof typeof PERMIT_ALARMS;
export type PermitErrorCode = Exclude<PermitAlarmCode, 'PERMIT_EXPIRES_SOON' | 'KEY_EXPIRED'>;

/** Why a permit was refused. The installed key set is never touched when one of these is returned. */
export class PermitError extends Error {
  override readonly name = 'PermitError';
  readonly code: PermitErrorCode;
  readonly detail: string;
  constructor(code: PermitErrorCode, detail: string, options?: { cause?: unknown }) {
    super(`${code}: ${detail}`, options);
    this.code = code;
    this.detail = detail;
  }
}
