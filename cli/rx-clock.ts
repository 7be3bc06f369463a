/**
 * The receive side's clock (`mibc-ais rx --clock`): whose time a line is checked against. `now` is the system clock;
 * `fixed:<time>` one instant for every line; `tagblock` the TAG-block `c:` time of each line (IEC 61162-450 §7.3,
 * UNIX seconds), so that a recorded log verifies later on a bench. Under `tagblock` a line without a usable `c:` has
 * no time: the caller refuses it (NO_TIME); the later sentences of a multi-sentence VDM, which loggers often leave
 * without one, take the time of the sentence before.
 */
import { InvalidArgumentError } from 'commander';
import { isVdm, NmeaError, parseSentence, parseVdm } from '../nmea/index.js';

/** Largest `c:` taken as seconds: 9999-12-31T23:59:59Z. Milliseconds (which some loggers send) lie beyond it. */
const MAX_TAG_SECONDS = 253_402_300_799;

export interface RxClock {
  /** Milliseconds since 1970 for `line`, or undefined when it carries no time the clock can use. */
  at(line: string): number | undefined;
  /** The time for housekeeping between lines; undefined while no line has given one. */
  tick(): number | undefined;
}

export function parseFixedTime(v: string, what: string): number {
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TAG_SECONDS * 1000) throw new InvalidArgumentError(`${what}: not a time in 1970–9999: ${v}`);
  return ms;
}

export function rxClock(spec: string, systemNow: () => number): RxClock {
  if (spec === 'now') return { at: () => systemNow(), tick: () => systemNow() };
  if (spec.startsWith('fixed:')) {
    const ms = parseFixedTime(spec.slice('fixed:'.length), '--clock fixed');
    return { at: () => ms, tick: () => ms };
  }
  if (spec === 'tagblock') return tagBlockClock();
  throw new InvalidArgumentError(`--clock: expected now, tagblock or fixed:<time>, got ${spec}`);
}

function tagBlockClock(): RxClock {
  let last: number | undefined;
  return {
    at(line) {
      let s;
      try {
        s = parseSentence(line);
      } catch (e) {
        // Not ours to judge: the receiver counts it malformed; it needs no time for that.
        if (e instanceof NmeaError) return last ?? 0;
        throw e;
      }
      const c = s.tagBlock?.time;
      if (c !== undefined && c <= MAX_TAG_SECONDS) return (last = c * 1000);
      if (c === undefined && last !== undefined && isVdm(s)) {
        try {
          if (parseVdm(s).index > 1) return last;
        } catch (e) {
          if (!(e instanceof NmeaError)) throw e;
        }
      }
      return undefined;
    },
    tick: () => last,
  };
}
