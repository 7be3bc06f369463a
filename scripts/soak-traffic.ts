/**
 * Radio-side traffic of the secure soak (docs/memory.md §Soak): what a receiver hears on a busy VDL from thousands of
 * ships, a share of them secured in mode 2, with the receive-path attacks of docs/threat-model.md mixed in.
 *
 * Genuine secured reports are made the way a real sender makes them — an own-ship report through a mode-2
 * AppliancePipeline and a simulated transponder — at the second they are sent: a signature covers the full UTC second
 * (docs/envelope.md §2), so a report signed ahead is stale half a minute later and no pool made before the load can
 * last an hour. The senders' keys are extracted before the load; their signers skip the fixed-base table (1.2 MB and
 * ≈25 ms per identity, for a thousand ships more than the soak's own process should hold), so one signature costs a
 * few ms of this process, never the daemon's.
 *
 * Kinds (one draw = one AIS message or attack round, of one or more lines):
 * - plain: a message-1 report of one of the unsecured ships;
 * - signed: a genuine mode-2 report (message 1 plus its signature message 8) of a secured ship;
 * - spoof: a plain report under a secured ship's MMSI, without signature;
 * - forged: one round of bench/attack-craft.ts (well-formed signatures of an insider's key under a secured MMSI);
 * - incomplete: the first three of four fragments of a crafted group, from any MMSI (fills reassembly tables);
 * - replay: a genuine report of the last 10 s sent again;
 * - stale: a genuine report signed more than 35 s ago (outside the ±30-s freshness window);
 * - fuzz: a structure-aware fuzz case of bench/fuzz/rx-cases.ts (oversized and out-of-range fields).
 */
import { ATTACKS, attackerSignatures, craftRound, type CraftContext } from '../bench/attack-craft.js';
import { rxFuzzCases } from '../bench/fuzz/rx-cases.js';
import { SimTransponder } from '../bench/link/transponder.js';
import { createRng, type Rng } from '../bench/sim/rng.js';
import { extractSigningKey, sign, type Signer } from '../crypto/index.js';
import { AppliancePipeline } from '../firmware/appliance-pipeline.js';
import { identityOf, OwnIdentity, type SystemParams } from '../firmware/keyring.js';
import { MemoryNonceStore } from '../hal/index.js';
import { encodeAis, encodeVdm, type AisMessage } from '../nmea/index.js';
import { epochAt, seededRandom, type TestPkg } from '../test/firmware/_pkg.js';

const DAC = 0;
const FI = 58;
const FIRST_MMSI = 201_000_000;
/** Genuine reports remembered for replays and stale copies: more than 40 s of them at the mix's ~10 per second. */
const RECENT = 1_024;
const REPLAY_WITHIN_S = 10;
const STALE_AFTER_S = 35;

export const KINDS = ['plain', 'signed', 'spoof', 'forged', 'incomplete', 'replay', 'stale', 'fuzz'] as const;
export type TrafficKind = (typeof KINDS)[number];

/** Draw probabilities; the line shares follow from each kind's lines per draw (reported by the soak). */
const WEIGHTS: Record<TrafficKind, number> = { plain: 0.55, signed: 0.22, spoof: 0.05, forged: 0.02, incomplete: 0.04, replay: 0.04, stale: 0.02, fuzz: 0.06 };

export interface TrafficOptions {
  readonly ships: number;
  readonly secured: number;
  /** The receiving daemon's MMSI (addressed attacks name it). */
  readonly victim: number;
}

export function positionReport(mmsi: number, n: number): AisMessage {
  return {
    type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed: 50 + (n % 300), accuracy: true,
    lon: 2_400_000 + ((n * 977) % 600_000), lat: 31_800_000 - ((n * 313) % 300_000), course: (n * 37) % 3600, heading: (n * 7) % 360,
    second: n % 60, maneuver: 0, spare: 0, raim: false, radio: 0,
  };
}

/** A sender's identity whose signer signs without the fixed-base table: same signatures, no 1.2 MB per ship. */
class UnpreparedIdentity extends OwnIdentity {
  readonly #pp: SystemParams['pp'];
  readonly #signingKey: Uint8Array;
  readonly #epoch: number;

  constructor(params: SystemParams, mmsi: number, epoch: number, signingKey: Uint8Array) {
    // The decryption key is never used by a sender of mode 2.
    super(params, 'mmsi', mmsi, [{ epoch, signingKey, decryptionKey: new Uint8Array(96) }]);
    this.#pp = params.pp;
    this.#signingKey = signingKey;
    this.#epoch = epoch;
  }

