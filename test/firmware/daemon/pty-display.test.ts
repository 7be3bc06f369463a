/**
 * The display port at a full VDL, on pseudo-terminals with the output paced at 38 400 Bd: 75 plain messages/s from
 * the radio side for 8 s. With the `news` status policy every report reaches the display; with `all` (a status
 * after every message) the port cannot carry them — whatever is lost is counted and alarmed (LINES_DROPPED), never
 * silent. No rate is asserted against the wall clock: the sender may run late on a busy machine, which only eases
 * the load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppliancePipeline } from '../../../firmware/appliance-pipeline.js';
import { Daemon, parseConfig } from '../../../firmware/daemon/index.js';
import type { StatusPolicy } from '../../../firmware/rx/status-policy.js';
import { encodeAis, encodeVdm } from '../../../nmea/index.js';
import { epochAt, testPkg } from '../_pkg.js';
import { PTY_TEST_TIMEOUT_MS, inlineOn, plugInPair, ptyDaemonDeps, socatAvailable, until } from './_pty.js';

const RATE = 75;
const SECONDS = 8;
const OWN = 244_100_001;
const vdm = (mmsi: number, speed: number) =>
  encodeVdm(encodeAis({ type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 }), { channel: 'A' })[0]!;

describe.skipIf(!socatAvailable)('the display port at a full VDL (75 messages/s, 38 400 Bd, pseudo-terminals)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mibc-display-pty-'));
  const pkg = testPkg('display pty');
  const cleanup: (() => Promise<void>)[] = [];

  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  }, PTY_TEST_TIMEOUT_MS);

  async function run(policy: StatusPolicy) {
    const { ship, radio } = await plugInPair(dir, policy);
    cleanup.push(() => ship.pullOut(), () => radio.pullOut());
    const epoch = epochAt(Date.now(), pkg.params);
    const pipeline = new AppliancePipeline(
      { tx: { mode: 2, emit: 'bbm', ownShip: 'vdo' }, rx: { policy: 'flag' }, display: { policy } },
      { params: pkg.params, identity: pkg.identity(OWN, [epoch, epoch + 1]) },
    );
    const daemon = new Daemon(
      parseConfig(inlineOn(ship, radio, { policies: { displayStatuses: policy } })),
      ptyDaemonDeps(pipeline),
    );
    cleanup.push(() => daemon.stop());
    await daemon.start();
    await daemon.whenReady();
    const sent = RATE * SECONDS;
    // 15 messages every 200 ms: the VDL's rate in the bursts a receiver hands over.
    for (let i = 0; i < sent; i += RATE / 5) {
      for (let j = i; j < i + RATE / 5; j += 1) radio.send(vdm(200_000_000 + j, j % 1000));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const shown = () => ship.lines.filter((l) => l.startsWith('!AIVDM')).length;
    const drops = () => Object.values(daemon.status().ports.ship?.drops ?? {}).reduce((a, b) => a + b, 0);
    // Every message is either shown or counted as dropped (the rest still queued drains into one of the two).
    await until(() => shown() + drops() >= sent && daemon.status().ports.ship?.queued.normal === 0, 'the display port to drain', undefined, () => JSON.stringify({ shown: shown(), drops: daemon.status().ports.ship }));
    // What the daemon wrote has been read at the display end (the last lines may still be in the pty).
    await until(() => ship.lines.length === daemon.status().ports.ship?.linesOut, 'the display end to read every line written');
    return { daemon, sent, shown: shown(), dropped: drops(), lines: ship.lines };
  }

  it('news: every report reaches the display, none dropped', async () => {
    const r = await run('news');
    expect(r.dropped).toBe(0);
    expect(r.shown).toBe(r.sent);
    expect(r.lines.some((l) => l.startsWith('$PMIBV,U'))).toBe(false);
    expect(r.daemon.alarms.has('LINES_DROPPED')).toBe(false);
  }, PTY_TEST_TIMEOUT_MS);

  it('all: what the port cannot carry is dropped only with LINES_DROPPED raised and counted', async () => {
    const r = await run('all');
    // Every report is shown or its loss counted; and a loss is never without its alarm.
    expect(r.shown + r.dropped).toBeGreaterThanOrEqual(r.sent);
    expect(r.daemon.alarms.has('LINES_DROPPED', 'ship-out')).toBe(r.dropped > 0);
    console.log(`display port, policy all: ${r.sent} sent at up to ${RATE}/s, ${r.shown} reports shown, ${r.dropped} lines dropped`);
  }, PTY_TEST_TIMEOUT_MS);
});
