/** Base-station UTC (message 4) heard on the radio side, for the appliance's clock cross-check. */
import type { AisMessage } from '../../nmea/index.js';
import type { UtcReport } from '../pipeline.js';

const MAX_UTC_REPORTS = 16;

/**
 * UTC of a base-station report (ITU-R M.1371-5 message 4: year 1–9999, month 1–12, day 1–31, hour 0–23, minute
 * 0–59, second 0–59; 0 / 24 / 60 mean "not available"), or undefined when any part is missing.
 */
export function baseStationUtcMs(m: AisMessage): number | undefined {
  const { year, month, day, hour, minute, second } = m as unknown as Record<string, number>;
  if (![year, month, day, hour, minute, second].every((v) => Number.isInteger(v))) return undefined;
  if (year! < 1 || month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour! > 23 || minute! > 59 || second! > 59) return undefined;
  return Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
}

/** The newest MAX_UTC_REPORTS base-station times heard since the last `take`. */
export class UtcReportLog {
  private reports: UtcReport[] = [];

  note(m: AisMessage): void {
    const utcMs = baseStationUtcMs(m);
    if (utcMs === undefined) return;
    this.reports.push({ utcMs, mmsi: m.mmsi });
    if (this.reports.length > MAX_UTC_REPORTS) this.reports.shift();
  }

  take(): UtcReport[] {
    const out = this.reports;
    this.reports = [];
    return out;
  }
}
