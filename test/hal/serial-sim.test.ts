/**
 * Behaviour that needs simulated time (pacing, expiry, backoff cap) or exact queue states, on the twin only:
 * asserting them on a real port would mean asserting on the wall clock.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { LineGuard } from '../../hal/_line-guard.js';
import type { SerialDrop, SerialLink } from '../../hal/serial.js';
import { simRig } from './_serial-rigs.js';

const SENTENCE_82 = `!AIVDM,1,1,,A,${'0'.repeat(61)},0*00`; // 80 characters + CRLF = 82 bytes on the wire

describe('serial twin: pacing and priorities', () => {
  let rig: ReturnType<typeof simRig>;
  afterEach(async () => {
    await rig.dispose();
  });

  async function upLink(options: Parameters<typeof rig.link>[0] = {}): Promise<SerialLink> {
    const link = rig.link(options);
    let up = false;
    link.once('port-up', () => (up = true));
    link.start();
    await rig.until(() => up, 'port-up');
    return link;
  }

  it('paces output at the 38400 Bd budget: 46 full sentences per second', async () => {
    rig = simRig();
    const link = await upLink({ outputQueueLimit: 200 });
    expect(SENTENCE_82.length + 2).toBe(82);
    for (let i = 0; i < 100; i += 1) link.send(SENTENCE_82);
    await Promise.resolve();
    rig.clock.advance(1000);
    // One 82-byte line takes 820 bits / 38400 Bd = 21.35 ms; lines start at k·21.35 ms, so k = 0…46 by 1 s.
    expect(rig.device.lines.length).toBe(47);
    rig.clock.advance(1000);
    expect(rig.device.lines.length).toBe(94);
  });

  it('sends safety lines before normal ones queued earlier', async () => {
    rig = simRig();
    const link = await upLink();
    link.send('$PXXX,N1');
    link.send('$PXXX,N2');
    link.send('$PXXX,N3');
    link.send('$PXXX,S1', 'safety');
    rig.clock.advance(100);
    // N1 was already on the wire when S1 arrived; S1 overtakes everything still queued.
    expect(rig.device.lines).toEqual(['$PXXX,N1', '$PXXX,S1', '$PXXX,N2', '$PXXX,N3']);
  });

  it('when full, safety evicts the oldest normal line and normal traffic drops its own oldest; all reported', async () => {
    rig = simRig();
    const link = await upLink({ outputQueueLimit: 3 });
    const drops: SerialDrop[] = [];
    link.on('drop', (d) => drops.push(d));
    rig.device.stall(); // nothing leaves the queue beyond the first line
    link.send('$PXXX,N0'); // goes to the wire at once
    link.send('$PXXX,N1');
    link.send('$PXXX,N2');
    link.send('$PXXX,N3');
    link.send('$PXXX,S1', 'safety'); // queue full: evicts N1
    link.send('$PXXX,N4'); // queue full: evicts N2
    link.send('$PXXX,S2', 'safety'); // evicts N3
    link.send('$PXXX,S3', 'safety'); // evicts N4
    link.send('$PXXX,S4', 'safety'); // only safety left: the oldest safety line goes
    expect(drops).toEqual([
      { line: '$PXXX,N1', priority: 'normal', reason: 'preempted' },
      { line: '$PXXX,N2', priority: 'normal', reason: 'queue-full' },
      { line: '$PXXX,N3', priority: 'normal', reason: 'preempted' },
      { line: '$PXXX,N4', priority: 'normal', reason: 'preempted' },
      { line: '$PXXX,S1', priority: 'safety', reason: 'queue-full' },
    ]);
    expect(link.queued()).toEqual({ safety: 3, normal: 0 });
    expect(link.counters().drops).toEqual({ 'queue-full': 2, preempted: 3, expired: 0, closed: 0, disconnected: 0, superseded: 0 });
  });

  it('drops lines that waited longer than their maximum age, and reports them', async () => {
    rig = simRig();
    const link = rig.link({ outputMaxAgeMs: 4000, reopenInitialMs: 5000, reopenMaxMs: 5000 });
    const drops: SerialDrop[] = [];
    link.on('drop', (d) => drops.push(d));
    rig.device.unplug();
    link.start();
    link.send('$PXXX,OLD');
    await rig.until(() => link.state === 'down', 'port-down');
    rig.clock.advance(2000);
    link.send('$PXXX,NEW'); // reopened at 5 s: OLD is 5 s old, NEW 3 s
    rig.device.replug();
    await rig.until(() => rig.device.lines.length === 1, 'the fresh line');
    expect(rig.device.lines).toEqual(['$PXXX,NEW']);
    expect(drops).toEqual([{ line: '$PXXX,OLD', priority: 'normal', reason: 'expired' }]);
  });

  it('lines written but not yet taken by the device when it is unplugged are reported (disconnected)', async () => {
    rig = simRig();
    const link = await upLink({ paceOutput: false, reopenInitialMs: 100 });
    const drops: SerialDrop[] = [];
    link.on('drop', (d) => drops.push(d));
    rig.device.stall();
    link.send('$PXXX,IN-FLIGHT-1');
    link.send('$PXXX,IN-FLIGHT-2');
    rig.device.unplug();
    await rig.until(() => link.state === 'down', 'port-down');
    expect(drops).toEqual([
      { line: '$PXXX,IN-FLIGHT-1', priority: 'normal', reason: 'disconnected' },
      { line: '$PXXX,IN-FLIGHT-2', priority: 'normal', reason: 'disconnected' },
    ]);
    // Lines the device did take are confirmed and never reported.
    rig.device.replug();
    rig.device.resume();
    await rig.until(() => link.state === 'up', 'port-up');
    link.send('$PXXX,DELIVERED');
    await rig.until(() => rig.device.lines.length === 1, 'delivery');
    rig.device.unplug();
    await rig.until(() => link.state === 'down', 'port-down again');
    expect(drops).toHaveLength(2);
  });

  it('close() reports every queued line as dropped (closed) and refuses new ones', async () => {
    rig = simRig();
    const link = rig.link();
    const drops: SerialDrop[] = [];
    link.on('drop', (d) => drops.push(d));
    link.send('$PXXX,1');
    link.send('$PXXX,2', 'safety');
    await link.close();
    expect(link.send('$PXXX,3')).toBe(false);
    expect(drops.map((d) => [d.line, d.reason])).toEqual([
      ['$PXXX,2', 'closed'],
      ['$PXXX,1', 'closed'],
      ['$PXXX,3', 'closed'],
    ]);
  });

  it('close() also reports lines written but not yet taken by the device', async () => {
    rig = simRig();
    const link = await upLink({ paceOutput: false });
    const drops: SerialDrop[] = [];
    link.on('drop', (d) => drops.push(d));
    rig.device.stall();
    link.send('$PXXX,IN-FLIGHT');
    await link.close();
    expect(drops).toEqual([{ line: '$PXXX,IN-FLIGHT', priority: 'normal', reason: 'closed' }]);
    expect(rig.device.isOpen).toBe(false);
  });

  it('backoff doubles up to its cap and resets after a successful open', async () => {
    rig = simRig();
    const link = rig.link({ reopenInitialMs: 100, reopenMaxMs: 1000 });
    const retries: number[] = [];
    link.on('port-down', ({ retryInMs }) => retries.push(retryInMs));
    rig.device.unplug();
    link.start();
    await rig.until(() => retries.length === 6, 'six attempts');
    expect(retries).toEqual([100, 200, 400, 800, 1000, 1000]);
    rig.device.replug();
    await rig.until(() => link.state === 'up', 'port-up');
    rig.device.unplug();
    await rig.until(() => retries.length === 7, 'down again');
    expect(retries[6]).toBe(100);
  });

  it('rejects caller bugs: CR/LF inside a line, a line over the limit, an unknown priority', () => {
    rig = simRig();
    const link = rig.link({ maxLineLength: 10 });
    expect(() => link.send('a\r\nb')).toThrow(RangeError);
    expect(() => link.send('x'.repeat(11))).toThrow(RangeError);
    expect(() => link.send('x', 'urgent' as never)).toThrow(TypeError);
  });

  it('the twin refuses to inject data into a closed port, like a real device', () => {
    rig = simRig();
    expect(() => rig.device.emitLine('$PXXX')).toThrow(/must be open/);
  });
});

describe('LineGuard', () => {
  it('yields the same lines however the input is chunked and whichever line ends (CRLF, LF, CR) it uses, and never holds more than one bounded line', () => {
    const line = fc.stringMatching(/^[ -~]{0,40}$/);
    const end = fc.constantFrom('\r\n', '\n', '\r');
    fc.assert(
      fc.property(fc.array(fc.tuple(line, end), { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 40 }), (ended, cuts) => {
        const overlong: number[] = [];
        const guard = new LineGuard(30, (n) => overlong.push(n));
        const wire = Buffer.from(ended.map(([l, e]) => `${l}${e}`).join(''), 'latin1');
        const out: Buffer[] = [];
        let at = 0;
        for (const cut of [...cuts, wire.length]) {
          const piece = guard.feed(wire.subarray(at, Math.min(wire.length, at + cut)));
          if (piece !== undefined) out.push(piece);
          at = Math.min(wire.length, at + cut);
        }
        const lines = ended.map(([l]) => l);
        const got = Buffer.concat(out).toString('latin1').split('\r\n').slice(0, -1);
        // Empty lines carry no sentence and are skipped; everything else arrives CRLF-terminated.
        expect(got).toEqual(lines.filter((l) => l.length > 0 && l.length <= 30));
        expect(overlong.length).toBe(lines.filter((l) => l.length > 30).length);
      }),
    );
  });
});
