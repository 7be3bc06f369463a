/**
 * The simulated sea with the real appliance at every ship: the traffic of bench/sim, each vessel's own reports put
 * through its AppliancePipeline (the daemon's code) and a simulated transponder (BBM/ABM → messages 8/6), the VHF data
 * link model, and at a few observing stations the receiving half of the same pipeline, whose `$PMIBV` output is
 * checked against what was really sent.
 *
 * Only observers, the group members waiting for their key and the spoofer listen with a pipeline: a full receiver per
 * ship would verify every report N times (≈3.5 ms each), yet every receiver in range does the same work, so a few
 * observers measure it for all. The link model still places every station as a receiver (collisions, half duplex).
 */
import { performance } from 'node:perf_hooks';
import { AppliancePipeline } from '../../firmware/appliance-pipeline.js';
import { encodeGroupKeyGrant, KemPurpose } from '../../firmware/bodies.js';
import { slotsForPlainBits } from '../../firmware/capacity.js';
import { EMPTY_GROUP_POLICY, type GroupPolicy } from '../../firmware/group-policy.js';
import { GroupKeyRing, type GroupKey, type IdentityKind, type OwnIdentity } from '../../firmware/keyring.js';
import type { Mode } from '../../firmware/pipeline.js';
import { SecureTx, type TxOptions } from '../../firmware/secure-tx.js';
import { parseStatus, type Status } from '../../firmware/status.js';
import { pseudonymous } from '../../firmware/pseudonym.js';
import { MemoryNonceStore } from '../../hal/nonce-store-sim.js';
import { decodeAis, encodeAis, encodeVdm, SequentialId, type AisBits } from '../../nmea/index.js';
import {
  createRng, createTraffic, distanceM, NM, SLOT_MS, randomFleet, Scenario,
  type AisFields, type FleetConfig, type OutgoingMessage, type Reception, type StationSpec, type Traffic, type VdlConfig, type VdlCounters,
} from '../sim/index.js';
import { encodeFields } from './ais-fields.js';
import { BenchPkg, seededBytes } from './keys.js';
import { bitsOfLines, SimTransponder, type AirMessage } from './transponder.js';

/** 2026-01-01T00:00:00Z at simulated t = 0: the output never depends on the day it runs. */
export const EPOCH_MS = 1_767_225_600_000;
export const CENTRE = { lat: 57.7, lon: 11.6 } as const;

/**
 * One way of sending own-ship reports. The bench sweeps a list of these, so a new variant (the amortised
 * authentication of modes 2/3, say) is one more entry with its TxOptions.
 */
export interface ModeSpec {
  readonly label: string;
  readonly mode: Mode;
  readonly tx?: Partial<TxOptions>;
}

export const PLAIN: ModeSpec = { label: 'mode 1 plain', mode: 1 };
export const SIGNED: ModeSpec = { label: 'mode 2 signed', mode: 2 };
export const ANONYMOUS: ModeSpec = { label: 'mode 3 pseudonym', mode: 3 };
export const TO_VESSEL: ModeSpec = { label: 'mode 4 to vessel', mode: 4 };
export const GROUP: ModeSpec = { label: 'mode 5 group', mode: 5 };
export const ALL_MODES: readonly ModeSpec[] = [PLAIN, SIGNED, ANONYMOUS, TO_VESSEL, GROUP];

/** Mode 3's authority-issued pseudo-MMSI of a vessel (a block of its own, never a real ship's MMSI). */
export const pseudoOf = (mmsi: number): number => 970_000_000 + (mmsi % 1_000_000);

