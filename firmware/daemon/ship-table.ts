/**
 * The ships the status page plots (docs/display-output.md "Status page"): built from exactly what the display port
 * is handed — each AIS message followed, where it carries news, by its `$PMIBV` status — so the page shows what a
 * display that honours the statuses would show. A message with no status after it is `U` (the `news` policy leaves
 * `U` out: a message with no matching status is unverified).
 *
 * Everything here came off the radio from a possibly hostile transmitter: the table is bounded (least recently
 * heard ship evicted first, so a flood of invented MMSIs cannot grow it), and names are kept as data for the page to
 * render as text, never as markup.
 */
import { AisLineDecoder, type AisMessage } from '../../nmea/index.js';
import { reportDigest } from '../rx/report-digest.js';
import { parseStatus, type Status } from '../status.js';

/** Ships kept by default: a busy VDL carries several hundred; each entry is a few hundred bytes. */
export const DEFAULT_SHIP_LIMIT = 1024;

/** The statuses a ship's marker is coloured by (firmware/status.ts Result, less `K`, which is about no ship's report). */
export type ShipResult = 'V' | 'D' | 'P' | 'U' | 'F';
const SHIP_RESULTS: readonly ShipResult[] = ['V', 'D', 'P', 'U', 'F'];

export interface ShipEntry {
  readonly mmsi: number;
  /** From message 5, 19 or 24 part A; radio data, rendered as text. */
  name?: string;
  /** Degrees, from the last position report that carried a valid one. */
  lat?: number;
  lon?: number;
  /** The latest status shown for this MMSI. */
  result: ShipResult;
  /** Mode of the latest status (1–5, 'A' amortised, 0 unknown); undefined for a message with no status (`U`). */
  mode?: number | 'A';
  /** Reason code of the latest status (always present for `F`). */
  reason?: string;
  /** The last failure, kept after a later `V`/`U` so the operator sees that this MMSI was forged. */
  lastFailure?: { reason: string; atMs: number };
  /** UTC ms of the last line about this MMSI. */
  heardMs: number;
  /** Statuses seen per result. */
  readonly counts: Record<ShipResult, number>;
}

export interface ShipTableSnapshot {
  readonly limit: number;
  /** Ships pushed out by newer ones since start. */
  readonly evicted: number;
  /** Display lines the table could not read (they still went to the display; only the page missed them). */
  readonly unreadable: number;
  /** Most recently heard first. */
  readonly ships: readonly ShipEntry[];
}

const zeroCounts = (): Record<ShipResult, number> => ({ V: 0, D: 0, P: 0, U: 0, F: 0 });

/** Message types whose lat/lon are in 1/10 000 minutes (ITU-R M.1371-5 Tables 46, 49, 63, 67, 68, 72). */
const POSITION_TYPES: ReadonlySet<number> = new Set([1, 2, 3, 4, 9, 18, 19, 21]);
const NAME_TYPES: ReadonlySet<number> = new Set([5, 19, 24]);
const MINUTES_PER_UNIT = 1 / 10_000;

export class ShipTable {
  readonly limit: number;
  readonly #ships = new Map<number, ShipEntry>();
  readonly #decoder = new AisLineDecoder();
  #evicted = 0;
  #unreadable = 0;
  /** The message just shown (its MMSI and report digest), while its status may still follow. */
  #lastShown: { mmsi: number; digest: string } | undefined;

  constructor(options: { limit?: number } = {}) {
    this.limit = options.limit ?? DEFAULT_SHIP_LIMIT;
    if (!Number.isInteger(this.limit) || this.limit < 1) throw new RangeError(`ship table limit ${this.limit} must be a positive integer`);
  }

  get size(): number {
    return this.#ships.size;
  }

  /**
   * One line handed to the display port at UTC `nowMs`. Never throws: plain traffic reaches the display as received,
   * so a line here may be anything a transmitter sent; one it cannot read is counted and passed over.
   */
  push(line: string, nowMs: number): void {
    try {
      if (line.startsWith('$PMIBV')) {
        const status: Status | undefined = parseStatus(line);
        if (status !== undefined) this.#status(status, nowMs);
        return;
      }
      const { messages, errors } = this.#decoder.push(line, nowMs);
      if (errors.length > 0) this.#unreadable += 1;
      for (const { message, assembled } of messages) this.#message(message, reportDigest(assembled.bits).toUpperCase(), nowMs);
    } catch {
      this.#unreadable += 1;
    }
  }

  snapshot(): ShipTableSnapshot {
    const ships = [...this.#ships.values()].reverse().map((s) => ({ ...s, counts: { ...s.counts }, ...(s.lastFailure === undefined ? {} : { lastFailure: { ...s.lastFailure } }) }));
    return { limit: this.limit, evicted: this.#evicted, unreadable: this.#unreadable, ships };
  }

  #message(m: AisMessage, digest: string, nowMs: number): void {
    const ship = this.#touch(m.mmsi, nowMs);
    // Until a status follows, nothing vouches for it.
    ship.result = 'U';
    delete ship.mode;
    delete ship.reason;
    ship.counts.U += 1;
    this.#lastShown = { mmsi: m.mmsi, digest };
    if (POSITION_TYPES.has(m.type)) {
      const lat = Number(m['lat']) * MINUTES_PER_UNIT / 60;
      const lon = Number(m['lon']) * MINUTES_PER_UNIT / 60;
      // 91° / 181° are "not available" (Table 46).
      if (Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        ship.lat = lat;
        ship.lon = lon;
      }
    }
    if (NAME_TYPES.has(m.type) && typeof m['shipname'] === 'string') {
      const name = m['shipname'].replace(/@+$/, '').trim();
      if (name !== '') ship.name = name;
    }
  }

  #status(s: Status, nowMs: number): void {
    if (s.result === 'K') return;
    const result = s.result as ShipResult;
    if (!SHIP_RESULTS.includes(result) || !Number.isInteger(s.source)) return;
    const ship = this.#touch(s.source, nowMs);
    // A status naming the message shown just before (by its report digest) replaces the U it was counted as; an F
    // of a refused body names none and is a message of its own.
    const last = this.#lastShown;
    if (last !== undefined && last.mmsi === s.source && last.digest === s.report?.toUpperCase() && ship.result === 'U' && result !== 'U') ship.counts.U -= 1;
    this.#lastShown = undefined;
    ship.result = result;
    ship.mode = s.mode;
    if (s.reason === undefined) delete ship.reason;
    else ship.reason = s.reason;
    ship.counts[result] += 1;
    if (result === 'F') ship.lastFailure = { reason: s.reason ?? 'UNKNOWN', atMs: nowMs };
  }

  /** The entry for `mmsi`, moved to most recent; evicts the least recently heard past the limit. */
  #touch(mmsi: number, nowMs: number): ShipEntry {
    let ship = this.#ships.get(mmsi);
    if (ship === undefined) {
      ship = { mmsi, result: 'U', heardMs: nowMs, counts: zeroCounts() };
    } else {
      this.#ships.delete(mmsi);
    }
    ship.heardMs = nowMs;
    this.#ships.set(mmsi, ship);
    while (this.#ships.size > this.limit) {
      const oldest = this.#ships.keys().next().value as number;
      this.#ships.delete(oldest);
      this.#evicted += 1;
    }
    return ship;
  }
}
