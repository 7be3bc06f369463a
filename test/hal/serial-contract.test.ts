/**
 * One SerialLink contract, run against the simulated twin and a real pseudo-terminal pair (STYLE.md guideline 2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SerialLink } from '../../hal/serial.js';
import { PTY_TEST_TIMEOUT_MS, ptyRig, simRig, socatAvailable, type SerialRig } from './_serial-rigs.js';

const VDM = '!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24';

function collect(link: SerialLink): { lines: string[]; ups: number; downs: number } {
  const seen = { lines: [] as string[], ups: 0, downs: 0 };
  link.on('line', (l) => seen.lines.push(l));
  link.on('port-up', () => (seen.ups += 1));
  link.on('port-down', () => (seen.downs += 1));
  return seen;
}

function contract(makeRig: () => Promise<SerialRig>): void {
  let rig: SerialRig;
  afterEach(async () => {
    await rig.dispose();
  });

  it('receives CRLF-framed lines, also when a line is split across chunks', async () => {
    rig = await makeRig();
    const link = rig.link();
    const seen = collect(link);
    link.start();
    await rig.until(() => seen.ups === 1, 'port-up');
    rig.deviceSend(`${VDM}\r\n${VDM.slice(0, 20)}`);
    rig.deviceSend(`${VDM.slice(20)}\r\n`);
    await rig.until(() => seen.lines.length === 2, 'two lines');
    expect(seen.lines).toEqual([VDM, VDM]);
    expect(link.counters().linesIn).toBe(2);
  });

  it('accepts LF-only, CR-only and CRLF line ends, and loses no line after an LF-only one', async () => {
    rig = await makeRig();
    const link = rig.link();
    const seen = collect(link);
    link.start();
    await rig.until(() => seen.ups === 1, 'port-up');
    rig.deviceSend(`${VDM}\n${VDM.slice(0, 10)}`);
    rig.deviceSend(`${VDM.slice(10)}\r${VDM}\r\n\n${VDM}\n`);
    await rig.until(() => seen.lines.length === 4, 'four lines');
    expect(seen.lines).toEqual([VDM, VDM, VDM, VDM]);
    expect(link.counters().overlongLines).toBe(0);
  });

  it('sends lines terminated by CRLF', async () => {
    rig = await makeRig();
    const link = rig.link();
    link.start();
    link.send('$ECVSD,,,,,,,,,*4B');
    link.send(VDM);
    await rig.until(() => rig.deviceLines().length === 2, 'two lines at the device');
    expect(rig.deviceLines()).toEqual(['$ECVSD,,,,,,,,,*4B', VDM]);
    expect(link.counters().linesOut).toBe(2);
  });

  it('drops and counts an overlong line without corrupting the next one', async () => {
    rig = await makeRig();
    const link = rig.link({ maxLineLength: 100 });
    const seen = collect(link);
    const overlong: number[] = [];
    link.on('overlong', ({ atLeast }) => overlong.push(atLeast));
    link.start();
    await rig.until(() => seen.ups === 1, 'port-up');
    rig.deviceSend(`${'X'.repeat(150)}\r\n`);
    rig.deviceSend(`${'Y'.repeat(60)}`);
    rig.deviceSend(`${'Y'.repeat(60)}\r\n${VDM}\r\n`);
    await rig.until(() => seen.lines.length === 1 && link.counters().overlongLines === 2, 'the good line');
    expect(seen.lines).toEqual([VDM]);
    expect(overlong.every((n) => n > 100)).toBe(true);
  });

  it('honours back-pressure: holds lines while the device does not read, delivers all in order after', async () => {
    rig = await makeRig();
    const link = rig.link({ paceOutput: false, outputQueueLimit: 5000 });
    const seen = collect(link);
    link.start();
    await rig.until(() => seen.ups === 1, 'port-up');
    rig.deviceStall();
    const sent = Array.from({ length: 3000 }, (_, i) => `$PXXX,${String(i).padStart(6, '0')},${'A'.repeat(60)}`);
    for (const line of sent) link.send(line);
    expect(link.counters().backpressureWaits).toBeGreaterThan(0);
    expect(link.queued().normal).toBeGreaterThan(0);
    rig.deviceResume();
    await rig.until(() => rig.deviceLines().length === sent.length, 'all lines at the device');
    expect(rig.deviceLines()).toEqual(sent);
    expect(link.counters().drops).toEqual({ 'queue-full': 0, preempted: 0, expired: 0, closed: 0, disconnected: 0, superseded: 0 });
  });

  it('a second link cannot open a port that is in use (lock)', async () => {
    rig = await makeRig();
    const first = rig.link();
    const firstSeen = collect(first);
    first.start();
    await rig.until(() => firstSeen.ups === 1, 'first port-up');
    const second = rig.link({ reopenInitialMs: 60_000, reopenMaxMs: 60_000 });
    const errors: Error[] = [];
    second.on('port-down', ({ error }) => errors.push(error));
    second.start();
    await rig.until(() => errors.length === 1, 'second port-down');
    expect(errors[0]).toMatchObject({ code: 'SERIAL_OPEN' });
    expect(String((errors[0]?.cause as Error).message)).toMatch(/lock/i);
  });

  it('recovers from an unplug by reopening with backoff, and sends the lines queued meanwhile', async () => {
    rig = await makeRig();
    const link = rig.link({ reopenInitialMs: 50, reopenMaxMs: 400 });
    const seen = collect(link);
    const retries: number[] = [];
    link.on('port-down', ({ retryInMs }) => retries.push(retryInMs));
    link.start();
    await rig.until(() => seen.ups === 1, 'port-up');
    await rig.unplug();
    await rig.until(() => seen.downs >= 1, 'port-down');
    link.send('$PXXX,QUEUED,1', 'normal');
    link.send('$PXXX,QUEUED,2', 'safety');
    await rig.until(() => seen.downs >= 3, 'failed reopen attempts');
    expect(link.state).not.toBe('up');
    expect(retries.slice(0, 3)).toEqual([50, 100, 200]);
    await rig.replug();
    await rig.until(() => seen.ups === 2, 'port-up after replug');
    await rig.until(() => rig.deviceLines().length === 2, 'queued lines after reconnect');
    expect(rig.deviceLines()).toEqual(['$PXXX,QUEUED,2', '$PXXX,QUEUED,1']);
    expect(link.counters()).toMatchObject({ reconnects: 1, drops: { 'queue-full': 0, preempted: 0, expired: 0, closed: 0, disconnected: 0, superseded: 0 } });
    rig.deviceSend(`${VDM}\r\n`);
    await rig.until(() => seen.lines.length === 1, 'input after reconnect');
  });
}

describe('SerialLink contract: simulated twin', () => {
  contract(async () => simRig());
});

describe.skipIf(!socatAvailable)(
  `SerialLink contract: pseudo-terminals${socatAvailable ? '' : ' (skipped: socat is not installed; apt-get install socat)'}`,
  () => {
    contract(ptyRig);
  },
  PTY_TEST_TIMEOUT_MS,
);
