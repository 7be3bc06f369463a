/**
 * The verification result that travels to the display beside the original message (docs/display-output.md):
 * a proprietary IEC 61162-1 sentence `$PMIBV` (manufacturer mnemonic "MIB", sentence "V"). Displays that do not
 * know it ignore it, as §7.3.4 asks of listeners for proprietary sentences; ours follows the VDM it describes.
 *
 *   $PMIBV,<result>,<mode>,<source MMSI>,<identity>,<message type>,<UTC second>,<reason>,<report digest>*hh
 *
 * The report digest (firmware/rx/report-digest.ts) names the AIS message the status is about; it is empty when the
 * status is about no shown message (a refused body, a key installed).
 */
import { formatSentence, parseSentence } from '../nmea/index.js';

export const Result = {
  /** Signature verified: the message comes from the identity shown. */
  Verified: 'V',
  /** Decrypted and authenticated (modes 4, 5). */
  Decrypted: 'D',
  /** Awaiting the signature, batch or key that will authenticate it. */
  Pending: 'P',
  /** Plain AIS: nothing vouches for it. */
  Unverified: 'U',
  /** Secured traffic that failed a check; `reason` says which. The content is never forwarded. */
  Failed: 'F',
  /** A group key was received and installed (mode 4). */
  KeyInstalled: 'K',
} as const;
export type Result = (typeof Result)[keyof typeof Result];

export interface Status {
  readonly result: Result;
  /** 1–5, or 'A' for amortised authentication. */
  readonly mode: number | 'A';
  readonly source: number;
  /** The vouched identity (the MMSI, or the pseudo-MMSI of mode 3); undefined when none. */
  readonly identity?: number;
  readonly messageType?: number;
  readonly second?: number;
  /** A stable error code, e.g. BAD_SIGNATURE, STALE, REPLAY, FRAGMENT_EXPIRED. */
  readonly reason?: string;
  /** Report digest (16 hex digits) of the AIS message this status is about. */
  readonly report?: string;
}

const mmsiText = (n: number | undefined) => (n === undefined ? '' : String(n).padStart(9, '0'));

export function formatStatus(s: Status): string {
  return formatSentence('$', 'PM', 'IBV', [
    s.result,
    String(s.mode),
    mmsiText(s.source),
    mmsiText(s.identity),
    s.messageType === undefined ? '' : String(s.messageType),
    s.second === undefined ? '' : String(s.second),
    s.reason ?? '',
    s.report ?? '',
  ]);
}

const RESULTS: ReadonlySet<string> = new Set(Object.values(Result));

/** Parses a `$PMIBV` sentence (for tests and tools that consume the display output). */
export function parseStatus(line: string): Status | undefined {
  const s = parseSentence(line);
  if (s.start !== '$' || `${s.talker}${s.formatter}` !== 'PMIBV') return undefined;
  const [result, mode, source, identity, type, second, reason, report] = s.fields;
  if (result === undefined || !RESULTS.has(result)) return undefined;
  const num = (t: string | undefined) => (t === undefined || t === '' ? undefined : Number(t));
  const out: Status = {
    result: result as Result,
    mode: mode === 'A' ? 'A' : Number(mode),
    source: Number(source),
    ...(num(identity) === undefined ? {} : { identity: num(identity) as number }),
    ...(num(type) === undefined ? {} : { messageType: num(type) as number }),
    ...(num(second) === undefined ? {} : { second: num(second) as number }),
    ...(reason ? { reason } : {}),
    ...(report ? { report } : {}),
  };
  return out;
}