export interface Roles {
  /** How each vessel sends; vessels not listed and base stations send plain. */
  readonly modes: ReadonlyMap<number, ModeSpec>;
  /** Stations whose receiving pipeline is run and measured. */
  readonly observers: readonly number[];
  /** Destination of mode-4 reports. */
  readonly mode4To?: number;
  /**
   * Mode-5 group. With a leader, the leader holds the key and hands it out in mode 4 to the members, which send in
   * mode 2 until it arrives; without, every member and observer holds it from the start. `issuers` are the MMSIs
   * the authority lets hand out the group's keys: every member's group policy (docs/group-keys.md) names them, as
   * its permit would; a hand-out from anyone else is refused.
   */
  readonly group?: { readonly leader?: number; readonly members: readonly number[]; readonly issuers?: readonly number[] };
  /** A rogue radio at the station `mmsi` that claims to be `victim`: forged signatures, replays, plain reports. */
  readonly spoofer?: { readonly mmsi: number; readonly victim: number };
}

export interface WorldConfig {
  readonly seed: number;
  readonly fleet: Omit<FleetConfig, 'epochMs'>;
  readonly link: VdlConfig;
  readonly roles: (stations: readonly StationSpec[]) => Roles;
  /** Reuse extracted keys across runs. */
  readonly pkg?: BenchPkg;
  /** Ships sign one-shot rather than with prepared signers: for hundreds of ships in one process (keys.ts). */
  readonly oneShotSigners?: boolean;
}

/** What one observer made of what it heard from one source MMSI. */
export interface SourceTally {
  verified: number;
  decrypted: number;
  unverified: number;
  keys: number;
  failed: Record<string, number>;
}

export interface ObserverReport {
  readonly mmsi: number;
  /** By the source MMSI the status names; what the spoofer sent is kept apart under SPOOFED. */
  readonly bySource: Map<number, SourceTally>;
  /** Verified or decrypted content that the identity shown never sent. Must stay 0. */
  falseAccepts: number;
  /**
   * Secured reports from in-range senders meant for this observer, sent early enough to arrive before the end. The
   * spoofer's victim is counted apart (victimSent, victimAuthenticated): the rogue's fragments carry the victim's MMSI
   * and envelope group numbers, so they break some of its genuine reports in reassembly — an attack effect, not loss.
   */
  securedSent: number;
  victimSent: number;
  victimAuthenticated: number;
  /** … of which every fragment arrived intact. */
  reassembled: number;
  /** … of which the pipeline verified or decrypted. */
  authenticated: number;
  /** Σ (1-p)^fragments and Σ (1-p)^slots over those reports: the expected counts from slot loss alone. */
  expectedByFragments: number;
  expectedBySlots: number;
  /** Request → display, ms: simulated air time plus the measured CPU time of both pipelines. */
  readonly securedLatencyMs: number[];
  readonly plainLatencyMs: number[];
  /** Measured CPU time of the receiving pipeline, ms. */
  rxCpuMs: number;
  /** Ids of the reports shown as verified or decrypted. */
  readonly authenticReports: Set<number>;
}

export interface ModeTally {
  reports: number;
  airMessages: number;
  slots: number;
  /** Slots the same reports take when sent plain. */
  plainSlots: number;
  /** Reports the appliance sent plain because securing failed (no key yet): fail open. */
  failedOpen: number;
}

export interface WorldReport {
  readonly nowMs: number;
  readonly stations: readonly StationSpec[];
  readonly roles: Roles;
  readonly observers: readonly ObserverReport[];
  readonly byMode: ReadonlyMap<string, ModeTally>;
  readonly link: VdlCounters;
  /** Slots transmitted per channel as % of the slots elapsed (reused slots count each time). */
  readonly loadPercent: { readonly A: number; readonly B: number };
  /** Measured CPU time of all transmitting pipelines, ms. */
  readonly txCpuMs: number;
  readonly groupKeysHandedOut: number;
  readonly attacks: { forged: number; replayed: number; plain: number };
}

interface Payload {
  readonly air: AirMessage;
  readonly reportId: number;
  /** The physical transmitter. */
  readonly sender: number;
}

interface SentReport {
  readonly t0: number;
  readonly sender: number;
  readonly fragments: number;
  readonly slots: number;
  readonly secured: boolean;
  readonly destination?: number;
  /** CPU time of the sender's pipeline for this report, ms. */
  readonly txCpuMs: number;
}

