/**
 * Issue 8 end to end: own-ship reports of several ships through AppliancePipeline (SecureTx in mode 2 with amortised
 * authentication, real BLMQ anchors) → the air → a receiving AppliancePipeline (SecureRx), second by simulated second.
 * Every report ends `V` with mode `A`, none before its key is disclosed; under loss nothing is shown `V` early or
 * wrongly rejected; forged reports and replayed batches are rejected.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runRx, runTx, type TxCliOptions } from '../../cli/filters.js';
import { AisLineDecoder, encodeAis, encodeVdm, SequentialId, type AisMessage } from '../../nmea/index.js';
import { TESLA_PRESETS, disclosureTimeOf, intervalOf } from '../../firmware/amortised/index.js';
import { decodeEnvelopeMessage, Kind } from '../../firmware/envelope.js';
import type { OwnIdentity } from '../../firmware/keyring.js';
import { AppliancePipeline } from '../../firmware/appliance-pipeline.js';
import type { PipelineOutput } from '../../firmware/pipeline.js';
import { SecureRx, type RxOptions } from '../../firmware/secure-rx.js';
import { SecureTx, TxError, type Topology } from '../../firmware/secure-tx.js';
import { parseStatus, type Status } from '../../firmware/status.js';
import { NOW_MS, epochAt, identityKeysFile, paramsFile, seededRandom, testPkg, type TestPkg } from './_pkg.js';

const SHIPS = [244_100_001, 244_100_002, 244_100_003];
const MALLORY = 244_666_666;
const RECEIVER = 211_000_001;
const TESLA = TESLA_PRESETS.latency;
/** Not aligned to an interval: the first chain starts mid-interval, as it would at power-up. */
const T0 = NOW_MS / 1000 + 7;
const REPORT_EVERY_S = 10;
/** Reports for 200 s (≥ 3 minutes), then 60 s more for the last batches and keys. */
const LAST_REPORT_S = T0 + 200;
const END_S = LAST_REPORT_S + 60;

let pkg: TestPkg;
const ids = new Map<number, OwnIdentity>();

beforeAll(() => {
  pkg = testPkg('amortised loop');
  const e = epochAt(NOW_MS, pkg.params);
  for (const mmsi of [...SHIPS, MALLORY, RECEIVER]) ids.set(mmsi, pkg.identity(mmsi, [e]));
});

/** A corpus-like Class A position report; `k` moves the ship along. */
function positionReport(mmsi: number, t: number, k: number): AisMessage {
  return {
    type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed: 123, accuracy: true, lon: 2_400_000 + 37 * k, lat: 31_800_000 - 11 * k,
    course: 2240, heading: 215, second: t % 60, maneuver: 0, spare: 0, raim: false, radio: 34017,
  };
}

const vdmSeq = new SequentialId();
const vdm = (m: AisMessage): string[] => encodeVdm(encodeAis(m), { channel: 'A', seqId: vdmSeq.next() });

interface Heard {
  readonly atS: number;
  readonly status: Status;
}

interface AirMessage {
  readonly atS: number;
  readonly source: number;
  readonly lines: string[];
  readonly batch: boolean;
}

interface Run {
  readonly rx: SecureRx;
  readonly heard: Heard[];
  /** Everything the receiver sent to the display, in order. */
  readonly display: string[];
  readonly air: AirMessage[];
  /** Sender second of every genuine report, per ship. */
  readonly sent: Map<number, number[]>;
  /** `${mmsi}:${second}` of the reports lost on air. */
  readonly lostReports: Set<string>;
}

interface SimOptions {
  /** Lines another station puts on air at second t. */
  readonly inject?: (t: number, run: Run) => string[];
  readonly rx?: Partial<RxOptions>;
  /**
   * Share of AIS messages lost on the way to the receiver (seeded, so every run loses the same ones). Anchors are
   * spared: a lost anchor is replaced only 600 s later, beyond this run (the bench's late-joiner column measures it).
   */
  readonly loss?: number;
}

/**
 * One second at a time, each station an AppliancePipeline: ships report every 10 s (phases 0, 3, 6 s) from the ship
 * side and tick; what they send to the radio side reaches the receiver's radio side half a second later.
 */