  override signer(epoch: number): Signer {
    if (epoch !== this.#epoch) return super.signer(epoch);
    const identity = identityOf('mmsi', this.mmsi, epoch);
    return { identity, sign: (msg, opts) => sign(this.#pp, this.#signingKey, identity, msg, opts), destroy: () => undefined };
  }
}

interface Sender {
  readonly mmsi: number;
  readonly pipeline: AppliancePipeline;
  readonly transponder: SimTransponder;
}

export class RadioTraffic {
  readonly #rng: Rng;
  readonly #opts: TrafficOptions;
  readonly #senders: Sender[];
  /** Genuine reports sent, newest last, with their second. */
  readonly #recent: { second: number; lines: string[] }[] = [];
  readonly #craft: CraftContext;
  readonly #signatures: [Uint8Array, Uint8Array];
  readonly #fuzz: (nowS: number) => { lines: string[] };
  #n = 0;
  #nextSender = 0;
  #channel = 0;
  /** CPU ms this process spent signing genuine reports. */
  signingMs = 0;

  private constructor(opts: TrafficOptions, senders: Sender[], craft: CraftContext, seed: number) {
    this.#opts = opts;
    this.#senders = senders;
    this.#rng = createRng(seed);
    this.#craft = craft;
    this.#signatures = attackerSignatures(craft);
    this.#fuzz = rxFuzzCases(this.#rng.fork(1), { dac: DAC, fi: FI, known: [opts.victim, FIRST_MMSI, FIRST_MMSI + 1], genuine: [] });
  }

  /** Extracts the `secured` senders' keys from `pkg` (the slow part, before the load). */
  static build(pkg: TestPkg, opts: TrafficOptions, nowMs: number, onProgress?: (done: number, of: number) => void): RadioTraffic {
    const epoch = epochAt(nowMs, pkg.params);
    const senders: Sender[] = [];
    for (let i = 0; i < opts.secured; i++) {
      const mmsi = FIRST_MMSI + i;
      const signingKey = extractSigningKey(pkg.params.pp, pkg.masterSecret, identityOf('mmsi', mmsi, epoch));
      const pipeline = new AppliancePipeline(
        { tx: { mode: 2, emit: 'bbm', ownShip: 'vdo' }, rx: {} },
        { params: pkg.params, identity: new UnpreparedIdentity(pkg.params, mmsi, epoch, signingKey), nonceState: new MemoryNonceStore() },
        seededRandom(`soak ${mmsi}`),
      );
      senders.push({ mmsi, pipeline, transponder: new SimTransponder(mmsi) });
      onProgress?.(i + 1, opts.secured);
    }
    const attacker = pkg.identity(FIRST_MMSI + opts.ships + 1, [epoch]);
    const craft: CraftContext = { attacker, victim: opts.victim, dac: DAC, fi: FI, random: seededRandom('soak attacker') };
    return new RadioTraffic(opts, senders, craft, Math.floor(nowMs / 1000));
  }

  #plain(mmsi: number): string[] {
    this.#channel ^= 1;
    return encodeVdm(encodeAis(positionReport(mmsi, this.#n++)), { channel: this.#channel === 0 ? 'A' : 'B' });
  }

  /** The next secured ship's own-ship report, signed now by its mode-2 pipeline and heard from its transponder. */
  #signed(nowMs: number): string[] {
    const s = this.#senders[this.#nextSender]!;
    this.#nextSender = (this.#nextSender + 1) % this.#senders.length;
    const t = performance.now();
    const own = encodeVdm(encodeAis(positionReport(s.mmsi, this.#n++)), { formatter: 'VDO', channel: '' });
    const radio = own.flatMap((l) => s.pipeline.fromShip(l, nowMs)).map((o) => o.line);
    const lines = s.transponder.push(radio, nowMs).flatMap((m) => m.lines);
    this.signingMs += performance.now() - t;
    if (lines.length === 0) throw new Error(`ship ${s.mmsi}: the mode-2 pipeline made nothing to send`);
    this.#recent.push({ second: Math.floor(nowMs / 1000), lines });
    if (this.#recent.length > RECENT) this.#recent.shift();
    return lines;
  }

  /** A remembered genuine report: of the last REPLAY_WITHIN_S seconds, or older than STALE_AFTER_S. */
  #again(nowS: number, kind: 'replay' | 'stale'): string[] | undefined {
    const fits = (e: { second: number }) => (kind === 'replay' ? nowS - e.second <= REPLAY_WITHIN_S : nowS - e.second > STALE_AFTER_S);
    for (let tries = 0; tries < 8 && this.#recent.length > 0; tries++) {
      const e = this.#recent[this.#rng.int(0, this.#recent.length)]!;
      if (fits(e)) return e.lines;
    }
    return undefined;
  }

  /** One draw at `nowMs`: its kind and lines (a replay or stale copy with nothing to copy yet is a plain report). */
  next(nowMs: number): { kind: TrafficKind; lines: readonly string[] } {
    const nowS = Math.floor(nowMs / 1000);
    const { ships, secured } = this.#opts;
    let r = this.#rng.next();
    let kind: TrafficKind = 'plain';
    for (const k of KINDS) {
      if (r < WEIGHTS[k]) {
        kind = k;
        break;
      }
      r -= WEIGHTS[k];
    }
    switch (kind) {
      case 'signed':
        return { kind, lines: this.#signed(nowMs) };
      case 'replay':
      case 'stale': {
        const lines = this.#again(nowS, kind);
        if (lines !== undefined) return { kind, lines };
        break;
      }
      case 'spoof':
        return { kind, lines: this.#plain(FIRST_MMSI + this.#rng.int(0, secured)) };
      case 'forged': {
        const attack = this.#rng.choice(ATTACKS);
        const round = craftRound(this.#craft, attack, FIRST_MMSI + this.#rng.int(0, secured), nowMs, this.#signatures, this.#rng.int(0, 16));
        return { kind, lines: round.flatMap((m) => m.lines) };
      }
      case 'incomplete': {
        const round = craftRound(this.#craft, 'inline', FIRST_MMSI + this.#rng.int(0, ships), nowMs, this.#signatures, this.#rng.int(0, 16));
        return { kind, lines: round.slice(0, 3).flatMap((m) => m.lines) };
      }
      case 'fuzz':
        return { kind, lines: this.#fuzz(nowS).lines };
      case 'plain':
        break;
    }
    return { kind: 'plain', lines: this.#plain(FIRST_MMSI + secured + this.#rng.int(0, ships - secured)) };
  }
}
