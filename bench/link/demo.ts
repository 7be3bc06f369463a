/**
 * The main demo (`make run`): 60 simulated seconds off Göteborg with the real appliance at every ship. Merchant ships
 * sign in mode 2, a blue-force group encrypts in mode 5 after its leader hands out the key in mode 4, one ship sails
 * under a pseudonym in mode 3, yachts and base stations stay plain, and a rogue radio impersonates a merchant ship.
 * Three stations listen with the full receiving pipeline; the summary says what each was shown and why it rejected
 * the rest. Everything is simulated and seeded: no hardware, same output on every run (apart from CPU times).
 */
import type { StationSpec, VesselSpec } from '../sim/index.js';
import { ALL_MODES, ANONYMOUS, GROUP, pseudoOf, SIGNED, SPOOFED, World, type ObserverReport, type Roles, type SourceTally, type WorldReport } from './world.js';

export interface DemoOptions {
  readonly seed: number;
  readonly seconds: number;
  readonly classA: number;
  readonly classB: number;
  readonly slotLossP: number;
  /** Progress line every this many simulated seconds. */
  readonly stepSeconds: number;
  /** Told every line the coast station's pipeline hands its display, at simulated UTC ms (`bench demo --serve`). */
  readonly onCoastDisplay?: (line: string, nowMs: number) => void;
}

export const DEFAULT_DEMO: DemoOptions = { seed: 1, seconds: 60, classA: 40, classB: 10, slotLossP: 0.05, stepSeconds: 10 };

/** Plain words for the receiver's reason codes (firmware/secure-rx.ts RejectReason, docs/display-output.md). */
const REASONS: Readonly<Record<string, string>> = {
  BAD_SIGNATURE: 'signature does not match the MMSI it claims',
  REPLAY: 'a copy of a message already accepted',
  STALE: 'outside the ±30 s freshness window',
  WRONG_SENDER: 'a report signed for another MMSI',
  NO_GROUP_KEY: 'group-encrypted, and this station is not in the group',
  BAD_TAG: 'encrypted content fails its authentication tag',
  FRAGMENT_EXPIRED: 'a fragment was lost on the air; incomplete message dropped',
  FRAGMENT_CONFLICT: 'fragments of two messages mixed up; dropped',
  FRAGMENT_EVICTED: 'over 4 incomplete messages from one sender; oldest dropped',
  MALFORMED: 'not a valid secured message',
  UNTRUSTED_KEY_ISSUER: 'group key from a station not allowed to issue keys',
  NOT_A_MEMBER: 'group key for a group this station is not in',
  WRONG_ISSUER: 'group key naming another issuer than its signer',
  WRONG_RECIPIENT: 'group key handed out to another vessel',
  GRANT_OUTSIDE_VALIDITY: 'group key outside its group\'s validity',
  KEY_SUPERSEDED: 'an older group key than one already held',
};

interface Cast {
  readonly leader: VesselSpec;
  readonly members: readonly VesselSpec[];
  readonly anonymous: VesselSpec;
  readonly victim: VesselSpec;
  readonly merchant: VesselSpec;
  readonly rogue: VesselSpec;
  readonly coast: StationSpec;
}

function cast(stations: readonly StationSpec[]): Cast {
  const a = stations.filter((s): s is VesselSpec => s.kind === 'A');
  const b = stations.filter((s): s is VesselSpec => s.kind === 'B');
  const coast = stations.find((s) => s.kind === 'base');
  if (a.length < 8 || b.length < 1 || coast === undefined) throw new RangeError('the demo needs ≥ 8 Class A ships, ≥ 1 Class B and a base station');
  return { leader: a[0]!, members: a.slice(1, 4), anonymous: a[4]!, victim: a[5]!, merchant: a[6]!, rogue: b[0]!, coast };
}

function roles(stations: readonly StationSpec[]): Roles {
  const c = cast(stations);
  const modes = new Map<number, (typeof ALL_MODES)[number]>();
  for (const s of stations) if (s.kind === 'A') modes.set(s.mmsi, SIGNED);
  for (const s of [c.leader, ...c.members]) modes.set(s.mmsi, GROUP);
  modes.set(c.anonymous.mmsi, ANONYMOUS);
  return {
    modes,
    observers: [c.coast.mmsi, c.merchant.mmsi, c.leader.mmsi],
    // The authority authorises the leader, and only the leader, to hand out the blue force's keys.
    group: { leader: c.leader.mmsi, members: [c.leader, ...c.members].map((s) => s.mmsi), issuers: [c.leader.mmsi] },
    spoofer: { mmsi: c.rogue.mmsi, victim: c.victim.mmsi },
  };
}

const mmsiText = (n: number) => String(n).padStart(9, '0');
const name = (s: StationSpec) => (s.kind === 'base' ? 'base station' : s.static.shipname.trim());
const sum = (ts: Iterable<SourceTally>, f: (t: SourceTally) => number) => [...ts].reduce((n, t) => n + f(t), 0);
const failures = (t: SourceTally) => Object.values(t.failed).reduce((n, v) => n + v, 0);

