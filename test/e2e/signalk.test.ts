/**
 * End to end into a real consumer (docs/integrations.md): `mibc-ais rx` serves its display output on
 * `tcp-listen://`, a real `signalk-server` reads it as an NMEA 0183 TCP client with our plugin installed, and
 * Signal K's own REST API shows the secured vessels at the positions that were signed, their `$PMIBV` results as
 * `communication.aisSecurity`, a spoofer's failure as F with its reason and a notification, and a plain report
 * under a secured vessel's MMSI as unverified.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../firmware/keyfile.js';
import type { OwnIdentity } from '../../firmware/keyring.js';
import { reportDigest } from '../../firmware/rx/report-digest.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { formatStatus } from '../../firmware/status.js';
import { encodeAis, encodeVdm, type AisMessage } from '../../nmea/index.js';
import { epochAt, seededRandom, testPkg, type TestPkg } from '../firmware/_pkg.js';
import { freePort, signalKInstalled, startSignalK, type SignalK } from './signalk-server.js';

const ALICE = 244_123_456;
const BOB = 244_234_567;
const CAROL = 244_345_678;
const MALLORY = 244_666_666;
const CANARY = 211_999_999;
/** The server takes seconds to start and the signatures are checked on a busy machine: generous, never asserted. */
const DEADLINE_MS = 150_000;

/** Minutes of arc × 10⁴, the unit of ITU-R M.1371 positions. */
const pos = (deg: number): number => Math.round(deg * 600_000);
const POSITIONS = {
  [ALICE]: { lon: pos(23.61), lat: pos(37.94) },
  [BOB]: { lon: pos(23.65), lat: pos(37.93) },
  [CAROL]: { lon: pos(23.58), lat: pos(37.9) },
  spoofed: { lon: pos(24.2), lat: pos(38.3) },
} as const;

function classA(mmsi: number, at: { lon: number; lat: number }, nowMs: number): AisMessage {
  return {
    type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed: 124, accuracy: true, lon: at.lon, lat: at.lat, course: 2150, heading: 215,
    second: new Date(nowMs).getUTCSeconds(), maneuver: 0, spare: 0, raim: false, radio: 0,
  };
}

function classB(mmsi: number, at: { lon: number; lat: number }, nowMs: number): AisMessage {
  return {
    type: 18, repeat: 0, mmsi, reserved: 0, speed: 61, accuracy: false, lon: at.lon, lat: at.lat, course: 900, heading: 91,
    second: new Date(nowMs).getUTCSeconds(), regional: 0, cs: true, display: false, dsc: true, band: true, msg22: true, assigned: false,
    raim: false, radio: 917510,
  };
}

const skPosition = (p: { lon: number; lat: number }) => ({ longitude: p.lon / 600_000, latitude: p.lat / 600_000 });

interface Vessel {
  mmsi?: string;
  navigation?: { position?: { value?: { longitude: number; latitude: number } } };
  communication?: { aisSecurity?: { value?: { status: string; mode: number | 'A' | null; identity: string | null; reason: string | null; report: string | null } } };
}
type Vessels = Record<string, Vessel>;
const vesselOf = (vessels: Vessels | undefined, mmsi: number): Vessel | undefined => vessels?.[`urn:mrn:imo:mmsi:${String(mmsi).padStart(9, '0')}`];
const securityOf = (v: Vessel | undefined) => v?.communication?.aisSecurity?.value;
const positionOf = (v: Vessel | undefined) => v?.navigation?.position?.value;
const near = (a: { longitude: number; latitude: number } | undefined, b: { longitude: number; latitude: number }) =>
  a !== undefined && Math.abs(a.longitude - b.longitude) < 1e-6 && Math.abs(a.latitude - b.latitude) < 1e-6;

let pkg: TestPkg;
let dir: string;
let rx: ChildProcess | undefined;
let rxErrors = '';
let signalK: SignalK | undefined;
/** A second NMEA 0183 connection into Signal K that is not the appliance (another AIS receiver, a laptop on the LAN). */
let other: Server | undefined;
const otherClients = new Set<Socket>();
const identities = new Map<number, OwnIdentity>();

function identity(mmsi: number): OwnIdentity {
  let id = identities.get(mmsi);
  if (id === undefined) {
    const e = epochAt(Date.now(), pkg.params);
    id = pkg.identity(mmsi, [e, e + 1]);
    identities.set(mmsi, id);
  }
  return id;
}

function signer(mmsi: number, topology: 'inline' | 'attached' = 'inline'): SecureTx {
  return new SecureTx({ mode: 2, emit: 'vdm', ownShip: 'any', topology }, { params: pkg.params, identity: identity(mmsi) }, seededRandom(`signalk ${mmsi} ${topology} ${Date.now()}`));
}

