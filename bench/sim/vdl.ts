/**
 * VHF data link model: two channels (AIS 1 = A, AIS 2 = B), each a frame of 2250 slots per minute (26.67 ms, 256 bits
 * per slot; ITU-R M.1371-5 Annex 2, digest in ../shared/reference/ais-and-nmea.md §2.3). Stations put messages of
 * their real slot counts onto the slots; receivers in range get them unless a slot is lost, the message is corrupted,
 * or another in-range station used an overlapping slot on the same channel (a collision).
 *
 * Access is SOTDMA/RATDMA-like (M.1371-5 Annex 2, access schemes): from a selection interval starting at the nominal
 * time the station takes a random free candidate in its local view — the reservations of stations it can hear. When
 * fewer than four candidates are free it adds slots already used by the most distant stations (intentional slot
 * reuse), so collisions appear as the channel saturates and far from the stations that share a slot. Class B "CS"
 * (carrier sense) transmissions never reuse: they are dropped instead.
 *
 * The payload is opaque (type T): the lead passes sentences, message objects, or secured fragments alike.
 */
import { EventHeap } from './_heap.js';
import { NM, distanceM, type LocalPoint } from './geo.js';
import type { Rng } from './rng.js';

export type Channel = 'A' | 'B';
export const CHANNELS: readonly Channel[] = ['A', 'B'];
export const SLOTS_PER_FRAME = 2250;
export const FRAME_MS = 60_000;
export const SLOT_MS = FRAME_MS / SLOTS_PER_FRAME;
/** Longest message: 5 slots (M.1371-5 Annex 2; ≤ 3 under RATDMA, 5 with FATDMA reservations). */
export const MAX_SLOTS = 5;
/**
 * Default selection interval: SOTDMA picks within ±10 % of the nominal increment (M.1371-5 Annex 2, SOTDMA), i.e.
 * 2 s = 75 slots at the 10-s rate of most ships; the model opens it forward from the nominal time only, since a
 * request cannot use a slot that has already passed.
 */
export const DEFAULT_SELECTION_SLOTS = 75;
/** Minimum size of the candidate set before slots of distant stations are reused (M.1371-5 Annex 2, candidate slots). */
const MIN_CANDIDATES = 4;

export type Access = 'sotdma' | 'cs';

/** One message a station wants to send. */
export interface Transmission<T> {
  /** Earliest time (ms), normally the report's nominal time. */
  readonly t: number;
  /** The physical transmitter, located through VdlEnvironment.locate; a spoofer's payload may claim another MMSI. */
  readonly sender: number;
  /** 1..5 consecutive slots. */
  readonly slots: number;
  readonly payload: T;
  /** Omitted: the sender alternates A/B per message (M.1371-5 Annex 2: reports alternate between the channels). */
  readonly channel?: Channel;
  /** 'sotdma' (default) may reuse slots when saturated; 'cs' (Class B carrier sense) is dropped instead. */
  readonly access?: Access;
}

/** Where a transmission went on the air. */
export interface Scheduled {
  readonly sender: number;
  readonly channel: Channel;
  /** Absolute index of the first slot since t = 0. */
  readonly slot: number;
  readonly slots: number;
  readonly startMs: number;
  readonly endMs: number;
  /** The slot was already used by another station in the sender's view. */
  readonly reused: boolean;
}

/** A message as one receiver got it, at the end of its last slot. */
export interface Reception<T> {
  readonly t: number;
  readonly receiver: number;
  readonly sender: number;
  readonly channel: Channel;
  readonly payload: T;
  /** Received with bit errors: the receiver sees a bad checksum. */
  readonly corrupted: boolean;
}

export interface VdlConfig {
  /** Nominal radio range (VHF line of sight, typically 20–40 NM); beyond it nothing is received. */
  readonly rangeNm: number;
  /** Probability that one slot is lost at one receiver, independently per slot and receiver. */
  readonly slotLossP: number;
  /** Probability that a message that arrived is corrupted (bad checksum at that receiver). */
  readonly corruptionP: number;
  readonly selectionSlots?: number;
  /**
   * Capture effect: a receiver still decodes the wanted message if every in-range interferer is weaker by at least this
   * many dB (free-space loss, 20·log10 of the distance ratio). Undefined: any overlap destroys both.
   */
  readonly captureDb?: number;
  /** Most transmissions waiting for their slots (default 100 000); more are rejected and counted. */
  readonly maxPending?: number;
  /** Frames of slot-load history kept (default 60, one hour). */
  readonly historyFrames?: number;
}

