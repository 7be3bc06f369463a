/**
 * Acceptance: `mibc-ais run` as a process, with a card in a virtual reader of a real pcscd (vsmartcard's vpcd; the
 * card is our applet, served from this process) and no permit file, starts, signs own-ship reports in mode 2, and a
 * receiver holding only the public parameters shows `V`. Pulling the card raises TOKEN_REMOVED. Serial ports are
 * pseudo-terminals (socat). Skipped, with the reason, when pcscd, vpcd, the PC/SC binding or socat is missing.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { SimTransponder } from '../../bench/link/transponder.js';
import { loadParams } from '../../cli/filters.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { parseStatus } from '../../firmware/status.js';
import { VpcdCard } from '../../hal/token-vpcd.js';
import { encodeAis, encodeVdm } from '../../nmea/index.js';
import { writePermitToCard } from '../../provisioning/index.js';
import { PtyCable, socatAvailable, until } from '../firmware/daemon/_pty.js';
import { startPrivatePcsc } from '../_pcsc-stack.js';
import { applianceFiles, type ApplianceFiles } from './_appliance-files.js';
import { SimulatedCardToken, TokenApplet } from './_token-hal.js';

const VESSEL = 237_000_041;
const USER = '2468';
const ADMIN = '13579111';
const enc = new TextEncoder();
const pcsc = socatAvailable ? await startPrivatePcsc() : 'socat is not installed';
if (typeof pcsc === 'string') console.warn(`mibc-ais run with a PC/SC card skipped: ${pcsc}`);

interface LogLine {
  msg: string;
  [key: string]: unknown;
}

describe.skipIf(typeof pcsc === 'string')('mibc-ais run with its permit on a card behind pcscd + vpcd', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mibc-run-pcsc-'));
  let files: ApplianceFiles;
  let ship: PtyCable;
  let radio: PtyCable;
  let card: VpcdCard | undefined;

  beforeAll(async () => {
    files = applianceFiles(join(dir, 'appliance'), 'run pcsc', VESSEL, Math.floor(Date.now() / 1000));
    ship = new PtyCable(dir, 'ship');
    radio = new PtyCable(dir, 'radio');
    await ship.plugIn();
    await radio.plugIn();
  });

  afterAll(async () => {
    await card?.remove();
    await ship?.pullOut();
    await radio?.pullOut();
    if (typeof pcsc !== 'string') await pcsc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts without a permit file, signs, a receiver shows V; pulling the card raises TOKEN_REMOVED', async () => {
    if (typeof pcsc === 'string') return;
    const applet = new TokenApplet({ userPin: enc.encode(USER), adminPin: enc.encode(ADMIN) });
    await writePermitToCard(new SimulatedCardToken(applet).transmit, new Uint8Array(readFileSync(files.permit('card.permit'))), ADMIN);
    card = await VpcdCard.insert(applet, { port: pcsc.port });

    const credentials = join(dir, 'credentials');
    mkdirSync(credentials, { mode: 0o700 });
    writeFileSync(join(credentials, 'token-pin'), `${USER}\n`, { mode: 0o400 });
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({
      ports: { ship: { path: ship.appPath, pace: false }, radio: { path: radio.appPath, pace: false } },
      topology: 'attached',
      mode: 2,
      status: { port: 0 },
      keys: { params: files.params, deviceKey: files.deviceKey, authority: files.authority },
      state: { dir: join(dir, 'state') },
      token: { kind: 'pcsc', reader: pcsc.reader, waitMs: 60_000 },
      // A busy machine may take longer than the 500-ms budget for the first signature; this test is about the key source.
      timing: { latencyBudgetMs: 20_000, hangThresholdMs: 60_000 },
    }));
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'run', '--config', configPath], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, CREDENTIALS_DIRECTORY: credentials },
    });
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const logs: LogLine[] = [];
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        logs.push(JSON.parse(text) as LogLine);
      } catch {
        // not a log line
      }
    });
    await until(() => logs.some((l) => l.msg === 'ready') || child.exitCode !== null, 'the daemon to become ready', 120_000);
    expect(child.exitCode).toBeNull();
    expect(logs.some((l) => l.alarm === 'TOKEN_REMOVED')).toBe(false);

    const own = encodeVdm(encodeAis({ type: 1, repeat: 0, mmsi: VESSEL, status: 0, turn: -128, speed: 111, accuracy: true, lon: 2_400_000, lat: 31_800_000, course: 900, heading: 90, second: 5, maneuver: 0, spare: 0, raim: false, radio: 0 }), { formatter: 'VDO', channel: 'A' });
    for (const l of own) ship.send(l);
    // The signature message is complete with its last fragment (BBM field 2 = field 1).
    await until(() => radio.lines.some((l) => /^!..BBM,(\d),\1,/.test(l)), 'the signature message on the radio port', 60_000);
    const now = Date.now();
    const air = new SimTransponder(VESSEL);
    const onAir = [...air.push(own, now), ...air.push([...radio.lines], now)].flatMap((m) => m.lines);
    const rx = new SecureRx({}, { params: loadParams(files.params) });
    const statuses = onAir.flatMap((l) => rx.push(l, now + 100)).filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l)!);
    expect(statuses.filter((s) => s.result !== 'U').map((s) => s.result)).toEqual(['V']);

    await card.remove();
    card = undefined;
    await until(() => logs.some((l) => l.alarm === 'TOKEN_REMOVED'), 'TOKEN_REMOVED', 60_000);

    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
