/**
 * ISO/IEC 7816-4 short APDUs (§5.1: command cases 1–4, Lc and Le of one byte, Le = 00 meaning 256) and the
 * status words our token applet uses (§5.6). Pure codec shared by the card side (token-applet.ts), the
 * appliance's readers (token-session.ts) and the authority's card writer.
 */

export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly data: Uint8Array;
  /** Expected response length 1..256, or undefined for none (cases 1 and 3). */
  readonly le: number | undefined;
}

export interface ResponseApdu {
  readonly data: Uint8Array;
  readonly sw: number;
}

/** Status words, ISO/IEC 7816-4 §5.6 (tables 5–6). */
export const SW = {
  OK: 0x9000,
  /** 6282: end of file reached before Le bytes (READ BINARY past the object's end). */
  END_OF_FILE: 0x6282,
  /** 63Cx: verification failed, x further tries allowed. */
  VERIFY_FAILED: 0x63c0,
  WRONG_LENGTH: 0x6700,
  SECURITY_NOT_SATISFIED: 0x6982,
  AUTH_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  NOT_ENOUGH_MEMORY: 0x6a84,
  REFERENCE_NOT_FOUND: 0x6a88,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

/** Instructions, ISO/IEC 7816-4 §11. */
export const INS = {
  SELECT: 0xa4,
  VERIFY: 0x20,
  READ_BINARY: 0xb0,
  UPDATE_BINARY: 0xd6,
  ERASE_BINARY: 0x0e,
} as const;

function byte(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new RangeError(`${name} must be a byte`);
  return n;
}

export function encodeCommand(c: CommandApdu): Uint8Array {
  if (c.data.length > 255) throw new RangeError('short APDU data is at most 255 bytes');
  if (c.le !== undefined && (!Number.isInteger(c.le) || c.le < 1 || c.le > 256)) throw new RangeError('le must be 1..256');
  const out = [byte(c.cla, 'cla'), byte(c.ins, 'ins'), byte(c.p1, 'p1'), byte(c.p2, 'p2')];
  if (c.data.length > 0) out.push(c.data.length, ...c.data);
  if (c.le !== undefined) out.push(c.le & 0xff);
  return Uint8Array.from(out);
}

/** Decodes a short command APDU; undefined if the length matches no case (the card answers 6700). */
export function decodeCommand(b: Uint8Array): CommandApdu | undefined {
  if (b.length < 4) return undefined;
  const [cla, ins, p1, p2] = [b[0]!, b[1]!, b[2]!, b[3]!];
  const le = (x: number) => (x === 0 ? 256 : x);
  if (b.length === 4) return { cla, ins, p1, p2, data: new Uint8Array(0), le: undefined };
  if (b.length === 5) return { cla, ins, p1, p2, data: new Uint8Array(0), le: le(b[4]!) };
  const lc = b[4]!;
  if (lc === 0) return undefined;
  if (b.length === 5 + lc) return { cla, ins, p1, p2, data: b.slice(5), le: undefined };
  if (b.length === 6 + lc) return { cla, ins, p1, p2, data: b.slice(5, 5 + lc), le: le(b[5 + lc]!) };
  return undefined;
}

export function encodeResponse(r: ResponseApdu): Uint8Array {
  const out = new Uint8Array(r.data.length + 2);
  out.set(r.data);
  out[r.data.length] = r.sw >> 8;
  out[r.data.length + 1] = r.sw & 0xff;
  return out;
}

export function decodeResponse(b: Uint8Array): ResponseApdu {
  if (b.length < 2) throw new RangeError('response APDU needs at least the 2 status bytes');
  return { data: b.slice(0, -2), sw: (b[b.length - 2]! << 8) | b[b.length - 1]! };
}
