/**
 * Own-ship overload on the radio port, on pseudo-terminals with output paced at 38 400 Bd and the real secure
 * pipeline (mode 2, BBM): 25 own-ship reports/s for 6 s, each secured as three BBM sentences — more than the port
 * carries. Nothing may be lost or sent plain without its alarm: every report is secured, and every BBM line is
 * either written or counted as superseded (OWN_SHIP_SUPERSEDED) or dropped (SAFETY_LINE_DROPPED).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppliancePipeline } from '../../../firmware/appliance-pipeline.js';
import { Daemon, parseConfig } from '../../../firmware/daemon/index.js';
import { encodeAis, encodeVdm } from '../../../nmea/index.js';
import { epochAt, testPkg } from '../_pkg.js';
import { PTY_TEST_TIMEOUT_MS, inlineOn, plugInPair, ptyDaemonDeps, socatAvailable, until } from './_pty.js';

const OWN = 244_100_001;
const RATE = 25;
const SECONDS = 6;
const report = (speed: number) =>
  encodeVdm(encodeAis({ type: 1, repeat: 0, mmsi: OWN, status: 0, turn: -128, speed, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 }), { formatter: 'VDO', channel: '' })[0]!;

describe.skipIf(!socatAvailable)('own-ship overload on the radio port (25 reports/s, 38 400 Bd, pseudo-terminals)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mibc-ownship-pty-'));
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  }, PTY_TEST_TIMEOUT_MS);

  it('secures every report; every line is sent, superseded or dropped — each loss alarmed', async () => {
    const pkg = testPkg('own-ship overload');
    const { ship, radio } = await plugInPair(dir, 'overload');
    cleanup.push(() => ship.pullOut(), () => radio.pullOut());
    const epoch = epochAt(Date.now(), pkg.params);
    const pipeline = new AppliancePipeline({ tx: { mode: 2, emit: 'bbm', ownShip: 'vdo' }, rx: {} }, { params: pkg.params, identity: pkg.identity(OWN, [epoch, epoch + 1]) });
    const daemon = new Daemon(
      parseConfig(inlineOn(ship, radio, {
        // The budget is not under test here (first-report.test.ts): a busy machine must not turn this into plain.
        timing: { latencyBudgetMs: 30_000, hangThresholdMs: 60_000 },
      })),
      ptyDaemonDeps(pipeline),
    );
    cleanup.push(() => daemon.stop());
    // Alarms are pulsed and clear after their hold: record every one raised.
    const raised = new Set<string>();
    daemon.alarms.on('raised', (a) => raised.add(a.code));
    await daemon.start();
    await daemon.whenReady();
    const sent = RATE * SECONDS;
    for (let i = 0; i < sent; i += 5) {
      for (let j = i; j < i + 5; j += 1) ship.send(report(j));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await until(() => daemon.status().counters.lines.ship.in === sent, 'every report to reach the daemon');
    await until(() => {
      const p = daemon.status().ports.radio;
      return p !== undefined && p.queued.safety === 0 && p.queued.normal === 0 && radio.lines.length === p.linesOut;
    }, 'the radio port to drain');
    const s = daemon.status();
    const d = s.ports.radio!.drops;
    const drops = { superseded: d.superseded ?? 0, 'queue-full': d['queue-full'] ?? 0, expired: d.expired ?? 0 };
    expect(s.pipeline['tx.secured']).toBe(sent);
    expect(s.pipeline['tx.sentPlain']).toBe(0);
    expect(radio.lines.every((l) => /^!..BBM,/.test(l))).toBe(true);
    // Every BBM line the pipeline produced is accounted for.
    expect(radio.lines.length + drops.superseded + drops['queue-full'] + drops.expired).toBe(s.counters.lines.radio.out);
    expect(raised.has('OWN_SHIP_SUPERSEDED')).toBe(drops.superseded > 0);
    expect(raised.has('SAFETY_LINE_DROPPED')).toBe(drops['queue-full'] + drops.expired > 0);
    console.log(`own-ship overload: ${sent} reports, ${s.counters.lines.radio.out} BBM lines, ${radio.lines.length} written, ${drops.superseded} superseded, ${drops['queue-full'] + drops.expired} dropped`);
  }, PTY_TEST_TIMEOUT_MS);
});
