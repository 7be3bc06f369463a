/**
 * PERMIT.TXT (S-63 §5.3.1–5.3.3) and the client's install checks (§11.5, in the standard's order):
 * missing (SSE 11) → format (SSE 12) → not for this system (SSE 19) → checksum (SSE 13, never installed) →
 * expired (SSE 15, installed but the viewer must show SSE 25) / 30 days or less left (SSE 20, installed).
 *
 * File: `:DATE YYYYMMDD HH:MM`, `:VERSION n` (1..99), `:ENC` and `:ECS` sections of records
 * `<cell permit>,<service level>,<edition (optional)>,<data server id>,<comment>`.
 */
import { S63Error, type SseCode } from './errors.js';
import { isYyyymmdd, verifyCellPermit, type CellPermit } from './cell-permit.js';

export interface PermitRecord {
  readonly permit: string;
  readonly section: 'ENC' | 'ECS';
  /** 0 = subscription (§5.3.3); only subscriptions are expiry-checked (§11.7.1). */
  readonly serviceLevel: number;
  readonly edition: number | undefined;
  readonly dataServerId: string;
  readonly comment: string;
}

export interface PermitFile {
  /** `YYYYMMDD HH:MM` as written. */
  readonly date: string;
  readonly version: number;
  readonly records: readonly PermitRecord[];
}

function fail(detail: string): never {
  throw new S63Error('SSE 12', detail);
}

export function parsePermitFile(text: string): PermitFile {
  const ls = text.split(/\r?\n/);
  while (ls.length > 0 && ls[ls.length - 1] === '') ls.pop();
  const date = /^:DATE (\d{8}) ([01]\d|2[0-3]):([0-5]\d)$/.exec(ls[0] ?? '');
  if (!date || !isYyyymmdd(date[1]!)) fail('line 1 must be :DATE YYYYMMDD HH:MM');
  const version = /^:VERSION ([1-9]\d?)$/.exec(ls[1] ?? '');
  if (!version) fail('line 2 must be :VERSION 1..99');
  const records: PermitRecord[] = [];
  let section: 'ENC' | 'ECS' | undefined;
  for (let i = 2; i < ls.length; i++) {
    const line = ls[i]!;
    if (line === ':ENC' || line === ':ECS') {
      section = line === ':ENC' ? 'ENC' : 'ECS';
      continue;
    }
    if (section === undefined) fail(`line ${i + 1}: record before :ENC/:ECS`);
    const [permit, sli, edition, ds, ...comment] = line.split(',');
    if (
      permit === undefined || !/^[A-Z0-9]{8}\d{8}[0-9A-F]{48}$/.test(permit) ||
      sli === undefined || !/^\d$/.test(sli) ||
      edition === undefined || !/^\d*$/.test(edition) ||
      ds === undefined || !/^[A-Z0-9]{0,2}$/.test(ds)
    ) {
      fail(`line ${i + 1}: record must be <64-char permit>,<service level>,<edition>,<data server id>,<comment>`);
    }
    records.push({
      permit,
      section,
      serviceLevel: Number(sli),
      edition: edition === '' ? undefined : Number(edition),
      dataServerId: ds,
      comment: comment.join(','),
    });
  }
  return { date: `${date[1]} ${date[2]}:${date[3]}`, version: Number(version[1]), records };
}

export interface InstalledCellPermit extends CellPermit {
  readonly record: PermitRecord;
  /** SSE 15 (then SSE 25 on display), SSE 20, or none. */
  readonly status: 'valid' | 'SSE 20' | 'SSE 15';
}

export interface PermitFileCheck {
  readonly installed: readonly InstalledCellPermit[];
  /** Records refused (SSE 13), never installed. */
  readonly rejected: readonly { readonly record: PermitRecord; readonly code: SseCode }[];
}

const DAY_MS = 86_400_000;

function dayNumber(yyyymmdd: string): number {
  return Date.UTC(+yyyymmdd.slice(0, 4), +yyyymmdd.slice(4, 6) - 1, +yyyymmdd.slice(6, 8)) / DAY_MS;
}

/**
 * Install checks for one PERMIT.TXT under this HW_ID. `today` is the UTC date YYYYMMDD the caller has already
 * cross-checked against GPS time (§11.5: SSE 14 is the caller's business). A permit is valid through its
 * expiry date; "30 days or less" (§11.5.5) left raises SSE 20 — §11.7.1.2 says "less than 30", we follow §11.5.5.
 * If no record verifies under this HW_ID the file is for another system: SSE 19 for the whole file.
 */
export function checkPermitFile(text: string | undefined, hwId: string, today: string): PermitFileCheck {
  if (!isYyyymmdd(today)) throw new RangeError('today must be a date YYYYMMDD');
  if (text === undefined || text.trim() === '') throw new S63Error('SSE 11', 'no PERMIT.TXT');
  const file = parsePermitFile(text);
  const installed: InstalledCellPermit[] = [];
  const rejected: { record: PermitRecord; code: SseCode }[] = [];
  for (const record of file.records) {
    let permit: CellPermit;
    try {
      permit = verifyCellPermit(record.permit, hwId);
    } catch (err) {
      if (!(err instanceof S63Error)) throw err;
      rejected.push({ record, code: err.code });
      continue;
    }
    const left = dayNumber(permit.expiry) - dayNumber(today);
    const status = record.serviceLevel !== 0 ? 'valid' : left < 0 ? 'SSE 15' : left <= 30 ? 'SSE 20' : 'valid';
    installed.push({ ...permit, record, status });
  }
  if (installed.length === 0 && rejected.length > 0) {
    throw new S63Error('SSE 19', `none of ${rejected.length} permits verifies under this HW_ID`);
  }
  return { installed, rejected };
}
