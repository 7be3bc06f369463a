/**
 * The daemon under fuzz on real pseudo-terminals (socat): structure-aware receive-path cases (bench/fuzz/rx-cases.ts)
 * on the radio port and garbage, odd own-ship reports and the same cases on the ship port. The daemon keeps running,
 * counts every line, never fails its pipeline, and afterwards still shows a genuine report verified.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rxFuzzCases } from '../../../bench/fuzz/rx-cases.js';
import { rxFuzzFixture, type RxFuzzFixture } from '../../../bench/fuzz/rx-fixture.js';
import { createRng } from '../../../bench/sim/rng.js';
import { AppliancePipeline } from '../../../firmware/appliance-pipeline.js';
import { Daemon, parseConfig } from '../../../firmware/daemon/index.js';
import { parseStatus } from '../../../firmware/status.js';
import { encodeAis, encodeVdm, formatSentence } from '../../../nmea/index.js';
import { PTY_TEST_TIMEOUT_MS, PtyCable, ptyDaemonDeps, socatAvailable, until } from './_pty.js';

const CASES = 1500;
const BATCH = 25;

describe.skipIf(!socatAvailable)('the daemon under fuzz on pseudo-terminals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mibc-fuzz-pty-'));
  const ship = new PtyCable(dir, 'ship');
  const radio = new PtyCable(dir, 'radio');
  let daemon: Daemon;
  let fixture: RxFuzzFixture;

  beforeAll(async () => {
    fixture = rxFuzzFixture('pty fuzz', Date.now());
    await ship.plugIn();
    await radio.plugIn();
    const pipeline = new AppliancePipeline({ tx: { mode: 2, emit: 'bbm', ownShip: 'vdo' }, rx: {} }, fixture.keys);
    daemon = new Daemon(
      parseConfig({ ports: { ship: { path: ship.appPath }, radio: { path: radio.appPath } }, topology: 'inline', mode: 2, status: { port: 0 }, gpio: { bypassRelay: 5 } }),
      ptyDaemonDeps(pipeline),
    );
    await daemon.start();
    await daemon.whenReady();
  }, PTY_TEST_TIMEOUT_MS);

  afterAll(async () => {
    await daemon.stop();
    await ship.pullOut();
    await radio.pullOut();
    rmSync(dir, { recursive: true, force: true });
  }, PTY_TEST_TIMEOUT_MS);

  it(`keeps running and counting through ${CASES} fuzz cases on each port, then verifies a genuine report`, async () => {
    const rng = createRng(7);
    const next = rxFuzzCases(rng.fork(1), fixture.config);
    const junk = rng.fork(2);
    let radioSent = 0;
    let shipSent = 0;
    const handled = () => {
      const s = daemon.status();
      return (s.pipeline['rx.lines'] ?? 0) + s.counters.radioInputDropped;
    };
    for (let i = 0; i < CASES; i += BATCH) {
      for (let k = 0; k < BATCH; k++) {
        const c = next(Math.floor(Date.now() / 1000));
        for (const l of c.lines) radio.send(l);
        radioSent += c.lines.length;
        // The ship port: the same cases as own-ship VDO, own-ship reports under any 30-bit MMSI, and plain junk.
        const own = encodeVdm(encodeAis({ type: 1, repeat: 0, mmsi: junk.int(0, 2 ** 30), status: 0, turn: -128, speed: 0, accuracy: false, lon: 0, lat: 0, course: 0, heading: 0, second: 0, maneuver: 0, spare: 0, raim: false, radio: 0 }), { formatter: 'VDO', channel: '' });
        const shipLines = [...c.lines.map((l) => l.replace('!AIVDM', '!AIVDO')), ...own, formatSentence('$', 'GP', 'GGA', [String(junk.int(0, 1e6)), 'x']), `!AIVDO,${junk.int(0, 9)},1,,A,${'w'.repeat(junk.int(0, 70))},0*00`];
        for (const l of shipLines) ship.send(l);
        shipSent += shipLines.length;
      }
      const want = radioSent;
      await until(() => handled() >= want && daemon.status().inputQueued.radio === 0, `the radio lines of batch ${i / BATCH} to be handled`, undefined, () => `${handled()} of ${want} handled, ${daemon.status().inputQueued.radio} queued`);
    }
    await until(() => daemon.status().counters.lines.ship.in >= shipSent, 'the ship lines to arrive');
    const s = daemon.status();
    expect(s.state).toBe('running');
    expect(s.health).toBe('healthy');
    expect(s.counters.pipelineErrors).toBe(0);
    expect(s.counters.lines.radio.in).toBe(radioSent);
    expect(s.pipeline['rx.rejected.INTERNAL']).toBeUndefined();
    // Every radio line was counted by the pipeline or as an input-queue drop; the rejections are typed.
    expect(handled()).toBe(radioSent);
    expect(Object.keys(s.pipeline).filter((k) => k.startsWith('rx.rejected.')).length).toBeGreaterThan(5);

    // Still working: a fresh genuine report shows verified on the display port.
    const before = ship.lines.length;
    const now = Date.now();
    for (const l of fixture.sender().secure(encodeAis({ type: 1, repeat: 0, mmsi: 244_123_456, status: 0, turn: -128, speed: 321, accuracy: true, lon: 1, lat: 1, course: 0, heading: 0, second: 0, maneuver: 0, spare: 0, raim: false, radio: 0 }), 244_123_456, 1, now)) {
      radio.send(l);
    }
    await until(() => ship.lines.slice(before).some((l) => l.startsWith('$PMIBV,V,2,244123456')), 'the genuine report to verify');
    const v = parseStatus(ship.lines.slice(before).find((l) => l.startsWith('$PMIBV,V,2,244123456')) as string);
    expect(v).toMatchObject({ result: 'V', mode: 2, source: 244_123_456, identity: 244_123_456, messageType: 1 });
    expect(daemon.status().state).toBe('running');
  }, PTY_TEST_TIMEOUT_MS);
});
