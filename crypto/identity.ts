/**
 * Canonical identity bytes: the string that H1 hashes (paper §4.2 step 1, "represent the MMSI as a string of
 * bits"; DESIGN.md §3 "Identities"). Length-unambiguous and domain-separated, with a key epoch so keys expire
 * without revocation lists (Boneh–Franklin 2001 §1.1; RFC 6509's "YYYY-MM\0URI\0" is the same idea):
 *
 *   "MIBC-AIS/ID/1" ‖ 0x00 ‖ kind (1) ‖ length (2, BE) ‖ body ‖ epoch (4, BE)
 *
 *   kind 0x01 MMSI         body = 9 ASCII digits (leading zeros kept: coast/group MMSIs start with 0)
 *   kind 0x02 pseudo-MMSI  body = 9 ASCII digits — a distinct kind, so a pseudonym never collides with a real MMSI
 *   kind 0x03 MRN          body = canonical MRN (mrn.ts), without r/q/f components
 *
 * A receiver computes this from what it sees on air (the 30-bit source MMSI) plus the epoch the envelope
 * indicates; the MRN kind is for the authority's persistent identities (MCP MRN bound to the MMSI in a permit).
 */
import { MrnError } from './errors.js';
import { canonicalMrn, parseMrn } from './mrn.js';
import { auint, concatBytes, uintBE, utf8ToBytes } from './_utils.js';

export const IDENTITY_KIND = { mmsi: 0x01, 'pseudo-mmsi': 0x02, mrn: 0x03 } as const;
export const MAX_EPOCH = 0xffff_ffff;
export const MAX_MMSI = 999_999_999;

export type Identity =
  | { readonly kind: 'mmsi'; readonly mmsi: number; readonly epoch: number }
  | { readonly kind: 'pseudo-mmsi'; readonly mmsi: number; readonly epoch: number }
  | { readonly kind: 'mrn'; readonly mrn: string; readonly epoch: number };

const TAG = utf8ToBytes('MIBC-AIS/ID/1\x00');

/** Canonical bytes of an identity; TypeError/RangeError for out-of-range numbers, MrnError for a bad MRN. */
export function identityBytes(id: Identity): Uint8Array {
  if (typeof id !== 'object' || id === null) throw new TypeError('identity: expected an object');
  const epoch = auint(id.epoch, MAX_EPOCH, 'identity epoch');
  let body: Uint8Array;
  switch (id.kind) {
    case 'mmsi':
    case 'pseudo-mmsi':
      body = utf8ToBytes(String(auint(id.mmsi, MAX_MMSI, 'identity MMSI')).padStart(9, '0'));
      break;
    case 'mrn': {
      const m = parseMrn(id.mrn);
      if (m.rComponent !== undefined || m.qComponent !== undefined || m.fComponent !== undefined)
        throw new MrnError('MRN_PROFILE', 'identity MRN must not carry r-, q- or f-components (RFC 8141 §3.1)');
      body = utf8ToBytes(canonicalMrn(id.mrn));
      break;
    }
    default:
      throw new TypeError(`identity: unknown kind ${String((id as { kind: unknown }).kind)}`);
  }
  return concatBytes(TAG, Uint8Array.of(IDENTITY_KIND[id.kind]), uintBE(body.length, 2), body, uintBE(epoch, 4));
}

/** Shorthand for the common case: the on-air MMSI at a key epoch. */
export function mmsiIdentity(mmsi: number, epoch: number): Uint8Array {
  return identityBytes({ kind: 'mmsi', mmsi, epoch });
}
