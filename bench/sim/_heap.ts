/**
 * A bounded binary min-heap ordered by (time, insertion order): equal times come out first-in first-out, which keeps
 * the discrete-event loops deterministic without comparing payloads.
 */
export class EventHeap<T> {
  private readonly items: { t: number; seq: number; value: T }[] = [];
  private seq = 0;

  /** `limit` is the most events the heap may hold; pushing beyond it is a modelling error, so it throws. */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`heap limit must be a positive integer, got ${limit}`);
  }

  get size(): number {
    return this.items.length;
  }

  peekTime(): number | undefined {
    return this.items[0]?.t;
  }

  push(t: number, value: T): void {
    if (!Number.isFinite(t)) throw new RangeError(`event time must be finite, got ${t}`);
    if (this.items.length >= this.limit) throw new RangeError(`event heap full (limit ${this.limit})`);
    const items = this.items;
    items.push({ t, seq: this.seq++, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { t: number; value: T } | undefined {
    const items = this.items;
    const top = items[0];
    if (top === undefined) return undefined;
    const last = items.pop() as (typeof items)[number];
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(l, m)) m = l;
        if (r < items.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return { t: top.t, value: top.value };
  }

  private less(i: number, j: number): boolean {
    const a = this.items[i] as { t: number; seq: number };
    const b = this.items[j] as { t: number; seq: number };
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const a = this.items[i] as (typeof this.items)[number];
    this.items[i] = this.items[j] as (typeof this.items)[number];
    this.items[j] = a;
  }
}