function simulate(topology: Topology, o: SimOptions = {}): Run {
  const ships = SHIPS.map(
    (mmsi) =>
      new AppliancePipeline(
        { tx: { mode: 2, auth: 'amortised', topology, emit: 'vdm', ownShip: 'any' }, rx: {} },
        { params: pkg.params, identity: ids.get(mmsi) as OwnIdentity },
        seededRandom(`loop ${topology} ${mmsi}`),
      ),
  );
  // The simulated receiver's clock is exact; its trusted source (the daemon's trusted time) confirms it unless a test
  // says otherwise.
  const receiver = new AppliancePipeline({ tx: {}, rx: o.rx ?? {} }, { params: pkg.params, identity: ids.get(RECEIVER) as OwnIdentity });
  receiver.setTimeTrusted(o.rx?.clockTrusted ?? true);
  const rx = receiver.rx;
  const inject = o.inject ?? (() => []);
  const loss = seededRandom(`loss ${topology}`);
  const lost = () => ((loss(1)[0] as number) / 256) < (o.loss ?? 0);
  const run: Run = { rx, heard: [], display: [], air: [], sent: new Map(), lostReports: new Set() };
  const shown = (out: string, atS: number) => {
    run.display.push(out);
    if (out.startsWith('$PMIBV')) run.heard.push({ atS, status: parseStatus(out) as Status });
  };
  const decoder = new AisLineDecoder({ mergeType24: false });
  let pending: string[] = [];
  const receive = (lines: readonly string[], atS: number) => {
    for (const line of lines) {
      for (const out of receiver.fromRadio(line, atS * 1000)) shown(out.line, atS);
    }
  };
  const radio = (outs: readonly PipelineOutput[]) => outs.filter((x) => x.side === 'radio').map((x) => x.line);
  for (let t = T0; t <= END_S; t++) {
    const onAir: string[] = [];
    SHIPS.forEach((mmsi, i) => {
      const ship = ships[i] as AppliancePipeline;
      const phase = t - T0 - 3 * i;
      if (phase >= 0 && phase % REPORT_EVERY_S === 0 && t <= LAST_REPORT_S) {
        run.sent.set(mmsi, [...(run.sent.get(mmsi) ?? []), t]);
        for (const line of vdm(positionReport(mmsi, t, phase / REPORT_EVERY_S))) onAir.push(...radio(ship.fromShip(line, t * 1000)));
      }
      onAir.push(...radio(ship.tick(t * 1000)));
    });
    const heardNow: string[] = [];
    for (const line of onAir) {
      pending.push(line);
      for (const d of decoder.push(line, 0).messages) {
        const data = d.message.type === 8 ? (d.message.data as Uint8Array) : undefined;
        const env = data === undefined ? undefined : decodeEnvelopeMessage(data);
        const batch = env !== undefined && env.kind === Kind.ChainBatch && env.fragment === undefined && ((env.chunk[0] ?? 1) & 1) === 0;
        run.air.push({ atS: t, source: d.message.mmsi, lines: pending, batch });
        if (env?.kind === Kind.ChainAnchor || !lost()) heardNow.push(...pending);
        else if (d.message.type === 1) run.lostReports.add(`${d.message.mmsi}:${t}`);
        pending = [];
      }
    }
    receive(heardNow, t + 0.5);
    receive(inject(t, run), t + 0.6);
    for (const out of receiver.tick((t + 0.9) * 1000)) if (out.side === 'ship') shown(out.line, t + 0.9);
  }
  return run;
}

/** The statuses shown for one report (source, type 1, second), in order. */
const about = (run: Run, mmsi: number, second: number) =>
  run.heard.filter((h) => h.status.source === mmsi && h.status.messageType === 1 && h.status.second === second);

