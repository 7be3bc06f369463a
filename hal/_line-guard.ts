/**
 * Bounds input framing before serialport's ReadlineParser sees it. The parser (like DelimiterParser) buffers
 * without limit until it finds the delimiter, so a device that never sends <CR><LF> would grow it forever. This
 * guard holds at most one partial line of `maxLineLength` (+1 for a trailing CR that may pair with the next
 * chunk's LF) and forwards only complete CRLF-terminated lines, so the parser never holds a partial line.
 * A line over the limit is discarded whole up to its CRLF and reported once.
 */
const CRLF = Buffer.from('\r\n', 'latin1');
const CR = 0x0d;

export class LineGuard {
  readonly maxLineLength: number;
  readonly #onOverlong: (atLeast: number) => void;
  #pending: Buffer = Buffer.alloc(0);
  #discarding = false;

  constructor(maxLineLength: number, onOverlong: (atLeast: number) => void) {
    if (!(Number.isInteger(maxLineLength) && maxLineLength > 0)) {
      throw new RangeError('"maxLineLength" must be a positive integer');
    }
    this.maxLineLength = maxLineLength;
    this.#onOverlong = onOverlong;
  }

  /** Returns the complete, acceptable lines (each with its CRLF) contained so far, or undefined. */
  feed(chunk: Buffer): Buffer | undefined {
    const data = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = Buffer.alloc(0);
    const out: Buffer[] = [];
    let start = 0;
    for (;;) {
      const end = data.indexOf(CRLF, start);
      if (end === -1) {
        this.#keepPartial(data.subarray(start));
        break;
      }
      if (this.#discarding) {
        this.#discarding = false;
      } else if (end - start > this.maxLineLength) {
        this.#onOverlong(end - start);
      } else {
        out.push(data.subarray(start, end + CRLF.length));
      }
      start = end + CRLF.length;
    }
    return out.length === 0 ? undefined : Buffer.concat(out);
  }

  #keepPartial(rest: Buffer): void {
    const trailingCr = rest.length > 0 && rest[rest.length - 1] === CR;
    if (this.#discarding) {
      this.#pending = trailingCr ? Buffer.from([CR]) : Buffer.alloc(0);
      return;
    }
    if (rest.length > this.maxLineLength + (trailingCr ? 1 : 0)) {
      this.#discarding = true;
      this.#onOverlong(rest.length);
      this.#pending = trailingCr ? Buffer.from([CR]) : Buffer.alloc(0);
      return;
    }
    // Copy: `rest` may be a view into a large chunk that would otherwise stay alive.
    this.#pending = Buffer.from(rest);
  }
}