export interface VdlEnvironment {
  /** Seeds the link's own draws (slot choice, loss, corruption). */
  readonly rng: Rng;
  /** Position of any station at time t, on the same local plane for all. */
  readonly locate: (station: number, t: number) => LocalPoint | undefined;
  /** Stations that listen, in a fixed order (the order of the random draws). */
  readonly receivers: readonly number[];
}

export interface VdlCounters {
  submitted: number;
  scheduled: number;
  /** Not sent: no slot (all own, or carrier sense found the channel busy) or the pending queue was full. */
  rejected: number;
  /** Slots occupied by scheduled transmissions, per channel, counting reused slots each time. */
  slotsTransmitted: Record<Channel, number>;
  /** Transmissions that took a slot already used in the sender's view. */
  slotsReused: number;
  /** Messages delivered to a receiver (corrupted ones included). */
  receptions: number;
  corrupted: number;
  /** (message, receiver) pairs in range lost to per-slot loss. */
  lostSlot: number;
  /** (message, receiver) pairs in range lost because another in-range station used an overlapping slot. */
  collisions: number;
  /** (message, receiver) pairs in range lost because the receiver was transmitting itself. */
  halfDuplex: number;
  /** (message, receiver) pairs beyond the range. */
  outOfRange: number;
}

export interface FrameLoad {
  /** Frame number since t = 0 (one per minute). */
  readonly frame: number;
  /** Distinct slots used at least once anywhere. */
  readonly slotsUsed: Readonly<Record<Channel, number>>;
  /** slotsUsed as % of the 2250 slots. */
  readonly percent: Readonly<Record<Channel, number>>;
}

interface Pending<T> {
  readonly tx: Transmission<T>;
  readonly at: Scheduled;
}

/** Slot index of the first slot starting at or after t (tolerant of the float error in t = n·SLOT_MS). */
export function slotAtOrAfter(t: number): number {
  return Math.ceil(t / SLOT_MS - 1e-9);
}

/**
 * Slots a message of `bits` occupies. 'fixed': ceil((bits + 88) / 256) — the 88 bits of ramp, training sequence,
 * flags, FCS and guard around the data of a 256-bit slot (ais-and-nmea.md §2.3); a 168-bit position report is 1 slot,
 * the 424-bit msg 5 is 2. 'binary': M.1371-5 Tables 55/58 for messages 6/8, which also reserve room for the bit
 * stuffing of random-looking data: 136 bits in one slot, 224 more per further slot (136/360/584/808/1008 bits →
 * 1..5 slots). Use 'binary' for ciphertext and signatures. Throws beyond 5 slots.
 */
export function slotsForBits(bits: number, kind: 'fixed' | 'binary' = 'fixed'): number {
  if (!Number.isInteger(bits) || bits < 1) throw new RangeError(`bits must be a positive integer, got ${bits}`);
  const slots = kind === 'fixed' ? Math.ceil((bits + 88) / 256) : bits <= 136 ? 1 : 1 + Math.ceil((bits - 136) / 224);
  if (slots > MAX_SLOTS) throw new RangeError(`${bits} bits need ${slots} slots, more than ${MAX_SLOTS}`);
  return slots;
}

export class Vdl<T> {
  private readonly rangeM: number;
  private readonly selectionSlots: number;
  private readonly pending: EventHeap<Pending<T>>;
  private readonly historyFrames: number;
  /** Per channel: absolute slot → transmissions using it; slots behind the resolution point are purged. */
  private readonly occupancy: Record<Channel, Map<number, Pending<T>[]>> = { A: new Map(), B: new Map() };
  private readonly lastChannel = new Map<number, Channel>();
  private readonly frames = new Map<number, { A: number; B: number }>();
  private resolvedUntil = -Infinity;
  private readonly count: VdlCounters = {
    submitted: 0,
    scheduled: 0,
    rejected: 0,
    slotsTransmitted: { A: 0, B: 0 },
    slotsReused: 0,
    receptions: 0,
    corrupted: 0,
    lostSlot: 0,
    collisions: 0,
    halfDuplex: 0,
    outOfRange: 0,
  };

