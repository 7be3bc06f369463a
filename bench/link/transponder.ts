/**
 * A simulated AIS transponder as the appliance sees it on its radio-side port (IEC 61162-1 presentation interface):
 * own-ship VDO is passed on as the station's own report, BBM becomes a broadcast message 8 and ABM an addressed
 * message 6 from the transponder's own MMSI (IEC 61162-1 §8.3 BBM/ABM; ITU-R M.1371-5 Annex 8 msgs 6, 8). Each AIS
 * message leaves with its slot count (M.1371-5 Tables 55/58 for binary data, the plain length otherwise) and the VDM
 * sentences every receiver in range will hear.
 */
import { slotsFor, slotsForPlainBits } from '../../firmware/capacity.js';
import {
  FragmentAssembler, NmeaError, decodeAis, SequentialId, encodeAis, encodeVdm, parseAbm, parseBbm, parseSentence, parseVdm,
  splitApplicationData, toAbmMessage, toBbmMessage, unarmour,
  type AbmFragment, type AisAddressedBinary, type AisBits, type BbmFragment, type VdmFragment,
} from '../../nmea/index.js';

/** One AIS message as it goes on the air. */
export interface AirMessage {
  readonly channel: 'A' | 'B';
  readonly slots: number;
  /** The VDM sentences a receiver's radio outputs for it. */
  readonly lines: readonly string[];
  /** Message type on the air (1–5, 18, 24 plain; 6 or 8 secured). */
  readonly type: number;
  /** Message 6: the addressee. */
  readonly destination?: number;
}

/** Radio-port sentences from one appliance that belong to one message but arrive together (BBM/ABM fragments). */
const FRAGMENT_LIMITS = { maxPending: 8, timeoutMs: 5_000 } as const;

export class SimTransponder {
  private readonly bbm = new FragmentAssembler<BbmFragment>(FRAGMENT_LIMITS);
  private readonly abm = new FragmentAssembler<AbmFragment>(FRAGMENT_LIMITS);
  private readonly vdo = new FragmentAssembler<VdmFragment>(FRAGMENT_LIMITS);
  private readonly seq = new SequentialId();
  private nextChannel: 'A' | 'B';
  /** Radio-port sentences the transponder could not use; a real one answers them with an error acknowledgement. */
  refused = 0;

  constructor(readonly mmsi: number) {
    // Stations switched on at random start on either channel; the MMSI's parity stands in for that, deterministically.
    this.nextChannel = mmsi % 2 === 0 ? 'A' : 'B';
  }

  /**
   * Sentences from the appliance's radio side at `nowMs` (one own-ship report's worth); returns the AIS messages they
   * make. The messages of one report share a channel and the next report takes the other one (M.1371-5 Annex 2:
   * transmissions alternate between AIS 1 and AIS 2); per message, the first and largest fragment of every secured
   * report would land on the same channel.
   */
  push(lines: readonly string[], nowMs: number): AirMessage[] {
    const channel = this.nextChannel;
    this.nextChannel = channel === 'A' ? 'B' : 'A';
    const out: AirMessage[] = [];
    for (const line of lines) {
      try {
        const m = this.sentence(line, nowMs, channel);
        if (m !== undefined) out.push(m);
      } catch (e) {
        if (!(e instanceof NmeaError) && !(e instanceof RangeError)) throw e;
        this.refused++;
      }
    }
    return out;
  }

  private sentence(line: string, nowMs: number, channel: 'A' | 'B'): AirMessage | undefined {
    const s = parseSentence(line);
    if (s.formatter === 'BBM') {
      const a = this.bbm.push(parseBbm(s), nowMs);
      if (a === undefined) return undefined;
      const app = splitApplicationData(toBbmMessage(a).bits, 8);
      return this.air(encodeAis({ type: 8, repeat: 0, mmsi: this.mmsi, ...app }), channel);
    }
    if (s.formatter === 'ABM') {
      const a = this.abm.push(parseAbm(s), nowMs);
      if (a === undefined) return undefined;
      const m = toAbmMessage(a);
      const app = splitApplicationData(m.bits, 6);
      const bits = encodeAis({ type: 6, repeat: 0, mmsi: this.mmsi, seqno: m.seqId, dest_mmsi: m.destMmsi, retransmit: false, ...app });
      return this.air(bits, channel, m.destMmsi);
    }
    if (s.formatter === 'VDO' || s.formatter === 'VDM') {
      const a = this.vdo.push(parseVdm(s), nowMs);
      if (a === undefined) return undefined;
      return this.air(a.bits, channel);
    }
    this.refused++;
    return undefined;
  }

  /** Sends already-encoded AIS bits as they are: a rogue radio, which claims whatever source MMSI they carry. */
  raw(bits: AisBits, channel: 'A' | 'B'): AirMessage {
    const m = decodeAis(bits);
    return this.air(bits, channel, m.type === 6 ? (m as AisAddressedBinary).dest_mmsi : undefined);
  }

  private air(bits: AisBits, channel: 'A' | 'B', destination?: number): AirMessage {
    const slots = slotsOf(bits);
    const lines = encodeVdm(bits, { channel, seqId: this.seq.next() });
    const type = bits.bytes[0]! >> 2;
    return { channel, slots, lines, type, ...(destination === undefined ? {} : { destination }) };
  }
}

/** Header bits before the application data: msg 8 type…spare + DAC/FI = 56, msg 6 adds seqno, destination, retransmit. */
const BINARY_HEADER_BITS: Readonly<Record<number, number>> = { 8: 56, 6: 88 };

/** Slots of one AIS message: Tables 55/58 for binary messages 6/8 (stuffing allowance), the plain length otherwise. */
export function slotsOf(bits: AisBits): number {
  const type = bits.bytes[0]! >> 2;
  const header = BINARY_HEADER_BITS[type];
  const slots = header === undefined ? slotsForPlainBits(bits.bitLength) : slotsFor(type as 6 | 8, Math.ceil((bits.bitLength - header) / 8));
  if (slots === undefined || slots > 5) throw new RangeError(`message ${type} of ${bits.bitLength} bits does not fit in 5 slots`);
  return slots;
}

/** The AIS bits of one received message given as its VDM sentences (for checks on what a receiver was shown). */
export function bitsOfLines(lines: readonly string[]): AisBits {
  const vs = lines.map((l) => parseVdm(parseSentence(l)));
  return unarmour(vs.map((v) => v.payload).join(''), vs[vs.length - 1]!.fillBits);
}
