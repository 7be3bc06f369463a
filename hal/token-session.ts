/**
 * The client side of the token applet (token-applet.ts) over any transport: SELECT, VERIFY and the
 * offset-chained READ/UPDATE BINARY of the permit object (ISO/IEC 7816-4 §11). The appliance's readers and the
 * authority's card writer use this same sequence of APDUs.
 */
import { INS, SW, decodeResponse, encodeCommand, type ResponseApdu } from './token-apdu.js';
import { OBJECT_CAPACITY, PIN_REF, TOKEN_AID } from './token-applet.js';
import { TokenError, pinBytes, type Transmit } from './token.js';

/** Largest data field of one short APDU: objects are moved in chunks of this size. */
const CHUNK = 255;

export class TokenSession {
  constructor(private readonly transmit: Transmit) {}

  private async send(ins: number, p1: number, p2: number, data: Uint8Array, le?: number): Promise<ResponseApdu> {
    const command = encodeCommand({ cla: 0x00, ins, p1, p2, data, le });
    let raw: Uint8Array;
    try {
      raw = await this.transmit(command);
    } catch (err) {
      if (err instanceof TokenError) throw err;
      throw new TokenError('TOKEN_IO', `transmit failed for INS ${ins.toString(16)}`, { cause: err });
    }
    try {
      return decodeResponse(raw);
    } catch (err) {
      throw new TokenError('TOKEN_PROTOCOL', 'malformed response APDU', { cause: err });
    }
  }

  private unexpected(what: string, sw: number): TokenError {
    return new TokenError('TOKEN_PROTOCOL', `${what}: status ${sw.toString(16).toUpperCase()}`);
  }

  /** SELECT by AID; returns the permit object's size from the FCI (tag 80). */
  async select(): Promise<number> {
    const r = await this.send(INS.SELECT, 0x04, 0x00, TOKEN_AID, 256);
    if (r.sw === SW.FILE_NOT_FOUND) throw new TokenError('TOKEN_APPLET_MISSING', 'no key-permit applet on this card');
    if (r.sw !== SW.OK) throw this.unexpected('SELECT', r.sw);
    // FCI template 6F with simple BER-TLV children (ISO/IEC 7816-4 §5.2); we need tag 80, the object size.
    const d = r.data;
    if (d[0] !== 0x6f || d[1] !== d.length - 2) throw new TokenError('TOKEN_PROTOCOL', 'SELECT response is not an FCI');
    for (let i = 2; i + 1 < d.length; i += 2 + d[i + 1]!) {
      if (d[i] === 0x80 && d[i + 1] === 2 && i + 4 <= d.length) return (d[i + 2]! << 8) | d[i + 3]!;
    }
    throw new TokenError('TOKEN_PROTOCOL', 'FCI without object size');
  }

  /** VERIFY; wrong PIN → TOKEN_PIN_WRONG with tries left (63Cx), blocked → TOKEN_PIN_BLOCKED (6983). */
  async verify(pin: string, which: keyof typeof PIN_REF = 'user'): Promise<void> {
    const r = await this.send(INS.VERIFY, 0x00, PIN_REF[which], pinBytes(pin));
    if (r.sw === SW.OK) return;
    if (r.sw === SW.AUTH_BLOCKED) throw new TokenError('TOKEN_PIN_BLOCKED', `${which} PIN is blocked`);
    if ((r.sw & 0xfff0) === SW.VERIFY_FAILED) {
      const triesLeft = r.sw & 0x0f;
      throw new TokenError('TOKEN_PIN_WRONG', `wrong ${which} PIN, ${triesLeft} tries left`, { triesLeft });
    }
    throw this.unexpected('VERIFY', r.sw);
  }

  /** Reads `size` bytes of the object in chunks at increasing offsets. */
  async read(size: number): Promise<Uint8Array> {
    if (size > OBJECT_CAPACITY) throw new TokenError('TOKEN_PROTOCOL', `object size ${size} exceeds ${OBJECT_CAPACITY}`);
    const out = new Uint8Array(size);
    for (let off = 0; off < size; ) {
      const want = Math.min(256, size - off);
      const r = await this.send(INS.READ_BINARY, off >> 8, off & 0xff, new Uint8Array(0), want);
      if (r.sw === SW.SECURITY_NOT_SATISFIED) throw new TokenError('TOKEN_PIN_WRONG', 'PIN not verified');
      if (r.sw !== SW.OK || r.data.length !== want) throw this.unexpected(`READ BINARY at ${off}`, r.sw);
      out.set(r.data, off);
      off += want;
    }
    return out;
  }

  /** Erases the object and writes `content` in chunks (admin PIN verified first). */
  async write(content: Uint8Array): Promise<void> {
    if (content.length > OBJECT_CAPACITY) throw new RangeError(`object exceeds ${OBJECT_CAPACITY} bytes`);
    const erase = await this.send(INS.ERASE_BINARY, 0x00, 0x00, new Uint8Array(0));
    if (erase.sw !== SW.OK) throw this.unexpected('ERASE BINARY', erase.sw);
    for (let off = 0; off < content.length; off += CHUNK) {
      const chunk = content.subarray(off, Math.min(content.length, off + CHUNK));
      const r = await this.send(INS.UPDATE_BINARY, off >> 8, off & 0xff, chunk);
      if (r.sw !== SW.OK) throw this.unexpected(`UPDATE BINARY at ${off}`, r.sw);
    }
  }

  /** The appliance's whole read: select, verify the user PIN, read the permit. */
  async readPermit(pin: string): Promise<Uint8Array> {
    const size = await this.select();
    await this.verify(pin, 'user');
    if (size === 0) throw new TokenError('TOKEN_EMPTY', 'the card holds no permit');
    return this.read(size);
  }
}