  constructor(
    private readonly config: VdlConfig,
    private readonly env: VdlEnvironment,
  ) {
    if (!(config.rangeNm > 0)) throw new RangeError(`rangeNm must be positive, got ${config.rangeNm}`);
    for (const [name, p] of [['slotLossP', config.slotLossP], ['corruptionP', config.corruptionP]] as const) {
      if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must be a probability, got ${p}`);
    }
    this.rangeM = config.rangeNm * NM;
    this.selectionSlots = config.selectionSlots ?? DEFAULT_SELECTION_SLOTS;
    if (!Number.isInteger(this.selectionSlots) || this.selectionSlots < 1 || this.selectionSlots > SLOTS_PER_FRAME) {
      throw new RangeError(`selectionSlots must be an integer in 1..${SLOTS_PER_FRAME}, got ${this.selectionSlots}`);
    }
    this.pending = new EventHeap(config.maxPending ?? 100_000);
    this.historyFrames = config.historyFrames ?? 60;
  }

  /**
   * Puts a message on a slot at or after tx.t. Returns where it went, or undefined when it was rejected. Times must
   * not go back behind what resolveUntil() has already settled.
   */
  submit(tx: Transmission<T>): Scheduled | undefined {
    if (tx.t < this.resolvedUntil) {
      throw new RangeError(`transmission at ${tx.t} ms is before the resolved time ${this.resolvedUntil} ms`);
    }
    if (!Number.isInteger(tx.slots) || tx.slots < 1 || tx.slots > MAX_SLOTS) {
      throw new RangeError(`slots must be 1..${MAX_SLOTS}, got ${tx.slots}`);
    }
    this.count.submitted++;
    if (this.pending.size >= this.pending.limit) {
      this.count.rejected++;
      return undefined;
    }
    const channel = tx.channel ?? (this.lastChannel.get(tx.sender) === 'A' ? 'B' : 'A');
    const first = this.selectSlot(tx, channel);
    if (first === undefined) {
      this.count.rejected++;
      return undefined;
    }
    this.lastChannel.set(tx.sender, channel);
    const at: Scheduled = {
      sender: tx.sender,
      channel,
      slot: first.slot,
      slots: tx.slots,
      startMs: first.slot * SLOT_MS,
      endMs: (first.slot + tx.slots) * SLOT_MS,
      reused: first.reused,
    };
    const entry: Pending<T> = { tx, at };
    const map = this.occupancy[channel];
    for (let s = first.slot; s < first.slot + tx.slots; s++) {
      const list = map.get(s);
      if (list === undefined) {
        map.set(s, [entry]);
        this.countUsedSlot(s, channel);
      } else {
        list.push(entry);
      }
    }
    this.pending.push(at.endMs, entry);
    this.count.scheduled++;
    this.count.slotsTransmitted[channel] += tx.slots;
    if (first.reused) this.count.slotsReused++;
    return at;
  }

  /** Transmissions scheduled but not yet settled (waiting for or occupying their slots). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** End time of the earliest transmission still on the air, if any. */
  nextResolveTime(): number | undefined {
    return this.pending.peekTime();
  }

  /** Settles every transmission that ends at or before t and returns what each receiver got, in time order. */
  resolveUntil(t: number): Reception<T>[] {
    const out: Reception<T>[] = [];
    for (let next = this.pending.peekTime(); next !== undefined && next <= t; next = this.pending.peekTime()) {
      const e = this.pending.pop() as { t: number; value: Pending<T> };
      this.deliver(e.value, out);
    }
    this.resolvedUntil = Math.max(this.resolvedUntil, t);
    this.purge();
    return out;
  }

  counters(): VdlCounters {
    return { ...this.count, slotsTransmitted: { ...this.count.slotsTransmitted } };
  }

  /** Slot load per frame, oldest first, for the frames still in the history. */
  frameLoads(): FrameLoad[] {
    return [...this.frames.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([frame, used]) => ({
        frame,
        slotsUsed: { A: used.A, B: used.B },
        percent: { A: (100 * used.A) / SLOTS_PER_FRAME, B: (100 * used.B) / SLOTS_PER_FRAME },
      }));
  }

  private countUsedSlot(slot: number, channel: Channel): void {
    const frame = Math.floor(slot / SLOTS_PER_FRAME);
    let f = this.frames.get(frame);
    if (f === undefined) {
      f = { A: 0, B: 0 };
      this.frames.set(frame, f);
      for (const old of this.frames.keys()) if (old <= frame - this.historyFrames) this.frames.delete(old);
    }
    f[channel]++;
  }

  /** True if `station` itself transmits in slot s on either channel: one transmitter, one slot at a time. */
  private transmitsIn(station: number, s: number): boolean {
    for (const c of CHANNELS) {
      const list = this.occupancy[c].get(s);
      if (list !== undefined && list.some((p) => p.at.sender === station)) return true;
    }
    return false;
  }

  private selectSlot(tx: Transmission<T>, channel: Channel): { slot: number; reused: boolean } | undefined {
    const n0 = slotAtOrAfter(tx.t);
    const here = this.env.locate(tx.sender, tx.t);
    if (here === undefined) throw new RangeError(`unknown sender ${tx.sender}`);
    const map = this.occupancy[channel];
    const free: number[] = [];
    // Start slots usable but busy in the local view, with the distance to the nearest station heard in them.
    const busy: { slot: number; nearestM: number }[] = [];
    for (let s = n0; s < n0 + this.selectionSlots; s++) {
      let own = false;
      let nearestM = Infinity;
      for (let j = s; j < s + tx.slots && !own; j++) {
        if (this.transmitsIn(tx.sender, j)) own = true;
        for (const p of map.get(j) ?? []) {
          const there = this.env.locate(p.at.sender, tx.t);
          const d = there === undefined ? Infinity : distanceM(here, there);
          if (d <= this.rangeM) nearestM = Math.min(nearestM, d);
        }
      }
      if (own) continue;
      if (nearestM === Infinity) free.push(s);
      else busy.push({ slot: s, nearestM });
    }
    const rng = this.env.rng;
    if (free.length >= MIN_CANDIDATES || (free.length > 0 && tx.access === 'cs')) {
      return { slot: free[rng.int(0, free.length)] as number, reused: false };
    }
    if (tx.access === 'cs') return undefined;
    // Intentional reuse: top the candidate set up with the slots of the most distant stations.
    busy.sort((a, b) => b.nearestM - a.nearestM || a.slot - b.slot);
    const candidates = [
      ...free.map((slot) => ({ slot, reused: false })),
      ...busy.slice(0, MIN_CANDIDATES - free.length).map((b) => ({ slot: b.slot, reused: true })),
    ];
    if (candidates.length === 0) return undefined;
    return candidates[rng.int(0, candidates.length)];
  }

  private deliver(entry: Pending<T>, out: Reception<T>[]): void {
    const { tx, at } = entry;
    const rng = this.env.rng;
    const from = this.env.locate(at.sender, at.startMs);
    if (from === undefined) return;
    const map = this.occupancy[at.channel];
    for (const receiver of this.env.receivers) {
      if (receiver === at.sender) continue;
      const where = this.env.locate(receiver, at.startMs);
      if (where === undefined) continue;
      const d = distanceM(from, where);
      if (d > this.rangeM) {
        this.count.outOfRange++;
        continue;
      }
      let deaf = false;
      let collided = false;
      for (let s = at.slot; s < at.slot + at.slots && !deaf; s++) {
        // AIS radios are half duplex: a station transmitting on either channel hears nothing meanwhile.
        if (this.transmitsIn(receiver, s)) {
          deaf = true;
          continue;
        }
        for (const other of map.get(s) ?? []) {
          if (other === entry) continue;
          const there = this.env.locate(other.at.sender, at.startMs);
          if (there === undefined) continue;
          const dI = distanceM(there, where);
          if (dI > this.rangeM) continue;
          const captured = this.config.captureDb !== undefined && 20 * Math.log10(dI / Math.max(d, 1)) >= this.config.captureDb;
          if (!captured) collided = true;
        }
      }
      if (deaf) {
        this.count.halfDuplex++;
        continue;
      }
      if (collided) {
        this.count.collisions++;
        continue;
      }
      let lost = false;
      // One draw per slot, always all of them, so the draw sequence does not depend on earlier outcomes.
      for (let s = 0; s < at.slots; s++) if (rng.bernoulli(this.config.slotLossP)) lost = true;
      if (lost) {
        this.count.lostSlot++;
        continue;
      }
      const corrupted = rng.bernoulli(this.config.corruptionP);
      if (corrupted) this.count.corrupted++;
      this.count.receptions++;
      out.push({ t: at.endMs, receiver, sender: at.sender, channel: at.channel, payload: tx.payload, corrupted });
    }
  }

  /** Forgets slots that every pending and future transmission starts after. */
  private purge(): void {
    // A pending transmission ends after resolvedUntil, so it starts at most MAX_SLOTS slots before it.
    // The maps only hold slots near the clock, so a scan is cheap and also copes with a jump of the clock.
    const limit = slotAtOrAfter(this.resolvedUntil) - MAX_SLOTS;
    for (const map of [this.occupancy.A, this.occupancy.B]) {
      for (const slot of map.keys()) if (slot < limit) map.delete(slot);
    }
  }
}