function send(lines: readonly string[]): void {
  rx!.stdin!.write(`${lines.join('\n')}\n`);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, each?: () => void): Promise<T> {
  const end = Date.now() + DEADLINE_MS;
  for (;;) {
    each?.();
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}\n--- signalk-server ---\n${signalK?.output() ?? ''}\n--- mibc-ais rx ---\n${rxErrors}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

const installed = signalKInstalled();

describe.skipIf(!installed)(`Signal K as the display of mibc-ais rx${installed ? '' : ' — skipped: the signalk-server devDependency is not installed'}`, () => {
  beforeAll(async () => {
    pkg = testPkg('signalk e2e');
    dir = mkdtempSync(join(tmpdir(), 'mibc-signalk-rx-'));
    writeFileSync(join(dir, 'params.json'), JSON.stringify({ format: 'mibc-ais-params', version: 1, params: bytesToHex(pkg.paramsBytes), epochSeconds: pkg.params.epochSeconds }));
    const rxPort = await freePort();
    // The CLI as an operator runs it: received NMEA on stdin, the display output served on TCP.
    rx = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'rx', '--params', join(dir, 'params.json'), '--out', `tcp-listen://127.0.0.1:${rxPort}`], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    rx.stderr!.on('data', (b: Buffer) => (rxErrors = (rxErrors + b.toString('utf8')).slice(-20_000)));
    // An rx that died is reported by the deadline's message (its stderr), not by an EPIPE thrown at the test.
    rx.stdin!.on('error', (e) => (rxErrors += `\nstdin: ${e.message}`));
    other = createServer((socket) => {
      otherClients.add(socket);
      socket.on('close', () => otherClients.delete(socket));
      socket.on('error', () => socket.destroy());
    });
    await new Promise<void>((r) => other!.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    const otherPort = (other.address() as { port: number }).port;
    signalK = await startSignalK(
      [
        { id: 'appliance', host: '127.0.0.1', port: rxPort },
        { id: 'other', host: '127.0.0.1', port: otherPort },
      ],
      ['appliance'],
    );
    // The listener drops output while no client is connected: a plain canary report, repeated, shows when Signal K is.
    const canary = encodeVdm(encodeAis(classA(CANARY, POSITIONS[CAROL], Date.now())), { channel: 'A', seqId: 0 });
    await until('Signal K to show the canary vessel', async () => vesselOf((await signalK!.get('/signalk/v1/api/vessels')) as Vessels, CANARY), () => send(canary));
  }, DEADLINE_MS + 60_000);

  afterAll(async () => {
    if (rx && rx.exitCode === null && rx.signalCode === null) {
      const exited = new Promise<void>((r) => rx!.once('exit', () => r()));
      rx.kill('SIGTERM');
      const timer = setTimeout(() => rx!.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await signalK?.stop();
    for (const c of otherClients) c.destroy();
    await new Promise<void>((r) => (other ? other.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('shows the secured vessels at their signed positions with V, the spoofer with F and a notification, a plain copy as U', async () => {
    const now = Date.now();
    const alice = signer(ALICE).secure(encodeAis(classA(ALICE, POSITIONS[ALICE], now)), ALICE, 1, now);
    // Attached topology: the plain report first (U), then its signature; the appliance repeats the report before V.
    const bob = signer(BOB, 'attached').secure(encodeAis(classB(BOB, POSITIONS[BOB], now)), BOB, 18, now);
    const carol = signer(CAROL).secure(encodeAis(classA(CAROL, POSITIONS[CAROL], now)), CAROL, 1, now);
    // A fleet insider signs with his own key a report that names Alice at a false position: WRONG_SENDER.
    const mallory = signer(MALLORY).secure(encodeAis(classA(ALICE, POSITIONS.spoofed, now)), MALLORY, 1, now);
    // A radio outsider transmits a plain report under Carol's MMSI after her signed one.
    const outsider = encodeVdm(encodeAis(classA(CAROL, POSITIONS.spoofed, now)), { channel: 'B', seqId: 3 });
    send([...alice, ...bob, ...carol, ...mallory, ...outsider]);

    const vessels = await until('the secured vessels, the spoofer and the plain copy in Signal K', async () => {
      const v = (await signalK!.get('/signalk/v1/api/vessels')) as Vessels | undefined;
      const settled =
        securityOf(vesselOf(v, ALICE))?.status === 'V' &&
        securityOf(vesselOf(v, BOB))?.status === 'V' &&
        securityOf(vesselOf(v, MALLORY))?.status === 'F' &&
        near(positionOf(vesselOf(v, CAROL)), skPosition(POSITIONS.spoofed));
      return settled ? v : undefined;
    });

    for (const mmsi of [ALICE, BOB] as const) {
      const v = vesselOf(vessels, mmsi);
      expect(near(positionOf(v), skPosition(POSITIONS[mmsi])), `position of ${mmsi}: ${JSON.stringify(positionOf(v))}`).toBe(true);
      expect(securityOf(v)).toMatchObject({ status: 'V', mode: 2, identity: String(mmsi), reason: null });
      expect(securityOf(v)?.report).toMatch(/^[0-9A-F]{16}$/);
    }
    // The insider's false position for Alice is never shown; his own MMSI carries the failure and its reason.
    expect(securityOf(vesselOf(vessels, MALLORY))).toMatchObject({ status: 'F', reason: 'WRONG_SENDER' });
    expect(positionOf(vesselOf(vessels, MALLORY))).toBeUndefined();
    // The outsider's plain report is what Signal K plots for Carol now, and it is not shown as verified.
    expect(securityOf(vesselOf(vessels, CAROL))).toMatchObject({ status: 'U' });
    expect(securityOf(vesselOf(vessels, CANARY))).toMatchObject({ status: 'U' });

    const notification = (await signalK!.get('/signalk/v1/api/vessels/self/notifications/security/ais/verificationFailed')) as
      | { value?: { state: string; message: string; mmsi: string; reason: string } }
      | undefined;
    expect(notification?.value).toMatchObject({ state: 'alarm', mmsi: String(MALLORY), reason: 'WRONG_SENDER' });
    expect(notification?.value?.message).toContain(String(MALLORY));

    // Carol's next signed report puts her back at her own position, verified.
    const later = Date.now();
    send(signer(CAROL).secure(encodeAis(classA(CAROL, POSITIONS[CAROL], later)), CAROL, 1, later));
    const carol2 = await until('Carol verified again at her signed position', async () => {
      const v = vesselOf((await signalK!.get('/signalk/v1/api/vessels')) as Vessels | undefined, CAROL);
      return securityOf(v)?.status === 'V' ? v : undefined;
    });
    expect(near(positionOf(carol2), skPosition(POSITIONS[CAROL])), JSON.stringify(positionOf(carol2))).toBe(true);
    expect(securityOf(carol2)).toMatchObject({ status: 'V', mode: 2, identity: String(CAROL) });
  }, DEADLINE_MS * 2 + 30_000);

  it('another connection cannot make Signal K show a forged V: its report makes the vessel U, its $PMIBV is refused', async () => {
    await until('Signal K connected to the other source', async () => (otherClients.size > 0 ? true : undefined));
    const sendOther = (lines: readonly string[]) => {
      for (const c of otherClients) c.write(`${lines.map((l) => `${l}\r\n`).join('')}`);
    };
    // A plain report under Bob's MMSI straight into Signal K: no status follows it, so Bob must not stay V.
    const now = Date.now();
    sendOther(encodeVdm(encodeAis(classB(BOB, POSITIONS.spoofed, now)), { channel: 'B', seqId: 5 }));
    const bob = await until('Bob plotted from the other source', async () => {
      const v = vesselOf((await signalK!.get('/signalk/v1/api/vessels')) as Vessels | undefined, BOB);
      return near(positionOf(v), skPosition(POSITIONS.spoofed)) ? v : undefined;
    });
    expect(securityOf(bob)).toMatchObject({ status: 'U', reason: null });

    // A forged status naming exactly the report just sent, well-formed and with the right digest: refused.
    const forged = encodeAis(classA(ALICE, POSITIONS.spoofed, now));
    const vdm = encodeVdm(forged, { channel: 'A', seqId: 6 });
    const status = formatStatus({ result: 'V', mode: 2, source: ALICE, identity: ALICE, messageType: 1, second: Math.floor(now / 1000), report: reportDigest(forged) });
    sendOther([...vdm, status]);
    const alice = await until('the forged status refused', async () => {
      const v = vesselOf((await signalK!.get('/signalk/v1/api/vessels')) as Vessels | undefined, ALICE);
      return securityOf(v)?.reason === 'UNTRUSTED_SOURCE' ? v : undefined;
    });
    expect(near(positionOf(alice), skPosition(POSITIONS.spoofed))).toBe(true);
    expect(securityOf(alice)).toMatchObject({ status: 'U', reason: 'UNTRUSTED_SOURCE' });
  }, DEADLINE_MS * 2 + 30_000);
});
