/**
 * Option values of every subcommand: a bad value is one line naming the option and its valid range (commander's
 * InvalidArgumentError, exit 1), never a stack trace; the same range is printed by `--help`.
 */
import { InvalidArgumentError, type Command } from 'commander';

/** A value parser that knows its valid range, so `--help` can print it (see `showRanges`). */
type Ranged<T> = ((v: string) => T) & { readonly range: string };

export function ranged<T>(range: string, parse: (v: string) => T): Ranged<T> {
  return Object.assign(parse, { range });
}

/** An integer in [min, max], digits only (no `1e3`, no `0x10`, no blanks). */
export function intArg(name: string, min: number, max: number): Ranged<number> {
  return ranged(`${min}..${max}`, (v) => {
    const n = /^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer ${min}..${max}, got "${v}"`);
    return n;
  });
}

/** A comma-separated list of integers in [min, max]. */
export function intListArg(name: string, min: number, max: number): Ranged<number[]> {
  const one = intArg(name, min, max);
  return ranged(`list of ${min}..${max}`, (v) => {
    const parts = v.split(',').map((s) => s.trim());
    if (parts.some((s) => s === '')) throw new InvalidArgumentError(`${name} must be a comma-separated list of integers ${min}..${max}, got "${v}"`);
    try {
      return parts.map(one);
    } catch {
      throw new InvalidArgumentError(`${name} must be a comma-separated list of integers ${min}..${max}, got "${v}"`);
    }
  });
}

/** A probability in [0, 1). */
export function probabilityArg(name: string): Ranged<number> {
  return ranged('0 ≤ p < 1', (v) => {
    const n = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`${name} must be a probability 0 ≤ p < 1, got "${v}"`);
    return n;
  });
}

/** A UTC time as ISO 8601 (`2026-05-01T12:00:00Z`) or milliseconds since 1970. */
export function timeArg(name: string): Ranged<string> {
  return ranged('ISO 8601 UTC or ms since 1970', (v) => {
    const ms = /^\d+$/.test(v) ? Number(v) : /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : Number.NaN;
    if (!Number.isFinite(ms)) throw new InvalidArgumentError(`${name} must be an ISO 8601 UTC time (2026-05-01T12:00:00Z) or milliseconds since 1970, got "${v}"`);
    return v;
  });
}

/** Appends each ranged option's range to its help text, in `command` and all its subcommands. */
export function showRanges(command: Command): void {
  for (const option of command.options) {
    const range = (option.parseArg as Partial<Ranged<unknown>> | undefined)?.range;
    if (range !== undefined && !option.description.includes(`[${range}]`)) option.description = `${option.description} [${range}]`;
  }
  for (const sub of command.commands) showRanges(sub);
}