describe('amortised authentication through SecureTx → SecureRx (real BLMQ anchors)', () => {
  it.each<Topology>(['inline', 'attached'])('%s: every report ends V (mode A) without loss, none before its key is disclosed', (topology) => {
    const run = simulate(topology);
    let reports = 0;
    for (const mmsi of SHIPS) {
      for (const second of run.sent.get(mmsi) ?? []) {
        reports++;
        const shown = about(run, mmsi, second);
        const results = shown.map((h) => h.status.result);
        // The very first report reaches the receiver before the anchor that makes its sender known: U, then P.
        expect(results.filter((r) => r !== 'U')).toEqual(['P', 'V']);
        const pendingAt = shown.find((h) => h.status.result === 'P') as Heard;
        const v = shown.find((h) => h.status.result === 'V') as Heard;
        expect(pendingAt.status.mode).toBe('A');
        expect(v.status).toMatchObject({ mode: 'A', source: mmsi, identity: mmsi });
        expect(pendingAt.atS).toBeLessThan(v.atS);
        expect(v.atS).toBeGreaterThanOrEqual(disclosureTimeOf(TESLA, intervalOf(TESLA, second)));
      }
    }
    expect(reports).toBeGreaterThanOrEqual(SHIPS.length * 18);
    expect(run.heard.filter((h) => h.status.result === 'F')).toEqual([]);
    expect(run.rx.counters.rejected).toEqual({});
    expect(run.rx.counters.verified).toBe(reports);
    // A BLMQ-signed anchor per ship is what made the chain trusted.
    expect(run.rx.counters.notices['anchor-accepted']).toBe(SHIPS.length);
  });

  it.each([
    [0.05, 0.95],
    [0.2, 0.75],
  ])('at %s loss: no V before disclosure or without P first; ≥ %s of received reports V, the rest only unverifiable', (share, floor) => {
    const run = simulate('inline', { loss: share });
    let received = 0;
    let verified = 0;
    for (const mmsi of SHIPS) {
      for (const second of run.sent.get(mmsi) ?? []) {
        const shown = about(run, mmsi, second);
        if (run.lostReports.has(`${mmsi}:${second}`)) {
          expect(shown).toEqual([]);
          continue;
        }
        received++;
        const results = shown.map((h) => h.status.result).filter((r) => r !== 'U');
        const v = shown.find((h) => h.status.result === 'V');
        // At most one final status, and it follows P.
        expect(results.length).toBeLessThanOrEqual(2);
        if (results.length > 0) expect(results[0]).toBe('P');
        // A lost batch (with its re-tag dropped for room) leaves nothing to check: never a false rejection.
        for (const h of shown) if (h.status.result === 'F') expect(h.status.reason).toBe('UNVERIFIABLE');
        if (v === undefined) continue;
        verified++;
        expect(results).toEqual(['P', 'V']);
        expect(v.atS).toBeGreaterThanOrEqual(disclosureTimeOf(TESLA, intervalOf(TESLA, second)));
      }
    }
    expect(run.lostReports.size).toBeGreaterThan(0);
    expect(verified / received).toBeGreaterThanOrEqual(floor);
  });

  it('without a confirmed clock no report ends V: each that would is shown P with CLOCK_UNCONFIRMED, directly after it', () => {
    const run = simulate('inline', { rx: { clockTrusted: false } });
    let reports = 0;
    for (const mmsi of SHIPS) {
      for (const second of run.sent.get(mmsi) ?? []) {
        reports++;
        const shown = about(run, mmsi, second).filter((h) => h.status.result !== 'U');
        expect(shown.map((h) => [h.status.result, h.status.reason])).toEqual([
          ['P', undefined],
          ['P', 'CLOCK_UNCONFIRMED'],
        ]);
        expect(shown[1]?.status.report).toBe(shown[0]?.status.report);
      }
    }
    expect(run.heard.filter((h) => h.status.result === 'V')).toEqual([]);
    expect(run.rx.counters.unconfirmed).toBe(reports);
    expect(run.rx.counters.verified).toBe(0);
    // The line directly before each final status is a report with the digest it names.
    for (const [i, line] of run.display.entries()) {
      if (!line.includes(',CLOCK_UNCONFIRMED,')) continue;
      expect(run.display[i - 1]).toMatch(/^!AIVDM/);
    }
  });

  it('a clock confirmed later authenticates only reports received after it was confirmed', () => {
    const run = simulate('inline', {
      rx: { clockTrusted: false },
      inject: (t, r) => {
        if (t === T0 + 115) r.rx.setClockTrusted(true);
        return [];
      },
    });
    for (const mmsi of SHIPS) {
      for (const second of run.sent.get(mmsi) ?? []) {
        const final = about(run, mmsi, second).filter((h) => h.status.result !== 'U').at(-1)?.status;
        if (second < T0 + 110) expect(final).toMatchObject({ result: 'P', reason: 'CLOCK_UNCONFIRMED' });
        if (second >= T0 + 120) expect(final?.result).toBe('V');
      }
    }
  });

  it('with the drop policy a report is shown only together with its V, and no P is sent', () => {
    const run = simulate('inline', { rx: { policy: 'drop' } });
    const reports = [...run.sent.values()].flat().length;
    expect(run.heard.map((h) => h.status.result).filter((r) => r !== 'V')).toEqual([]);
    expect(run.heard).toHaveLength(reports);
    const dec = new AisLineDecoder({ mergeType24: false });
    run.display.forEach((line, i) => {
      if (!line.startsWith('!')) return;
      const [m] = dec.push(line, 0).messages;
      // Each single-sentence report is followed at once by its own V.
      expect(parseStatus(run.display[i + 1] as string)).toMatchObject({ result: 'V', mode: 'A', source: m?.message.mmsi, messageType: 1 });
    });
    expect(run.display.filter((l) => l.startsWith('!'))).toHaveLength(reports);
  });

  it('a report forged under a ship\'s MMSI by another station fails; the ship\'s own reports still authenticate', () => {
    const victim = SHIPS[0] as number;
    const between = T0 + 105; // the victim reports at T0 + 10k
    const same = T0 + 120;
    const inject = (t: number): string[] => {
      if (t === between) return vdm({ ...positionReport(victim, t, 50), lat: 31_000_000 });
      if (t === same) return vdm({ ...positionReport(victim, t, 12), lat: 31_000_000 });
      return [];
    };
    const run = simulate('inline', { inject });
    const forged = about(run, victim, between).map((h) => h.status);
    expect(forged.map((s) => s.result)).toEqual(['P', 'F']);
    expect(forged[1]).toMatchObject({ mode: 'A', reason: 'NO_TAG' });
    // At the second of a genuine report, the genuine one is authenticated when its key is out; the altered copy fails
    // once no tag for that second is left unchecked.
    expect(about(run, victim, same).map((h) => [h.status.result, h.status.reason])).toEqual([
      ['P', undefined],
      ['P', undefined],
      ['V', undefined],
      ['F', 'TAG_MISMATCH'],
    ]);
    expect(run.rx.counters.verified).toBe([...run.sent.values()].flat().length);
    expect(run.heard.filter((h) => h.status.result === 'F').length).toBe(2);
  });

  it('a replayed batch is rejected: within the freshness window as a replay, 64 s later by its disclosed key', () => {
    const source = SHIPS[1] as number;
    let original: AirMessage | undefined;
    const replays: number[] = [];
    const inject = (t: number, r: Run): string[] => {
      original ??= r.air.find((m) => m.source === source && m.batch && m.atS >= T0 + 60);
      if (original === undefined) return [];
      if (t === original.atS + 5 || t === original.atS + 64) {
        replays.push(t);
        return original.lines;
      }
      return [];
    };
    const run = simulate('inline', { inject });
    expect(replays).toHaveLength(2);
    const rejected = (t: number) =>
      run.heard.filter((h) => h.atS === t + 0.6 && h.status.source === source).map((h) => [h.status.result, h.status.mode, h.status.reason]);
    expect(rejected(replays[0] as number)).toEqual([['F', 0, 'REPLAY']]);
    expect(rejected(replays[1] as number)).toEqual([['F', 'A', 'KEY_REJECTED']]);
    // Nothing else is disturbed: every genuine report still ends authenticated, and only once.
    expect(run.rx.counters.verified).toBe([...run.sent.values()].flat().length);
    expect(run.heard.filter((h) => h.status.result === 'V').length).toBe(run.rx.counters.verified);
  });

  it('a ship that leaves amortised mode: its attached signature settles a pending report, no amortised F follows', () => {
    const mmsi = SHIPS[2] as number;
    const keys = { params: pkg.params, identity: ids.get(mmsi) as OwnIdentity };
    const amortised = new SecureTx({ mode: 2, auth: 'amortised', topology: 'attached', emit: 'vdm', ownShip: 'any' }, keys, seededRandom('leave a'));
    const signed = new SecureTx({ mode: 2, topology: 'attached', emit: 'vdm', ownShip: 'any' }, keys, seededRandom('leave s'));
    const rx = new SecureRx({}, { params: pkg.params });
    const heard: Status[] = [];
    const hear = (lines: readonly string[], atS: number) => {
      for (const l of lines) for (const out of rx.push(l, atS * 1000)) if (out.startsWith('$PMIBV')) heard.push(parseStatus(out) as Status);
    };
    for (let t = T0; t < T0 + 40; t++) {
      if ((t - T0) % REPORT_EVERY_S === 0) hear(vdm(positionReport(mmsi, t, t - T0)).flatMap((l) => amortised.push(l, t * 1000).map((x) => x.line)), t + 0.5);
      hear(amortised.tick(t * 1000).map((x) => x.line), t + 0.5);
    }
    const at = T0 + 40;
    hear(vdm(positionReport(mmsi, at, 99)).flatMap((l) => signed.push(l, at * 1000).map((x) => x.line)), at + 0.5);
    for (let t = at + 1; t < at + 240; t++) for (const out of rx.tick(t * 1000)) if (out.startsWith('$PMIBV')) heard.push(parseStatus(out) as Status);
    expect(heard.filter((h) => h.second === at || (h.result === 'V' && h.mode === 2)).map((h) => [h.result, h.mode])).toEqual([
      ['P', 'A'],
      ['V', 2],
    ]);
  });

  it('mode 3 with amortised authentication is refused, at construction and on a mode switch', () => {
    const keys = { params: pkg.params, identity: ids.get(SHIPS[0] as number) as OwnIdentity };
    expect(() => new SecureTx({ mode: 3, auth: 'amortised' }, keys)).toThrow(expect.objectContaining({ name: 'TxError', code: 'UNSUPPORTED' }));
    const tx = new SecureTx({ mode: 2, auth: 'amortised' }, keys);
    expect(() => tx.setMode(3)).toThrow(TxError);
    expect(tx.mode).toBe(2);
  });
});

