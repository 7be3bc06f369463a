/**
 * The last whole AIS message Signal K received, named by its report digest (docs/display-output.md of mibc-ais,
 * "Which report a status vouches for"): a `V` or `D` vouches only for the message whose digest it carries, so the
 * plugin compares that digest with the message Signal K has just shown.
 *
 *   digest = hex( SHA-256( bit length (16 bits, big-endian) ‖ the message's bits, pad bits zero )[0..8] )
 *
 * Written from that description alone, with Node's own SHA-256, so that the plugin installs without the appliance's
 * code. Multi-sentence messages (IEC 61162-1 VDM/VDO) are joined when their sentences arrive in order; anything
 * else drops the partial message (one at a time, at most MAX_SENTENCES sentences).
 */
'use strict';

const { createHash } = require('node:crypto');

/** IEC 61162-1 allows 1–9 sentences per VDM. */
const MAX_SENTENCES = 9;
const DIGEST_BYTES = 8;

/** XOR of the characters between the start character and `*` (IEC 61162-1 §7.2.3). */
function checksumOk(body) {
  const star = body.lastIndexOf('*');
  if (star < 1 || star + 3 !== body.length) return false;
  let x = 0;
  for (let i = 1; i < star; i++) x ^= body.charCodeAt(i);
  return x === Number.parseInt(body.slice(star + 1), 16) && /^[0-9A-Fa-f]{2}$/.test(body.slice(star + 1));
}

/** A line without its TAG block (`\s:…*hh\`), as the 'nmea0183' event may carry one. */
function withoutTagBlock(line) {
  if (!line.startsWith('\\')) return line;
  const end = line.indexOf('\\', 1);
  return end < 0 ? '' : line.slice(end + 1);
}

/** ITU-R M.1371-5 §8.2.4 six-bit armour → the message's bits, MSB first; undefined on a character outside it. */
function unarmour(payload, fill) {
  const bitLength = payload.length * 6 - fill;
  if (bitLength < 38) return undefined;
  const bytes = new Uint8Array((bitLength + 7) >> 3);
  let bit = 0;
  for (const ch of payload) {
    const c = ch.charCodeAt(0);
    if (c < 48 || c > 119 || (c > 87 && c < 96)) return undefined;
    let v = c - 48;
    if (v > 40) v -= 8;
    for (let k = 5; k >= 0 && bit < bitLength; k--, bit++) {
      if ((v >> k) & 1) bytes[bit >> 3] |= 0x80 >> (bit & 7);
    }
  }
  return { bytes, bitLength };
}

function readBits(bytes, start, width) {
  let v = 0;
  for (let i = start; i < start + width; i++) v = v * 2 + ((bytes[i >> 3] >> (7 - (i & 7))) & 1);
  return v;
}

function reportDigest({ bytes, bitLength }) {
  const input = Buffer.alloc(2 + bytes.length);
  input.writeUInt16BE(bitLength, 0);
  input.set(bytes, 2);
  return createHash('sha256').update(input).digest().subarray(0, DIGEST_BYTES).toString('hex').toUpperCase();
}

class ReportTracker {
  constructor() {
    /** @type {{ digest: string, mmsi: string, type: number } | undefined} */
    this.last = undefined;
    this.partial = undefined;
  }

  /** Feeds one received line; returns true when it completed an AIS message. */
  push(line) {
    const body = withoutTagBlock(line.trim());
    if (!/^!..VD[MO],/.test(body) || !checksumOk(body)) return false;
    const f = body.slice(0, body.lastIndexOf('*')).split(',');
    if (f.length !== 7) return false;
    const total = Number(f[1]);
    const index = Number(f[2]);
    const fill = Number(f[6]);
    if (!(total >= 1 && total <= MAX_SENTENCES && index >= 1 && index <= total && fill >= 0 && fill <= 5)) {
      this.partial = undefined;
      return false;
    }
    if (index === 1) this.partial = { total, seq: f[3], payload: '' };
    else if (this.partial === undefined || this.partial.total !== total || this.partial.seq !== f[3] || this.partial.next !== index) {
      this.partial = undefined;
      return false;
    }
    this.partial.payload += f[5];
    this.partial.next = index + 1;
    if (index < total) return false;
    const bits = unarmour(this.partial.payload, fill);
    this.partial = undefined;
    if (bits === undefined) return false;
    this.last = {
      digest: reportDigest(bits),
      mmsi: String(readBits(bits.bytes, 8, 30)).padStart(9, '0'),
      type: readBits(bits.bytes, 0, 6),
    };
    return true;
  }
}

module.exports = { ReportTracker, reportDigest, unarmour };
