/**
 * Message 24 (ITU-R M.1371-5 §3.3.8.2.21, Table 73) comes as part A (name) and part B (type, call sign,
 * dimensions) in separate transmissions. Like gpsd, we remember the last `TYPE24_PENDING` part A's per radio
 * channel and report the pair when the matching part B arrives on the same channel; with many ships in range an
 * old part A is overwritten, as in gpsd.
 */
import type { AisMessage } from './ais.js';

/** gpsd's MAX_TYPE24_INTERLEAVE: how many unmatched part A's are kept. */
export const TYPE24_PENDING = 8;

interface Ring {
  readonly slots: Array<{ mmsi: number; shipname: string } | undefined>;
  next: number;
}

/** Channels kept apart, as gpsd keeps one context per channel; anything else shares a third ring. */
const CHANNEL_RINGS: Readonly<Record<string, number>> = { A: 0, '1': 0, B: 1, '2': 1 };

export class Type24Merger {
  private readonly rings: Ring[];

  constructor(readonly capacity: number = TYPE24_PENDING) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity: expected integer ≥ 1, got ${capacity}`);
    this.rings = [0, 1, 2].map(() => ({ slots: new Array<undefined>(capacity).fill(undefined), next: 0 }));
  }

  /**
   * Feeds one message. Returns the message to report: other types unchanged, part B merged with its part A
   * (`shipname` added), or `undefined` for a part A (held) or a part B without its part A.
   */
  push(m: AisMessage, channel = ''): AisMessage | undefined {
    if (m.type !== 24) return m;
    const ring = this.rings[CHANNEL_RINGS[channel] ?? 2]!;
    if (m['partno'] === 0) {
      ring.slots[ring.next] = { mmsi: m.mmsi, shipname: m['shipname'] as string };
      ring.next = (ring.next + 1) % this.capacity;
      return undefined;
    }
    const k = ring.slots.findIndex((s) => s !== undefined && s.mmsi === m.mmsi);
    if (k < 0) return undefined;
    const a = ring.slots[k]!;
    // A repeated part B must not pick up the same part A again.
    ring.slots[k] = undefined;
    return { ...m, shipname: a.shipname };
  }
}