/** Reports from the last seconds of a run may still be on the air: the selection interval is 2 s, plus fragments. */
const IN_FLIGHT_MS = 4_000;
/** The leader repeats a hand-out to a member it has not yet heard in mode 5 after this long (no acknowledgement). */
const HAND_OUT_RETRY_MS = 20_000;
/**
 * The spoofer replays the newest of the victim's secured reports at least this old: inside the 30-s freshness window,
 * so only the replay guard can stop it (an older one fails the freshness check or, past 32 s, the signature).
 */
const REPLAY_AGE_MS = 8_000;
/** Replayable reports the spoofer keeps. */
const CAPTURE_LIMIT = 32;
const GROUP_KEY_ID = 5;
const GROUP_ID = 1;
/** Contents shown with a `P` (pending) status, kept until a later `V` vouches for them without repeating the VDM. */
const PENDING_LIMIT = 4096;
/** 3 NM north (0.05° in 1/10000 minute): where the spoofer claims its victim is. */
const SPOOF_OFFSET_LAT = 30_000;

/** bySource key of everything the spoofer's radio sent, whatever MMSI it claimed. */
export const SPOOFED = -1;

const emptyTally = (): SourceTally => ({ verified: 0, decrypted: 0, unverified: 0, keys: 0, failed: {} });
/** Identity and content of a report; the encoder's buffer may be longer than the message, so only its bytes count. */
const bitsKey = (identity: number, bits: AisBits): string =>
  `${identity}|${bits.bitLength}|${Buffer.from(bits.bytes.subarray(0, Math.ceil(bits.bitLength / 8))).toString('hex')}`;

/** Breaks the checksum of the first sentence: how a receiver sees a message received with bit errors. */
function corrupt(lines: readonly string[]): string[] {
  const [first, ...rest] = lines;
  if (first === undefined) return [];
  const star = first.lastIndexOf('*');
  const hex = first.slice(star + 1, star + 3);
  const flipped = ((Number.parseInt(hex, 16) ^ 0x01) & 0xff).toString(16).toUpperCase().padStart(2, '0');
  return [`${first.slice(0, star + 1)}${flipped}${first.slice(star + 3)}`, ...rest];
}

