/**
 * UTC from the ship port's GNSS sentences (IEC 61162-1 / NMEA 0183): ZDA (time and date) and RMC (recommended
 * minimum data, only with status A and a mode indicator that is not N or S). The ship port is the vessel's own
 * wired equipment, the one time source the appliance trusts (hal/clock-trust.ts). Pure: a line in, UTC ms or
 * undefined out; anything malformed is simply not a time reference.
 */
import { NmeaError, parseSentence, type NmeaSentence } from '../../nmea/index.js';

const TIME = /^(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?$/;

function utc(year: number, month: number, day: number, time: string): number | undefined {
  const t = TIME.exec(time);
  if (t === null) return undefined;
  const [h, m, s] = [Number(t[1]), Number(t[2]), Number(t[3])];
  if (h > 23 || m > 59 || s > 60) return undefined;
  const ms = t[4] === undefined ? 0 : Math.round(Number(`0.${t[4]}`) * 1000);
  const at = Date.UTC(year, month - 1, day, h, m, s, ms);
  // Date.UTC rolls 31 February over into March: refuse a date that does not exist.
  const d = new Date(at);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return at;
}

function zda(f: readonly string[]): number | undefined {
  const [time = '', day = '', month = '', year = ''] = f;
  if (!/^\d{2}$/.test(day) || !/^\d{2}$/.test(month) || !/^\d{4}$/.test(year)) return undefined;
  return utc(Number(year), Number(month), Number(day), time);
}

function rmc(f: readonly string[]): number | undefined {
  const time = f[0] ?? '';
  const status = f[1];
  const date = f[8] ?? '';
  const mode = f[11];
  if (status !== 'A' || mode === 'N' || mode === 'S') return undefined;
  const d = /^(\d{2})(\d{2})(\d{2})$/.exec(date);
  if (d === null) return undefined;
  // Two-digit year: NMEA's receivers roll over at 2080 at the latest; 19yy only for the GPS epoch's first decades.
  const yy = Number(d[3]);
  return utc(yy < 80 ? 2000 + yy : 1900 + yy, Number(d[2]), Number(d[1]), time);
}

/** UTC (ms) of a ZDA or valid RMC sentence, or undefined for any other or malformed line. */
export function shipUtcMs(line: string): number | undefined {
  // Cheap pre-filter: the ship port carries mostly VDO; most lines never reach the parser.
  if (!line.includes('ZDA,') && !line.includes('RMC,')) return undefined;
  let s: NmeaSentence;
  try {
    s = parseSentence(line);
  } catch (error) {
    if (error instanceof NmeaError) return undefined;
    throw error;
  }
  if (s.start !== '$') return undefined;
  if (s.formatter === 'ZDA') return zda(s.fields);
  if (s.formatter === 'RMC') return rmc(s.fields);
  return undefined;
}