function cell(ts: readonly SourceTally[]): string {
  const parts: string[] = [];
  const v = sum(ts, (t) => t.verified);
  const d = sum(ts, (t) => t.decrypted);
  const u = sum(ts, (t) => t.unverified);
  const f = sum(ts, failures);
  const k = sum(ts, (t) => t.keys);
  if (v) parts.push(`V ${v}`);
  if (d) parts.push(`D ${d}`);
  if (k) parts.push(`K ${k}`);
  if (u) parts.push(`U ${u}`);
  if (f) parts.push(`F ${f}`);
  return parts.length === 0 ? '-' : parts.join(' ');
}

function progressLine(r: WorldReport, observerNames: ReadonlyMap<number, string>): string {
  const reports = [...r.byMode.values()].reduce((n, t) => n + t.reports, 0);
  const obs = r.observers.map((o) => {
    const ts = [...o.bySource.values()];
    return `${observerNames.get(o.mmsi)}: ${sum(ts, (t) => t.verified + t.decrypted)} ok, ${sum(ts, failures)} rejected`;
  });
  return `  t=${String(Math.round(r.nowMs / 1000)).padStart(3)} s  ${String(reports).padStart(4)} reports  load A ${r.loadPercent.A.toFixed(1)} % B ${r.loadPercent.B.toFixed(1)} %  | ${obs.join(' | ')}`;
}

/** Runs the demo, writing its lines through `write`; returns the final report (the CI test checks it). */
export function runDemo(options: Partial<DemoOptions> = {}, write: (line: string) => void = console.log): { report: WorldReport; cast: Cast } {
  const o = { ...DEFAULT_DEMO, ...options };
  const link = { rangeNm: 40, slotLossP: o.slotLossP, corruptionP: 0.001 };
  write(`mibc-ais demo: ${o.seconds} simulated seconds off Göteborg with the secure-AIS appliance at every ship (seed ${o.seed})`);
  write('setting up: key generation centre, identity keys for every ship, the fleet …');
  const world = new World({ seed: o.seed, fleet: { classA: o.classA, classB: o.classB, baseStations: 2, areaRadiusNm: 15 }, link, roles });
  const c = cast(world.stations);
  const onCoast = o.onCoastDisplay;
  if (onCoast !== undefined) {
    world.onDisplay = (observer, lines, nowMs) => {
      if (observer === c.coast.mmsi) for (const line of lines) onCoast(line, nowMs);
    };
  }
  const observerNames = new Map<number, string>([
    [c.coast.mmsi, 'coast station'],
    [c.merchant.mmsi, 'merchant ship'],
    [c.leader.mmsi, 'blue leader'],
  ]);
  const signed = world.stations.filter((s) => world.roles.modes.get(s.mmsi) === SIGNED).length;
  write('');
  write(`${world.stations.length} stations within 15 NM; VHF range ${link.rangeNm} NM, ${(100 * o.slotLossP).toFixed(0)} % slot loss, ${(100 * link.corruptionP).toFixed(1)} % corrupted`);
  write(`  mode 2 signed      ${signed} merchant ships`);
  write(`  mode 5 group       blue force: leader ${mmsiText(c.leader.mmsi)} ${name(c.leader)} + ${c.members.length} members; they sign in mode 2 until the leader's mode-4 key hand-out arrives`);
  write(`  mode 3 pseudonym   ${mmsiText(c.anonymous.mmsi)} ${name(c.anonymous)}, shown as ${mmsiText(pseudoOf(c.anonymous.mmsi))}`);
  write(`  mode 1 plain       ${o.classB - 1} yachts and 2 base stations (no appliance)`);
  write(`  spoofer            a rogue radio at ${mmsiText(c.rogue.mmsi)}'s position claiming to be ${mmsiText(c.victim.mmsi)} ${name(c.victim)}`);
  write(`  listening with the full pipeline: coast station ${mmsiText(c.coast.mmsi)}, merchant ship ${mmsiText(c.merchant.mmsi)}, blue leader ${mmsiText(c.leader.mmsi)}`);
  write('');
  for (let t = o.stepSeconds; t <= o.seconds; t += o.stepSeconds) {
    world.runUntil(t * 1000);
    write(progressLine(world.report(), observerNames));
  }
  const r = world.report();
  write('');
  write(summary(r, c, observerNames).join('\n'));
  return { report: r, cast: c };
}

