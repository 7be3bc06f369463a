/**
 * Framing of token messages over 64-byte HID reports, modelled on CTAPHID (FIDO CTAP 2.1 §11.2.4): a message
 * is an initialisation packet — command byte with b8 set, 2-byte big-endian payload length, 61 payload bytes —
 * followed by continuation packets — sequence number 0..127, 63 payload bytes — all padded with zeros to the
 * report size. The APDU command carries the same ISO/IEC 7816-4 APDUs as the smart card.
 */

export const REPORT_SIZE = 64;
const INIT_DATA = REPORT_SIZE - 3;
const CONT_DATA = REPORT_SIZE - 1;
/** Largest message either way: a short command APDU is at most 261 bytes, a response 258. */
export const MAX_MESSAGE = 512;

export const HID_CMD = {
  /** Request: command APDU; response: response APDU. */
  APDU: 0x01,
  /** Response only: one error byte (see HID_ERR). */
  ERROR: 0x3f,
} as const;

export const HID_ERR = { INVALID_CMD: 0x01, INVALID_LEN: 0x03, INVALID_SEQ: 0x04 } as const;

export interface HidMessage {
  readonly cmd: number;
  readonly payload: Uint8Array;
}

/** Bad framing from the other side. */
export class HidFrameError extends Error {
  override readonly name = 'HidFrameError';
  readonly code: 'HID_FRAME_LENGTH' | 'HID_FRAME_SEQUENCE' | 'HID_FRAME_REPORT';
  constructor(code: HidFrameError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

export function encodeMessage(cmd: number, payload: Uint8Array): Uint8Array[] {
  if (!Number.isInteger(cmd) || cmd < 0 || cmd > 0x7f) throw new RangeError('cmd must be 0..127');
  if (payload.length > MAX_MESSAGE) throw new RangeError(`payload exceeds ${MAX_MESSAGE} bytes`);
  const first = new Uint8Array(REPORT_SIZE);
  first[0] = 0x80 | cmd;
  first[1] = payload.length >> 8;
  first[2] = payload.length & 0xff;
  first.set(payload.subarray(0, INIT_DATA), 3);
  const reports = [first];
  for (let off = INIT_DATA, seq = 0; off < payload.length; off += CONT_DATA, seq++) {
    const r = new Uint8Array(REPORT_SIZE);
    r[0] = seq;
    r.set(payload.subarray(off, off + CONT_DATA), 1);
    reports.push(r);
  }
  return reports;
}

/** Reassembles one message at a time from reports; bounded by MAX_MESSAGE. */
export class MessageAssembler {
  private cmd = 0;
  private buf: Uint8Array | undefined;
  private have = 0;
  private seq = 0;

  /** Feeds one report; returns the message when complete. Throws HidFrameError and resets on bad framing. */
  push(report: Uint8Array): HidMessage | undefined {
    if (report.length !== REPORT_SIZE) {
      this.buf = undefined;
      throw new HidFrameError('HID_FRAME_REPORT', `report of ${report.length} bytes, expected ${REPORT_SIZE}`);
    }
    const head = report[0]!;
    if (head & 0x80) {
      const len = (report[1]! << 8) | report[2]!;
      if (len > MAX_MESSAGE) {
        this.buf = undefined;
        throw new HidFrameError('HID_FRAME_LENGTH', `message length ${len} exceeds ${MAX_MESSAGE}`);
      }
      this.cmd = head & 0x7f;
      this.buf = new Uint8Array(len);
      this.have = 0;
      this.seq = 0;
      this.take(report.subarray(3));
    } else {
      if (this.buf === undefined || head !== this.seq) {
        this.buf = undefined;
        throw new HidFrameError('HID_FRAME_SEQUENCE', `continuation ${head} out of sequence`);
      }
      this.seq++;
      this.take(report.subarray(1));
    }
    if (this.have < this.buf.length) return undefined;
    const message = { cmd: this.cmd, payload: this.buf };
    this.buf = undefined;
    return message;
  }

  private take(data: Uint8Array): void {
    const buf = this.buf!;
    const n = Math.min(data.length, buf.length - this.have);
    buf.set(data.subarray(0, n), this.have);
    this.have += n;
  }
}
