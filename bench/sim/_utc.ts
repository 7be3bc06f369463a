/** UTC calendar fields from milliseconds since 1970 without `Date`: the simulator stays free of wall-clock APIs. */

export interface UtcParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Proleptic Gregorian civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible date algorithms"). */
export function utcParts(ms: number): UtcParts {
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const secOfDay = totalSeconds - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return {
    year,
    month,
    day,
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor((secOfDay % 3600) / 60),
    second: secOfDay % 60,
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** gpsd's type-4 `timestamp`: `YYYY-MM-DDTHH:MM:SSZ`. */
export function isoSecond(ms: number): string {
  const u = utcParts(ms);
  return `${pad(u.year, 4)}-${pad(u.month)}-${pad(u.day)}T${pad(u.hour)}:${pad(u.minute)}:${pad(u.second)}Z`;
}

/** gpsd's type-5 `eta`: `MM-DDTHH:MMZ` (M.1371 carries no year in the ETA). */
export function etaString(ms: number): string {
  const u = utcParts(ms);
  return `${pad(u.month)}-${pad(u.day)}T${pad(u.hour)}:${pad(u.minute)}Z`;
}
