/**
 * Unit conversions of gpsd's scaled JSON view (gpsd `gpsd_json.c`, AIVDM.adoc): degrees, tenths, area corners and
 * rate of turn, rounded as glibc's printf rounds. Shared by the object view (gpsd.ts) and the compiled writers
 * (gpsd-compiled.ts) so the two cannot round differently.
 */
import type { FieldValue } from './_layout.js';

/** Unit conversions of the scaled view; identity when unscaled. */
export class Scaler {
  constructor(readonly active: boolean) {}

  deg(raw: number, perDegree: number, digits: number): FieldValue {
    return this.active ? round(raw / perDegree, digits) : raw;
  }
  tenth(raw: number, notAvailable?: number): FieldValue {
    if (!this.active) return raw;
    return raw === notAvailable ? 'nan' : round(raw / 10, 1);
  }
  scale(raw: number, factor: number, digits: number): FieldValue {
    return this.active ? round(raw * factor, digits) : raw;
  }
  area(raw: number): FieldValue {
    return this.active ? (raw / 600).toFixed(6) : raw;
  }
  /** Rate of turn: gpsd shows the sentinel values as words and otherwise the ROT indicator itself. */
  turn(raw: number): FieldValue {
    if (!this.active) return raw;
    if (raw === -128) return 'nan';
    if (raw === -127) return 'fastleft';
    if (raw === 127) return 'fastright';
    const rot = (raw / 4.733) ** 2;
    return Math.round(raw < 0 ? -rot : rot);
  }
}

/**
 * `v` to `digits` decimals as glibc's printf("%.*f") rounds it: from the exact binary value (as `toFixed`), with
 * exact ties to even (where `toFixed` rounds up) — so 4.25 prints as 4.2, as gpsd prints it.
 */
export function round(v: number, digits: number): number {
  const exact = v.toFixed(100);
  const point = exact.indexOf('.');
  if (point < 0) return v;
  if (/^50*$/.test(exact.slice(point + 1 + digits))) {
    const kept = exact.slice(0, digits === 0 ? point : point + 1 + digits);
    const odd = Number(kept.charAt(kept.length - 1)) % 2 === 1;
    return odd ? Number((Number(kept) + Math.sign(v) * 10 ** -digits).toFixed(digits)) : Number(kept);
  }
  return Number(v.toFixed(digits));
}
