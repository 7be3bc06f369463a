/**
 * Message 24 (ITU-R M.1371-5 §3.3.8.2.21, Table 73) comes as part A (name) and part B (type, call sign,
 * dimensions) in separate transmissions. Like gpsd, we remember the last `TYPE24_PENDING` part A's and report the
 * pair when the matching part B arrives; with many ships in range an old part A is overwritten, as in gpsd.
 */
import type { AisMessage } from './ais.js';

/** gpsd's MAX_TYPE24_INTERLEAVE: how many unmatched part A's are kept. */
export const TYPE24_PENDING = 8;

export class Type24Merger {
  private readonly slots: Array<{ mmsi: number; shipname: string } | undefined>;
  private next = 0;

  constructor(readonly capacity: number = TYPE24_PENDING) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity: expected integer ≥ 1, got ${capacity}`);
    this.slots = new Array<undefined>(capacity).fill(undefined);
  }

  /**
   * Feeds one message. Returns the message to report: other types unchanged, part B merged with its part A
   * (`shipname` added), or `undefined` for a part A (held) or a part B without its part A.
   */
  push(m: AisMessage): AisMessage | undefined {
    if (m.type !== 24) return m;
    if (m['partno'] === 0) {
      this.slots[this.next] = { mmsi: m.mmsi, shipname: m['shipname'] as string };
      this.next = (this.next + 1) % this.capacity;
      return undefined;
    }
    const k = this.slots.findIndex((s) => s !== undefined && s.mmsi === m.mmsi);
    if (k < 0) return undefined;
    const a = this.slots[k]!;
    // A repeated part B must not pick up the same part A again.
    this.slots[k] = undefined;
    return { ...m, shipname: a.shipname };
  }
}
