/**
 * The forms of a 9-digit maritime identity (ITU-R M.585, as summarised in the project's reference notes
 * s63-secom-mrn.md §3.5) that the authority may issue keys for, and the PKG's pseudonym block. One table, used
 * where identities are ISSUED (the PKG and its command line). Receivers never use it: on air any 30-bit source
 * is data, and refusing a form there would only hide traffic (crypto/identity.ts hashes whatever arrives).
 *
 *   form          digits       MID at   issued for
 *   ship          MIDxxxxxx    1–3      a ship station (the appliance's own MMSI)
 *   group         0MIDxxxxx    2–4      a group of ship stations (fleet-wide addressing)
 *   coast         00MIDxxxx    3–5      a coast or base station (the authority, group-key issuer)
 *   sar-aircraft  111MIDxxx    4–6      a SAR aircraft
 *   aton          99MIDxxxx    3–5      an AIS aid to navigation
 *   pseudonym     10xxxxxxx    –        a PKG pseudonym (100 000 000 … 109 999 999; no MID, no assigned form)
 *
 * MID: 201–775 (Maritime Identification Digits, the range ITU allocates; not every number in it is allocated,
 * and this table does not carry the allocation list). Refused, by design: handheld VHF (8MIDxxxxx), SART, MOB and
 * EPIRB-AIS (970/972/974…), craft associated with a parent ship (98MIDxxxx), MID outside 201–775, and anything
 * that is not nine digits (e.g. 12345). The pseudonym argument is in docs/pkg.md.
 */

export const MMSI_FORMS = ['ship', 'group', 'coast', 'sar-aircraft', 'aton', 'pseudonym'] as const;
export type MmsiForm = (typeof MMSI_FORMS)[number];

export const MID_MIN = 201;
export const MID_MAX = 775;
export const PSEUDO_MMSI_MIN = 100_000_000;
export const PSEUDO_MMSI_MAX = 109_999_999;

/** The forms in the order they are tried: prefix and where the MID starts (prefixes are mutually exclusive). */
const RULES: readonly { form: Exclude<MmsiForm, 'pseudonym'>; prefix: RegExp; midAt: number }[] = [
  { form: 'coast', prefix: /^00[1-9]/, midAt: 2 },
  { form: 'group', prefix: /^0[1-9]/, midAt: 1 },
  { form: 'sar-aircraft', prefix: /^111/, midAt: 3 },
  { form: 'aton', prefix: /^99/, midAt: 2 },
  { form: 'ship', prefix: /^[2-7]/, midAt: 0 },
];

export function isPseudoMmsi(n: number): boolean {
  return Number.isInteger(n) && n >= PSEUDO_MMSI_MIN && n <= PSEUDO_MMSI_MAX;
}

/** The form of `n` (an integer 0…999 999 999, written with nine digits), or undefined when it has none. */
export function mmsiForm(n: number): MmsiForm | undefined {
  if (!Number.isInteger(n) || n < 0 || n > 999_999_999) return undefined;
  if (isPseudoMmsi(n)) return 'pseudonym';
  const s = String(n).padStart(9, '0');
  for (const r of RULES) {
    if (!r.prefix.test(s)) continue;
    const mid = Number(s.slice(r.midAt, r.midAt + 3));
    return mid >= MID_MIN && mid <= MID_MAX ? r.form : undefined;
  }
  return undefined;
}

/** Why `n` is not one of `allowed`, or undefined when it is: for one-line refusals at issue time. */
export function mmsiRefusal(n: number, allowed: readonly MmsiForm[]): string | undefined {
  const form = mmsiForm(n);
  if (form !== undefined && allowed.includes(form)) return undefined;
  const shown = Number.isInteger(n) && n >= 0 && n <= 999_999_999 ? String(n).padStart(9, '0') : String(n);
  if (form === undefined) {
    return `${shown} is not an MMSI this authority issues (ship MIDxxxxxx, group 0MIDxxxxx, coast 00MIDxxxx, SAR aircraft 111MIDxxx, AtoN 99MIDxxxx; MID ${MID_MIN}–${MID_MAX})`;
  }
  return `${shown} is a ${form} MMSI; expected ${allowed.join(' or ')}`;
}