function summary(r: WorldReport, c: Cast, observerNames: ReadonlyMap<number, string>): string[] {
  const out: string[] = [];
  const at = (o: ObserverReport, keys: readonly number[]) => keys.map((k) => o.bySource.get(k)).filter((t): t is SourceTally => t !== undefined);
  const merchants = r.stations.filter((s) => r.roles.modes.get(s.mmsi) === SIGNED && s.mmsi !== c.victim.mmsi).map((s) => s.mmsi);
  const plain = r.stations.filter((s) => !r.roles.modes.has(s.mmsi) && s.mmsi !== c.rogue.mmsi).map((s) => s.mmsi);
  const rows: [string, readonly number[]][] = [
    [`merchant ships, mode 2 (${merchants.length})`, merchants],
    [`blue force, mode 5 (${1 + c.members.length})`, [c.leader.mmsi, ...c.members.map((m) => m.mmsi)]],
    [`pseudonym ${mmsiText(pseudoOf(c.anonymous.mmsi))}, mode 3`, [pseudoOf(c.anonymous.mmsi), c.anonymous.mmsi]],
    [`yachts, base stations, plain (${plain.length})`, plain],
    [`${mmsiText(c.victim.mmsi)} itself, mode 2`, [c.victim.mmsi]],
    [`"${mmsiText(c.victim.mmsi)}" from the spoofer`, [SPOOFED]],
  ];
  const width = 40;
  const colWidth = 26;
  out.push('=== SUMMARY: what each listening station was shown ===');
  out.push('V verified signature · D decrypted · K group key installed · U plain, nothing vouches for it · F rejected (never shown as content)');
  out.push(`${'sender'.padEnd(width)}${r.observers.map((o) => (observerNames.get(o.mmsi) ?? mmsiText(o.mmsi)).padEnd(colWidth)).join('')}`);
  for (const [label, keys] of rows) {
    out.push(`${label.padEnd(width)}${r.observers.map((o) => cell(at(o, keys)).padEnd(colWidth)).join('')}`);
  }
  out.push('');
  out.push('Rejected, and why:');
  for (const o of r.observers) {
    const byReason = new Map<string, { n: number; from: Set<string> }>();
    for (const [src, t] of o.bySource) {
      for (const [reason, n] of Object.entries(t.failed)) {
        const e = byReason.get(reason) ?? { n: 0, from: new Set<string>() };
        e.n += n;
        e.from.add(src === SPOOFED ? 'spoofer' : src === c.victim.mmsi ? 'victim' : r.roles.group?.members.includes(src) ? 'blue force' : 'others');
        byReason.set(reason, e);
      }
    }
    const list = [...byReason.entries()].sort((x, y) => y[1].n - x[1].n);
    out.push(`  ${observerNames.get(o.mmsi)} ${mmsiText(o.mmsi)}:${list.length === 0 ? ' nothing' : ''}`);
    for (const [reason, e] of list) {
      out.push(`    ${String(e.n).padStart(4)} ${reason.padEnd(18)} ${(REASONS[reason] ?? '').padEnd(58)} from ${[...e.from].join(', ')}`);
    }
  }
  out.push('');
  const fa = r.observers.reduce((n, o) => n + o.falseAccepts, 0);
  const spoofOk = r.observers.reduce((n, o) => n + (o.bySource.get(SPOOFED)?.verified ?? 0) + (o.bySource.get(SPOOFED)?.decrypted ?? 0), 0);
  out.push(
    `Spoofer: ${r.attacks.forged} forged signatures, ${r.attacks.replayed} replays, ${r.attacks.plain} plain reports as ${mmsiText(c.victim.mmsi)}; ` +
      `its plain reports are shown only as U (unverified).`,
  );
  out.push(
    `  accepted: ${spoofOk}${spoofOk > 0 && fa === 0 ? " — each carried a genuine report of the victim that the station had missed, replayed inside the 30-s window; none was a forgery" : ''}.`,
  );
  const victimRow = r.observers.map((o) => o.bySource.get(c.victim.mmsi)).filter((t): t is SourceTally => t !== undefined);
  if (sum(victimRow, failures) > 0) {
    out.push(
      `  ${mmsiText(c.victim.mmsi)}'s own reports rejected at the stations: ${sum(victimRow, failures)} (lost fragments, or forged fragments under its MMSI ` +
        'that receivers try and discard beside the genuine ones: at worst a denial of service, never a forgery).',
    );
  }
  out.push(`False accepts (content shown as verified/decrypted that its claimed sender never sent): ${fa}`);
  out.push(`Group key: ${r.groupKeysHandedOut} mode-4 hand-outs sent by the leader; members switch to mode 5 once theirs arrives.`);
  out.push('');
  out.push('Slot cost per secured report (measured on the simulated air):');
  out.push('  mode                    reports  AIS msgs  slots  slots/report  × plain');
  for (const [label, t] of [...r.byMode.entries()].sort((x, y) => x[0].localeCompare(y[0]))) {
    const ratio = t.plainSlots > 0 ? (t.slots / t.plainSlots).toFixed(2) : '-';
    out.push(`  ${label.padEnd(22)}  ${String(t.reports).padStart(7)}  ${String(t.airMessages).padStart(8)}  ${String(t.slots).padStart(5)}  ${(t.slots / Math.max(1, t.reports)).toFixed(2).padStart(12)}  ${ratio.padStart(7)}`);
  }
  out.push(`Channel load: A ${r.loadPercent.A.toFixed(1)} %, B ${r.loadPercent.B.toFixed(1)} % of the slots (2250 per minute and channel).`);
  out.push(`Measured CPU: all senders ${r.txCpuMs.toFixed(0)} ms; receivers ${r.observers.map((o) => `${observerNames.get(o.mmsi)} ${o.rxCpuMs.toFixed(0)} ms`).join(', ')} for ${(r.nowMs / 1000).toFixed(0)} s of traffic.`);
  return out;
}
