/**
 * The bench's discrete-event loop: a simulated clock (ms) advances from event to event — the next report a station
 * wants to send (vessels.ts) or the end of the next transmission on the air (vdl.ts) — so a run is a pure function of
 * its seed and configuration, however fast the host is.
 *
 * Two hooks are the seams for the appliance pipelines: onTransmit turns one report into the messages that go on the
 * air (plain AIS: one; a secured mode: several fragments with their slot counts), onReceive gets what each station
 * received and may answer through the context (a key request in mode 4 gets its reply).
 */
import type { Rng } from './rng.js';
import { messageBits } from './fields.js';
import { Vdl, slotsForBits, type Access, type Channel, type Reception, type Scheduled, type VdlConfig } from './vdl.js';
import type { Traffic, TransmissionRequest } from './vessels.js';

/** One message a hook wants on the air for a station. */
export interface OutgoingMessage<T> {
  readonly slots: number;
  readonly payload: T;
  readonly channel?: Channel;
  readonly access?: Access;
}

export interface ScenarioContext<T> {
  /** Simulated time of the event being handled, ms. */
  readonly now: number;
  /** Sends messages for `sender` from now on; returns where each went (undefined: rejected by the link). */
  transmit(sender: number, messages: readonly OutgoingMessage<T>[]): (Scheduled | undefined)[];
}

export interface ScenarioHooks<T> {
  /**
   * The messages one report becomes, submitted at request.t in the order given. A hook that needs to know where each
   * went (latency, rejections) sends them itself with ctx.transmit and returns [].
   */
  onTransmit(request: TransmissionRequest, ctx: ScenarioContext<T>): readonly OutgoingMessage<T>[];
  /** Called once per receiving station; the payload object is shared between receivers, so treat it as read-only. */
  onReceive?(reception: Reception<T>, ctx: ScenarioContext<T>): void;
}

export interface ScenarioOptions<T> {
  readonly traffic: Traffic;
  readonly link: VdlConfig;
  /** Seeds the link model (forked, so it never shares draws with the traffic). */
  readonly rng: Rng;
  readonly hooks: ScenarioHooks<T>;
  /** Listening stations; default every station of the traffic. Each needs a position from traffic.positionAt. */
  readonly receivers?: readonly number[];
}

/** RNG stream label of the link model. */
const LINK_STREAM = 0x11_4b;

export class Scenario<T> {
  readonly vdl: Vdl<T>;
  private clock = 0;
  private readonly ctx: ScenarioContext<T>;

  constructor(private readonly options: ScenarioOptions<T>) {
    const traffic = options.traffic;
    this.vdl = new Vdl<T>(options.link, {
      rng: options.rng.fork(LINK_STREAM),
      locate: (station, t) => traffic.positionAt(station, t),
      receivers: options.receivers ?? traffic.stations.map((s) => s.mmsi),
    });
    const self = this;
    this.ctx = {
      get now() {
        return self.clock;
      },
      transmit: (sender, messages) => this.submit(sender, this.clock, messages),
    };
  }

  /** Simulated time, ms: the time of the last event handled, or the end of the last runUntil. */
  get now(): number {
    return this.clock;
  }

  /** Handles every event at or before tEnd, then sets the clock to tEnd. */
  runUntil(tEnd: number): void {
    if (tEnd < this.clock) throw new RangeError(`runUntil(${tEnd}) is before the clock (${this.clock} ms)`);
    const { traffic, hooks } = this.options;
    for (;;) {
      const tReport = traffic.peekTime();
      const tAir = this.vdl.nextResolveTime() ?? Infinity;
      // Transmissions ending at the same instant as a report are settled first: their slots are already past.
      if (tAir <= tReport && tAir <= tEnd) {
        this.clock = tAir;
        for (const r of this.vdl.resolveUntil(tAir)) hooks.onReceive?.(r, this.ctx);
      } else if (tReport <= tEnd) {
        this.clock = tReport;
        const request = traffic.next();
        this.submit(request.mmsi, request.t, hooks.onTransmit(request, this.ctx));
      } else {
        break;
      }
    }
    this.clock = tEnd;
    // Nothing ends by tEnd any more; this only moves the link's settled time up to the clock.
    for (const r of this.vdl.resolveUntil(tEnd)) hooks.onReceive?.(r, this.ctx);
  }

  private submit(sender: number, t: number, messages: readonly OutgoingMessage<T>[]): (Scheduled | undefined)[] {
    return messages.map((m) => this.vdl.submit({ t, sender, ...m }));
  }
}

/**
 * Plain AIS, the standalone default: each report is one message whose payload is the request itself, with its slot
 * count from its length (slotsForBits 'fixed': 1 slot for 168-bit reports, 2 for msg 5). Class B "CS" reports
 * (msgs 18 and 24) use carrier sense, so they are never sent into an occupied slot.
 */
export const plainAis: ScenarioHooks<TransmissionRequest> = {
  onTransmit: (request) => [
    {
      slots: slotsForBits(messageBits(request.fields)),
      payload: request,
      access: request.fields.type === 18 || request.fields.type === 24 ? 'cs' : 'sotdma',
    },
  ],
};
