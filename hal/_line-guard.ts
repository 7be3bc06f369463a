/**
 * Bounds input framing before serialport's ReadlineParser sees it. The parser (like DelimiterParser) buffers
 * without limit until it finds the delimiter, so a device that never ends a line would grow it forever. This
 * guard holds at most one partial line of `maxLineLength` and forwards only complete lines, each re-terminated
 * with <CR><LF>, so the parser never holds a partial line.
 *
 * IEC 61162-1 ends a sentence with <CR><LF>, but simulators, network feeds and log files also end lines with a
 * bare LF or CR; all three are accepted. Any run of CR and LF ends one line, so empty lines never reach the
 * parser. A line over the limit is discarded whole up to its line end and reported once.
 */
const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n', 'latin1');

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

  /** Returns the complete, acceptable lines (each ended by CRLF) contained so far, or undefined. */
  feed(chunk: Buffer): Buffer | undefined {
    const data = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = Buffer.alloc(0);
    const out: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      const b = data[i];
      if (b !== CR && b !== LF) continue;
      this.#complete(data.subarray(start, i), out);
      start = i + 1;
    }
    this.#keepPartial(data.subarray(start));
    return out.length === 0 ? undefined : Buffer.concat(out);
  }

  /** Ends the current partial line as if a line end had arrived (a datagram's last line, end of input). */
  flush(): Buffer | undefined {
    const rest = this.#pending;
    this.#pending = Buffer.alloc(0);
    const out: Buffer[] = [];
    this.#complete(rest, out);
    return out.length === 0 ? undefined : Buffer.concat(out);
  }

  #complete(line: Buffer, out: Buffer[]): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    if (line.length === 0) return;
    if (line.length > this.maxLineLength) {
      this.#onOverlong(line.length);
      return;
    }
    out.push(line, CRLF);
  }

  #keepPartial(rest: Buffer): void {
    if (this.#discarding) return;
    if (rest.length > this.maxLineLength) {
      this.#discarding = true;
      this.#onOverlong(rest.length);
      return;
    }
    // Copy: `rest` may be a view into a large chunk that would otherwise stay alive.
    this.#pending = Buffer.from(rest);
  }
}
