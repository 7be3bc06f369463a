/**
 * IEC 61162-1 `!AIVDM`/`!AIVDO` sentences and the ITU-R M.1371-5 message 6/8 header fields, as docs/wire-format.md §2
 * uses them. Written from the specification alone: imports nothing of the project.
 */

export interface AisFrame {
  /** Message bits, MSB first, zero-padded to whole bytes. */
  readonly bytes: Uint8Array;
  readonly bitLength: number;
  readonly channel: string;
}

/** Reads `n` bits at `at` as an unsigned integer. */
export function bitsAt(bytes: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 2 + (((bytes[(at + i) >> 3] ?? 0) >> (7 - ((at + i) & 7))) & 1);
  return v;
}

function dearmour(payload: string, fill: number): { bytes: Uint8Array; bitLength: number } {
  const bitLength = payload.length * 6 - fill;
  const bytes = new Uint8Array(Math.ceil((payload.length * 6) / 8));
  for (let i = 0; i < payload.length; i++) {
    let v = payload.charCodeAt(i) - 48;
    if (v > 40) v -= 8;
    if (v < 0 || v > 63) throw new Error(`bad armour character ${payload[i]}`);
    for (let b = 0; b < 6; b++) if ((v >> (5 - b)) & 1) bytes[(i * 6 + b) >> 3]! |= 0x80 >> ((i * 6 + b) & 7);
  }
  const out = bytes.slice(0, Math.ceil(bitLength / 8));
  // Fill bits carry nothing.
  const pad = out.length * 8 - bitLength;
  if (pad > 0) out[out.length - 1]! &= 0xff << pad;
  return { bytes: out, bitLength };
}

/** Joins multi-sentence messages; returns a frame when one is complete. */
export class VdmReader {
  private parts = new Map<string, string[]>();

  push(line: string): AisFrame | undefined {
    const m = /^!(AI|AB|BS)(VDM|VDO),(\d),(\d),(\d?),([AB12]?),([^,]*),([0-5])\*([0-9A-F]{2})$/.exec(line.trim());
    if (m === null) return undefined;
    const body = line.trim().slice(1, line.trim().indexOf('*'));
    let cs = 0;
    for (const c of body) cs ^= c.charCodeAt(0);
    if (cs !== parseInt(m[9]!, 16)) return undefined;
    const [count, num, seq, channel, payload, fill] = [Number(m[3]), Number(m[4]), m[5]!, m[6]!, m[7]!, Number(m[8])];
    if (count === 1) return { ...dearmour(payload, fill), channel };
    const key = `${seq}:${channel}`;
    const got = num === 1 ? [] : this.parts.get(key);
    if (got === undefined || got.length !== num - 1) return undefined;
    got.push(payload);
    if (num < count) {
      this.parts.set(key, got);
      return undefined;
    }
    this.parts.delete(key);
    return { ...dearmour(got.join(''), fill), channel };
  }
}

export interface Binary {
  readonly type: 6 | 8;
  readonly source: number;
  readonly destination?: number;
  readonly dac: number;
  readonly fi: number;
  readonly data: Uint8Array;
}

/** The message 6/8 header fields of wire-format §2, or undefined for any other message. */
export function binaryOf(f: AisFrame): Binary | undefined {
  const type = bitsAt(f.bytes, 0, 6);
  const source = bitsAt(f.bytes, 8, 30);
  if (type === 8 && f.bitLength >= 56 && f.bitLength % 8 === 0) {
    return { type, source, dac: bitsAt(f.bytes, 40, 10), fi: bitsAt(f.bytes, 50, 6), data: f.bytes.slice(7, f.bitLength / 8) };
  }
  if (type === 6 && f.bitLength >= 88 && f.bitLength % 8 === 0) {
    return { type, source, destination: bitsAt(f.bytes, 40, 30), dac: bitsAt(f.bytes, 72, 10), fi: bitsAt(f.bytes, 82, 6), data: f.bytes.slice(11, f.bitLength / 8) };
  }
  return undefined;
}