/** The q-quantile (0..1) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

export class World {
  readonly stations: readonly StationSpec[];
  readonly roles: Roles;
  readonly pkg: BenchPkg;
  private readonly traffic: Traffic;
  private readonly scenario: Scenario<Payload>;
  private readonly pipelines = new Map<number, AppliancePipeline>();
  private readonly transponders = new Map<number, SimTransponder>();
  private readonly observers = new Map<number, ObserverReport>();
  /** Told every line an observer's pipeline hands its display (the status page of `bench demo --serve`). */
  onDisplay: ((observer: number, lines: readonly string[], nowMs: number) => void) | undefined;
  private readonly authentic = new Map<string, number>();
  private readonly reports: SentReport[] = [];
  private readonly received = new Map<number, Map<number, number>>();
  private readonly byMode = new Map<string, ModeTally>();
  private readonly ownSeq = new SequentialId();
  private readonly groupMembers: ReadonlySet<number>;
  private readonly lastHandOut = new Map<number, number>();
  private readonly heardInGroup = new Set<number>();
  private readonly captured: { t0: number; air: AirMessage[] }[] = [];
  private readonly capturing = new Map<number, { t0: number; air: AirMessage[] }>();
  private readonly rogue: SecureTx | undefined;
  private readonly identities: OwnIdentity[] = [];
  private readonly pendingShown = new Map<string, readonly string[]>();
  private attackTurn = 0;
  private txCpuMs = 0;
  private groupKeysHandedOut = 0;
  private readonly attacks = { forged: 0, replayed: 0, plain: 0 };

  constructor(private readonly config: WorldConfig) {
    const rng = createRng(config.seed);
    this.stations = randomFleet(rng.fork(1), { ...config.fleet, epochMs: EPOCH_MS });
    this.traffic = createTraffic({ centre: CENTRE, areaRadiusNm: config.fleet.areaRadiusNm, epochMs: EPOCH_MS, stations: this.stations }, rng.fork(2));
    this.roles = config.roles(this.stations);
    this.pkg = config.pkg ?? new BenchPkg(String(config.seed), EPOCH_MS, EPOCH_MS + 3_600_000);
    const group = this.roles.group;
    this.groupMembers = new Set(group?.members ?? []);
    for (const s of this.stations) this.setUp(s.mmsi);
    for (const o of this.roles.observers) {
      this.observers.set(o, {
        mmsi: o, bySource: new Map(), falseAccepts: 0, securedSent: 0, victimSent: 0, victimAuthenticated: 0, reassembled: 0, authenticated: 0,
        expectedByFragments: 0, expectedBySlots: 0, securedLatencyMs: [], plainLatencyMs: [], rxCpuMs: 0, authenticReports: new Set(),
      });
      this.received.set(o, new Map());
    }
    const spoofer = this.roles.spoofer;
    // The rogue signs with its own (valid) key while claiming the victim's MMSI: what a stolen-identity attack can do.
    this.rogue = spoofer && new SecureTx({ mode: 2, emit: 'vdm', ownShip: 'any' }, { params: this.pkg.params, identity: this.identity(spoofer.mmsi, 'mmsi', true) }, seededBytes(`rogue ${config.seed}`));
    this.scenario = new Scenario<Payload>({
      traffic: this.traffic,
      link: config.link,
      rng: rng.fork(3),
      hooks: {
        onTransmit: (req, ctx) => {
          const spoofer = this.roles.spoofer;
          // The rogue radio keeps quiet on its own schedule and strikes whenever its victim reports.
          if (spoofer?.mmsi === req.mmsi) return [];
          if (spoofer?.victim === req.mmsi) ctx.transmit(spoofer.mmsi, this.attack(req.fields, req.t));
          return this.transmit(req.mmsi, req.t, req.fields, ctx.now);
        },
        onReceive: (r) => this.receive(r),
      },
    });
  }

  private identity(mmsi: number, kind: IdentityKind, signs: boolean): OwnIdentity {
    const id = this.pkg.identity(mmsi, kind, { oneShot: this.config.oneShotSigners === true, prepare: signs });
    this.identities.push(id);
    return id;
  }

  /** Wipes every identity of the run and lets their prepared tables go. */
  destroy(): void {
    for (const id of this.identities) id.destroy();
    this.identities.length = 0;
  }

  private modeOf(mmsi: number): ModeSpec {
    return this.roles.modes.get(mmsi) ?? PLAIN;
  }

  private groupKey(): GroupKey & { groupId: number } {
    // Each holder gets its own copy: a key ring wipes the keys it evicts.
    return { groupId: GROUP_ID, keyId: GROUP_KEY_ID, key: seededBytes(`group ${this.config.seed}`)(16), notBefore: EPOCH_MS / 1000 - 3600, notAfter: EPOCH_MS / 1000 + 6 * 3600 };
  }

  /** What the authority's permit tells a member of the group: it sends in the group; the issuers may hand out keys. */
  private groupPolicy(mmsi: number): GroupPolicy {
    const group = this.roles.group;
    if (group === undefined || !this.groupMembers.has(mmsi)) return EMPTY_GROUP_POLICY;
    const term = { notBefore: EPOCH_MS / 1000 - 86_400, notAfter: EPOCH_MS / 1000 + 30 * 86_400 };
    return { groups: [{ groupId: GROUP_ID, member: true, ...term, issuers: (group.issuers ?? []).map((i) => ({ mmsi: i, ...term })) }] };
  }

  private setUp(mmsi: number): void {
    this.transponders.set(mmsi, new SimTransponder(mmsi));
    const spec = this.modeOf(mmsi);
    const group = this.roles.group;
    const isObserver = this.roles.observers.includes(mmsi);
    const needsPipeline = spec.mode !== 1 || isObserver || this.groupMembers.has(mmsi) || group?.leader === mmsi;
    if (!needsPipeline) return;
    const groupKeys = new GroupKeyRing(this.groupPolicy(mmsi));
    const holdsKey = group !== undefined && (group.leader === undefined ? this.groupMembers.has(mmsi) || isObserver : group.leader === mmsi);
    if (holdsKey) groupKeys.add(this.groupKey());
    const waitsForKey = group?.leader !== undefined && this.groupMembers.has(mmsi) && group.leader !== mmsi;
    const mode = waitsForKey ? 2 : spec.mode;
    const to = spec.mode === 4 ? this.roles.mode4To : undefined;
    const p = new AppliancePipeline(
      {
        // A pseudonym hides the ship only on a radio the appliance drives (VDM); the simulation's clock is trusted.
        tx: { ...spec.tx, mode, emit: spec.mode === 3 ? 'vdm' : 'bbm', ownShip: 'vdo', timeTrusted: true, ...(to === undefined ? {} : { to }) },
        rx: { clockTrusted: true },
      },
      {
        params: this.pkg.params,
        identity: this.identity(mmsi, 'mmsi', mode === 2 || mode === 4 || group?.leader === mmsi),
        ...(spec.mode === 3 ? { pseudo: this.identity(pseudoOf(mmsi), 'pseudo-mmsi', true) } : {}),
        groupKeys,
        nonceState: new MemoryNonceStore(),
      },
      seededBytes(`nonce ${this.config.seed} ${mmsi}`),
    );
    // A member switches to group encryption as soon as its key is installed.
    if (waitsForKey) p.rx.onGroupKey = () => p.setMode(5);
    this.pipelines.set(mmsi, p);
  }

  private tally(label: string): ModeTally {
    let t = this.byMode.get(label);
    if (t === undefined) {
      t = { reports: 0, airMessages: 0, slots: 0, plainSlots: 0, failedOpen: 0 };
      this.byMode.set(label, t);
    }
    return t;
  }

  /** One own-ship report of `mmsi` at simulated time t: through its appliance and transponder onto the air. */
  private transmit(mmsi: number, t: number, fields: AisFields, now: number): OutgoingMessage<Payload>[] {
    const bits = encodeFields(fields);
    const pipeline = this.pipelines.get(mmsi);
    const transponder = this.transponders.get(mmsi) as SimTransponder;
    const nowMs = EPOCH_MS + t;
    const vdo = encodeVdm(bits, { formatter: 'VDO', channel: '', seqId: this.ownSeq.next() });
    let radio: string[] = vdo;
    let cpu = 0;
    let failedOpen = false;
    let label = PLAIN.label;
    if (pipeline !== undefined) {
      const failedBefore = pipeline.tx.counters.failed;
      const start = performance.now();
      radio = vdo.flatMap((l) => pipeline.fromShip(l, nowMs)).map((o) => o.line);
      cpu = performance.now() - start;
      failedOpen = pipeline.tx.counters.failed > failedBefore;
      const spec = this.modeOf(mmsi);
      // A group member still waiting for its key signs in mode 2: count its reports there.
      label = pipeline.mode === spec.mode ? spec.label : (ALL_MODES.find((m) => m.mode === pipeline.mode) as ModeSpec).label;
    }
    this.txCpuMs += cpu;
    const air = transponder.push(radio, nowMs);
    const mode = pipeline?.mode ?? 1;
    const secured = mode !== 1 && !failedOpen;
    this.register(mmsi, bits, t, mode);
    const tally = this.tally(label);
    tally.reports++;
    tally.airMessages += air.length;
    tally.slots += air.reduce((n, a) => n + a.slots, 0);
    tally.plainSlots += air.length === 0 ? 0 : slotsForPlainBits(bits.bitLength);
    if (failedOpen) tally.failedOpen++;
    const out = this.send(mmsi, t, air, secured, cpu, mode === 4 ? this.roles.mode4To : undefined);
    if (this.roles.group?.leader === mmsi) out.push(...this.handOut(now));
    return out;
  }

  private send(sender: number, t0: number, air: readonly AirMessage[], secured: boolean, txCpuMs: number, destination?: number): OutgoingMessage<Payload>[] {
    const reportId = this.reports.length;
    this.reports.push({
      t0, sender, fragments: air.length, slots: air.reduce((n, a) => n + a.slots, 0), secured, txCpuMs,
      ...(destination === undefined ? {} : { destination }),
    });
    return air.map((a) => ({ slots: a.slots, channel: a.channel, payload: { air: a, reportId, sender } }));
  }

  /** What a receiver may show as authentic for this report: under the MMSI, or the pseudonymous form in mode 3. */
  private register(mmsi: number, bits: AisBits, t0: number, mode: Mode): void {
    if (mode === 3) {
      const pseudo = pseudoOf(mmsi);
      this.authentic.set(bitsKey(pseudo, pseudonymous(bits, decodeAis(bits).type, pseudo)), t0);
    } else {
      this.authentic.set(bitsKey(mmsi, bits), t0);
    }
  }

  /** Mode-4 hand-outs of the group key from the leader to members not yet heard in mode 5. */
  private handOut(now: number): OutgoingMessage<Payload>[] {
    const group = this.roles.group;
    if (group?.leader === undefined) return [];
    const leader = group.leader;
    const pipeline = this.pipelines.get(leader) as AppliancePipeline;
    const out: OutgoingMessage<Payload>[] = [];
    for (const member of group.members) {
      if (member === leader || this.heardInGroup.has(member)) continue;
      const last = this.lastHandOut.get(member);
      if (last !== undefined && now - last < HAND_OUT_RETRY_MS) continue;
      this.lastHandOut.set(member, now);
      const nowMs = EPOCH_MS + now;
      const grant = encodeGroupKeyGrant({ ...this.groupKey(), issuer: leader, recipient: member });
      const start = performance.now();
      const lines = pipeline.tx.sealToVessel(member, KemPurpose.GroupKey, { bytes: grant, fill: 0 }, leader, Math.floor(nowMs / 1000));
      const cpu = performance.now() - start;
      this.txCpuMs += cpu;
      const air = (this.transponders.get(leader) as SimTransponder).push(lines, nowMs);
      const tally = this.tally('mode 4 key hand-out');
      tally.reports++;
      tally.airMessages += air.length;
      tally.slots += air.reduce((n, a) => n + a.slots, 0);
      this.groupKeysHandedOut++;
      out.push(...this.send(leader, now, air, true, cpu, member));
    }
    return out;
  }

  /**
   * The spoofer answers each of the victim's reports with a forged one (its own valid key, the victim's MMSI, a
   * position 3 NM off), and in turn either replays a captured secured report of the victim or sends a plain report.
   */
  private attack(fields: AisFields, t: number): OutgoingMessage<Payload>[] {
    const { mmsi, victim } = this.roles.spoofer as { mmsi: number; victim: number };
    const transponder = this.transponders.get(mmsi) as SimTransponder;
    const moved = 'lat' in fields ? { ...fields, lat: fields.lat + SPOOF_OFFSET_LAT } : fields;
    const claimed = encodeFields(moved);
    const lines = (this.rogue as SecureTx).secure(claimed, victim, fields.type, EPOCH_MS + t);
    this.attacks.forged++;
    const channel = this.attackTurn % 2 === 0 ? 'A' : 'B';
    const out = this.send(mmsi, t, this.rawAir(transponder, lines, channel), true, 0);
    const replay = [...this.captured].reverse().find((c) => c.t0 <= t - REPLAY_AGE_MS);
    if (this.attackTurn++ % 2 === 0 && replay !== undefined) {
      this.captured.splice(this.captured.indexOf(replay), 1);
      this.attacks.replayed++;
      out.push(...this.send(mmsi, t, replay.air, true, 0));
    } else {
      this.attacks.plain++;
      out.push(...this.send(mmsi, t, [transponder.raw(claimed, channel)], false, 0));
    }
    return out;
  }

  private rawAir(transponder: SimTransponder, lines: readonly string[], channel: 'A' | 'B'): AirMessage[] {
    const out: AirMessage[] = [];
    let group: string[] = [];
    for (const l of lines) {
      group.push(l);
      const parts = l.split(',');
      if (parts[1] === parts[2]) {
        out.push(transponder.raw(bitsOfLines(group), channel));
        group = [];
      }
    }
    return out;
  }

  private receive(r: Reception<Payload>): void {
    const { air, reportId, sender } = r.payload;
    const observer = this.observers.get(r.receiver);
    if (observer !== undefined) {
      this.observe(observer, r);
      return;
    }
    const spoofer = this.roles.spoofer;
    if (spoofer?.mmsi === r.receiver && sender === spoofer.victim && !r.corrupted && air.type === 8) this.capture(reportId, air);
    const pipeline = this.pipelines.get(r.receiver);
    // Members waiting for the group key listen for what is addressed to them; nothing else changes their state.
    if (pipeline !== undefined && air.destination === r.receiver) {
      for (const l of r.corrupted ? corrupt(air.lines) : air.lines) pipeline.fromRadio(l, EPOCH_MS + r.t);
    }
  }

  private capture(reportId: number, air: AirMessage): void {
    const report = this.reports[reportId] as SentReport;
    let c = this.capturing.get(reportId);
    if (c === undefined) {
      c = { t0: report.t0, air: [] };
      this.capturing.set(reportId, c);
    }
    c.air.push(air);
    if (c.air.length === report.fragments) {
      this.capturing.delete(reportId);
      this.captured.push(c);
      if (this.captured.length > CAPTURE_LIMIT) this.captured.shift();
    }
    // Fragments of reports that never complete are not kept for ever.
    if (this.capturing.size > CAPTURE_LIMIT) this.capturing.delete(this.capturing.keys().next().value as number);
  }

  private observe(o: ObserverReport, r: Reception<Payload>): void {
    const { air, reportId } = r.payload;
    const pipeline = this.pipelines.get(o.mmsi) as AppliancePipeline;
    const nowMs = EPOCH_MS + r.t;
    if (!r.corrupted) {
      const got = this.received.get(o.mmsi) as Map<number, number>;
      got.set(reportId, (got.get(reportId) ?? 0) + 1);
    }
    const start = performance.now();
    const out = (r.corrupted ? corrupt(air.lines) : air.lines).flatMap((l) => pipeline.fromRadio(l, nowMs)).map((x) => x.line);
    const cpu = performance.now() - start;
    this.onDisplay?.(o.mmsi, out, nowMs);
    o.rxCpuMs += cpu;
    let shown: string[] = [];
    for (const line of out) {
      if (!line.startsWith('$PMIBV')) {
        shown.push(line);
        continue;
      }
      const status = parseStatus(line) as Status;
      this.count(o, status, shown, r.t, cpu, reportId, r.sender === this.roles.spoofer?.mmsi);
      shown = [];
    }
  }

  private count(o: ObserverReport, s: Status, shown: readonly string[], t: number, cpu: number, reportId: number, spoofed: boolean): void {
    const key = spoofed && s.source === this.roles.spoofer?.victim ? SPOOFED : s.source;
    let tally = o.bySource.get(key);
    if (tally === undefined) {
      tally = emptyTally();
      o.bySource.set(key, tally);
    }
    const pendingKey = `${o.mmsi}|${s.source}|${s.messageType}|${s.second}`;
    switch (s.result) {
      case 'V':
      case 'D': {
        if (s.result === 'V') tally.verified++;
        else tally.decrypted++;
        if (s.mode === 5) this.groupHeard(o.mmsi, s.source);
        // Deferred authentication (a batch signature) may vouch for content shown earlier under `P`.
        const content = shown.length > 0 ? shown : this.pendingShown.get(pendingKey);
        this.pendingShown.delete(pendingKey);
        const t0 = content === undefined ? undefined : this.authentic.get(bitsKey(s.identity ?? s.source, bitsOfLines(content)));
        if (t0 === undefined) {
          o.falseAccepts++;
          return;
        }
        // A replay the observer had not seen is genuine content, but its delay is the attacker's, not the link's.
        if (spoofed) return;
        const report = this.reports[reportId] as SentReport;
        o.authenticReports.add(reportId);
        o.securedLatencyMs.push(t - t0 + cpu + report.txCpuMs);
        return;
      }
      case 'U':
        tally.unverified++;
        o.plainLatencyMs.push(t - (this.reports[reportId] as SentReport).t0 + cpu);
        return;
      case 'K':
        tally.keys++;
        return;
      case 'F':
        tally.failed[s.reason ?? 'UNKNOWN'] = (tally.failed[s.reason ?? 'UNKNOWN'] ?? 0) + 1;
        return;
      case 'P':
        if (shown.length === 0) return;
        this.pendingShown.set(pendingKey, shown);
        if (this.pendingShown.size > PENDING_LIMIT) this.pendingShown.delete(this.pendingShown.keys().next().value as string);
        return;
    }
  }

  private groupHeard(observer: number, source: number): void {
    if (observer === this.roles.group?.leader) this.heardInGroup.add(source);
  }

  get nowMs(): number {
    return this.scenario.now;
  }

  /** Runs the simulation up to tEnd (ms since the start). */
  runUntil(tEnd: number): void {
    this.scenario.runUntil(tEnd);
  }

  /** The measurements so far; the per-report link statistics count reports sent up to IN_FLIGHT_MS before now. */
  report(): WorldReport {
    const now = this.scenario.now;
    const p = this.config.link.slotLossP;
    const rangeM = this.config.link.rangeNm * NM;
    for (const o of this.observers.values()) {
      o.securedSent = o.reassembled = o.authenticated = o.expectedByFragments = o.expectedBySlots = o.victimSent = o.victimAuthenticated = 0;
      const got = this.received.get(o.mmsi) as Map<number, number>;
      for (const [id, rep] of this.reports.entries()) {
        if (!rep.secured || rep.t0 > now - IN_FLIGHT_MS || rep.sender === o.mmsi) continue;
        if (rep.sender === this.roles.spoofer?.mmsi) continue;
        if (rep.destination !== undefined && rep.destination !== o.mmsi) continue;
        const a = this.traffic.positionAt(rep.sender, rep.t0);
        const b = this.traffic.positionAt(o.mmsi, rep.t0);
        if (a === undefined || b === undefined || distanceM(a, b) > rangeM) continue;
        if (rep.sender === this.roles.spoofer?.victim) {
          o.victimSent++;
          if (o.authenticReports.has(id)) o.victimAuthenticated++;
          continue;
        }
        o.securedSent++;
        o.expectedByFragments += (1 - p) ** rep.fragments;
        o.expectedBySlots += (1 - p) ** rep.slots;
        if ((got.get(id) ?? 0) >= rep.fragments) o.reassembled++;
        if (o.authenticReports.has(id)) o.authenticated++;
      }
    }
    const link = this.scenario.vdl.counters();
    // Slots taken per slot elapsed, so a run shorter than a frame (one minute) still gives the channel's load.
    const load = (ch: 'A' | 'B') => (now === 0 ? 0 : (100 * link.slotsTransmitted[ch] * SLOT_MS) / now);
    return {
      nowMs: now, stations: this.stations, roles: this.roles, observers: [...this.observers.values()], byMode: this.byMode,
      link, loadPercent: { A: load('A'), B: load('B') }, txCpuMs: this.txCpuMs,
      groupKeysHandedOut: this.groupKeysHandedOut, attacks: { ...this.attacks },
    };
  }
}
