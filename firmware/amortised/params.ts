/**
 * Parameters of one TESLA-style key chain (Perrig et al., "The TESLA Broadcast Authentication Protocol",
 * RSA CryptoBytes 5(2) 2002; RFC 4082), as announced in the signed anchor (kind 5).
 *
 * Intervals are aligned to UTC: interval m covers seconds [m·P, (m+1)·P). Reports of interval m carry tags under
 * key K_m; K_m is disclosed at (m+1)·P + d. Aligning to UTC instead of sending a start time saves four bytes in
 * every anchor and needs nothing beyond the UTC second every AIS station already keeps.
 */
import { AmortisedError, AmortisedErrorCode } from './errors.js';

export interface TeslaParams {
  /** P: interval length in seconds, 1–64. */
  readonly intervalS: number;
  /** d: key K_m is disclosed d seconds after interval m ends, 1–P; d = P means "only in the next batch". */
  readonly disclosureDelayS: number;
  /** τ: bytes of truncated MAC per report, 1–4. Online forgery succeeds with probability 2^(−8τ) per guess. */
  readonly tagBytes: number;
  /** Bytes of each chain key (8, 10, 12 or 16): a forger must invert the chain function within ≈ P seconds. */
  readonly keyBytes: number;
  /** W: each batch re-tags the reports of the last W intervals (1–4), so one lost batch loses no report. */
  readonly window: number;
}

export const KEY_BYTES_CODES = [8, 10, 12, 16] as const;
/** Offsets in a batch are one byte from the start of the window. */
export const MAX_WINDOW_SECONDS = 256;

export function checkParams(p: TeslaParams): TeslaParams {
  const bad = (what: string): never => {
    throw new AmortisedError(AmortisedErrorCode.Params, `invalid TESLA parameters: ${what}`);
  };
  if (!Number.isInteger(p.intervalS) || p.intervalS < 1 || p.intervalS > 64) bad(`intervalS ${p.intervalS}`);
  if (!Number.isInteger(p.disclosureDelayS) || p.disclosureDelayS < 1 || p.disclosureDelayS > p.intervalS) {
    bad(`disclosureDelayS ${p.disclosureDelayS} (1..intervalS)`);
  }
  if (!Number.isInteger(p.tagBytes) || p.tagBytes < 1 || p.tagBytes > 4) bad(`tagBytes ${p.tagBytes}`);
  if (!(KEY_BYTES_CODES as readonly number[]).includes(p.keyBytes)) bad(`keyBytes ${p.keyBytes}`);
  if (!Number.isInteger(p.window) || p.window < 1 || p.window > 4) bad(`window ${p.window}`);
  if (p.window * p.intervalS > MAX_WINDOW_SECONDS) bad(`window × intervalS > ${MAX_WINDOW_SECONDS}`);
  return p;
}

export function sameParams(a: TeslaParams, b: TeslaParams): boolean {
  return (
    a.intervalS === b.intervalS &&
    a.disclosureDelayS === b.disclosureDelayS &&
    a.tagBytes === b.tagBytes &&
    a.keyBytes === b.keyBytes &&
    a.window === b.window
  );
}

/**
 * The two ends of the measured trade-off (docs/amortised-auth.md §6, `npm run bench:amortised`, Class A at 10 s,
 * 5 % loss): `latency` — 2.08× plain load, p99 59.7 s, 97.9 % authenticated (the default); `load` — 1.42×, p99
 * 160 s, 97.1 %. Both with anchors every 600 s.
 */
export const TESLA_PRESETS = {
  latency: { intervalS: 30, disclosureDelayS: 8, tagBytes: 4, keyBytes: 8, window: 2 },
  load: { intervalS: 60, disclosureDelayS: 60, tagBytes: 3, keyBytes: 8, window: 2 },
} as const satisfies Record<string, TeslaParams>;

export const intervalOf = (p: TeslaParams, utcSecond: number): number => Math.floor(utcSecond / p.intervalS);

/** Earliest UTC second at which the honest sender makes K_m public. */
export const disclosureTimeOf = (p: TeslaParams, m: number): number => (m + 1) * p.intervalS + p.disclosureDelayS;