describe('mibc-ais tx --auth amortised | rx (the filters in process)', () => {
  const mmsi = SHIPS[0] as number;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mibc-amortised-'));
    const epoch = epochAt(NOW_MS, pkg.params);
    writeFileSync(join(dir, 'params.json'), JSON.stringify(paramsFile(pkg)));
    writeFileSync(join(dir, 'key.json'), JSON.stringify(identityKeysFile(pkg, mmsi, [epoch])));
  });

  async function filter(run: (io: Parameters<typeof runRx>[1]) => Promise<unknown>, input: readonly string[]): Promise<string[]> {
    const output = new PassThrough();
    const chunks: string[] = [];
    output.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
    await run({ input: Readable.from([input.join('\n')]), output, errors: new PassThrough(), now: () => T0 * 1000 });
    return chunks.join('').split('\r\n').filter((l) => l !== '');
  }

  const txOptions = (mode: number): TxCliOptions => ({
    mode, params: join(dir, 'params.json'), key: join(dir, 'key.json'), topology: 'inline', emit: 'vdm', signature: 'compact',
    dac: 0, fi: 58, own: 'any', maxSlots: 3, auth: 'amortised', tesla: 'latency',
  });

  it('sends the report plain with the signed anchor after it; rx shows it pending under mode A', async () => {
    const sent = await filter((io) => runTx(txOptions(2), io), vdm(positionReport(mmsi, T0, 0)));
    const dec = new AisLineDecoder({ mergeType24: false });
    const messages = sent.flatMap((l) => dec.push(l, 0).messages.map((d) => d.message));
    expect(messages[0]).toMatchObject({ type: 1, mmsi });
    expect(messages.slice(1).map((m) => [m.type, decodeEnvelopeMessage(m.data as Uint8Array).kind])).toEqual([
      [8, Kind.ChainAnchor],
      [8, Kind.ChainAnchor],
    ]);
    const shown = await filter((io) => runRx({ params: join(dir, 'params.json'), policy: 'flag', window: 30, dac: 0, fi: 58 }, io), sent);
    const statuses = shown.filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l));
    // Both name the report by its digest.
    const report = statuses[0]?.report;
    expect(report).toMatch(/^[0-9A-F]{16}$/);
    expect(statuses).toEqual([
      { result: 'U', mode: 1, source: mmsi, messageType: 1, report },
      { result: 'P', mode: 'A', source: mmsi, messageType: 1, second: T0, report },
    ]);
  });

  it.each([3, 5])('refuses --auth amortised with mode %i', async (mode) => {
    await expect(filter((io) => runTx(txOptions(mode), io), [])).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
