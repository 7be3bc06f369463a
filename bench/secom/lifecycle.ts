/**
 * The key-renewal lifecycle end to end (docs/secom.md "Key renewal"), as `mibc-ais secom demo` shows it and the
 * end-to-end test checks it: the authority's SECOM service (`secom serve-authority`) and the vessel side
 * (`secom renew --listen`) run as separate processes on loopback TLS; the appliance is the real daemon in this
 * process on a simulated clock, its only key (provisioned by card) two minutes from the end of its epoch.
 *   access request → decision → Access Notification → permit Upload to the vessel's server → delivered →
 *   written over keys.permit + SIGHUP → installed by the daemon → opened → signing across the boundary, each report
 *   checked by a receiver that holds only the public parameters.
 * The epoch renewed is the one after the real clock's (the authority grants the current and the next), so the run
 * does not depend on the time of day. Every wait is for an event (a line from a child, its exit) with a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Daemon } from '../../firmware/daemon/index.js';
import { epochOf } from '../../firmware/epoch.js';
import { deviceKeyFromSecret } from '../../firmware/permit/index.js';
import { FakeClock } from '../../hal/index.js';
import { MIN_SCRYPT_LOG_N, Pkg, setupPkg } from '../../provisioning/pkg/index.js';
import { createRoot, issueLeaf, issueTlsServer, type SecomIdentity } from '../../provisioning/secom/index.js';
import { startSimAppliance } from './sim-appliance.js';

export interface LifecycleOptions {
  /** How to start `mibc-ais` (e.g. [node, '--import', 'tsx', 'cli/main.ts']). */
  readonly cli: readonly string[];
  /** One readable line per step. */
  readonly trace: (line: string) => void;
  /** Deadline for each awaited event. Default 180 s (a busy machine starts TypeScript children slowly). */
  readonly deadlineMs?: number;
}

export interface LifecycleResult {
  readonly ok: boolean;
  /** The vessel side's final line. */
  readonly renewal: { transactionId?: string; sequence?: number; installed?: boolean };
  readonly vesselExit: number | null;
  readonly authorityExit: number | null;
  /** action:code of each SECOM register entry the authority printed, in order. */
  readonly authority: readonly string[];
  /** The vessel side's progress steps, in order. */
  readonly vesselSteps: readonly string[];
  /** Seconds from the epoch boundary → what the receiver showed for that report ('V' verified). */
  readonly acrossBoundary: readonly { readonly at: number; readonly results: readonly string[] }[];
  /** Reports the appliance let through unsigned, by cause (must all be 0). */
  readonly bypassed: Readonly<Record<string, number>>;
  readonly keyExpiresSoonBefore: boolean;
}

const MMSI = 237_000_061;
const MRN = 'urn:mrn:mcp:vessel:gr:mmsi:237000061';
const PASSPHRASE = 'renewal demo passphrase, not a real one';
const DAY = 86_400_000;

/** Lines of a child's stream, as events. */
function lines(child: ChildProcess, stream: 'stdout' | 'stderr', on: (line: string) => void): void {
  const s = child[stream];
  if (s !== null) createInterface({ input: s }).on('line', on);
}

function waitFor<T>(what: string, deadlineMs: number, register: (resolve: (v: T) => void, reject: (e: Error) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: nothing within ${Math.round(deadlineMs / 1000)} s`)), deadlineMs);
    register(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

export async function runRenewalLifecycle(o: LifecycleOptions): Promise<LifecycleResult> {
  const deadline = o.deadlineMs ?? 180_000;
  const say = o.trace;
  const root = mkdtempSync(join(tmpdir(), 'mibc-secom-lifecycle-'));
  const children: ChildProcess[] = [];
  let daemon: Daemon | undefined;
  let onHup: (() => void) | undefined;
  try {
    // The authority: a PKG with one-day epochs. The renewed epoch is the next one by the real clock.
    const dir = join(root, 'pkg');
    const passFile = join(root, 'passphrase');
    writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    await setupPkg({ dir, passphrase: PASSPHRASE, epochDays: 1, scryptLogN: MIN_SCRYPT_LOG_N, authorityMmsi: 2_371_000 });
    const epochSeconds = (JSON.parse(readFileSync(join(dir, 'params.json'), 'utf8')) as { epochSeconds: number }).epochSeconds;
    const epoch = epochOf(Math.floor(Date.now() / 1000), epochSeconds) + 1;
    const epochEndMs = (epoch + 1) * epochSeconds * 1000;

    // The appliance as provisioned by card earlier: the key of `epoch` only.
    const appliance = join(root, 'appliance');
    mkdirSync(join(appliance, 'state'), { recursive: true, mode: 0o700 });
    const secret = new Uint8Array(32).fill(0x61);
    const device = deviceKeyFromSecret(secret);
    const deviceSecret = join(appliance, 'device-secret.json');
    writeFileSync(deviceSecret, JSON.stringify({ format: 'mibc-ais-device-secret', version: 1, secretKey: bytesToHex(secret) }), { mode: 0o600 });
    writeFileSync(join(appliance, 'device-key.json'), JSON.stringify({ format: 'mibc-ais-device-key', version: 1, publicKey: bytesToHex(device.publicKey) }));
    {
      const pkg = await Pkg.open(dir, PASSPHRASE);
      try {
        const keys = await pkg.extract({ kind: 'mmsi', mmsi: MMSI, mrn: MRN }, epoch, 1);
        writeFileSync(join(appliance, 'keys.permit'), await pkg.permit(device.publicKey, [keys]), { mode: 0o600 });
      } finally {
        await pkg.close();
      }
    }

    // Certificates: the authority's SECOM root, signing and TLS; the fleet's identity provider, the vessel's
    // signing certificate and its operator's TLS server.
    const validity = { notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 30 * DAY) };
    const file = (name: string, text: string, mode = 0o644) => {
      const path = join(root, name);
      writeFileSync(path, text, { mode });
      return path;
    };
    const keyPem = (id: SecomIdentity) => id.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const authorityRoot = await createRoot({ mrn: 'urn:mrn:mcp:org:gr:pkg', commonName: 'PKG SECOM root', ...validity });
    const authority = await issueLeaf({ mrn: 'urn:mrn:mcp:service:gr:pkg:secom', commonName: 'PKG SECOM service', ...validity }, authorityRoot);
    const authorityTls = await issueTlsServer({ mrn: 'urn:mrn:mcp:service:gr:pkg:secom', commonName: 'localhost', ips: ['127.0.0.1'], ...validity }, authorityRoot);
    const fleetRoot = await createRoot({ mrn: 'urn:mrn:mcp:org:gr:fleet-idp', commonName: 'Fleet identity provider', ...validity });
    const vessel = await issueLeaf({ mrn: MRN, commonName: 'MV Renewal', ...validity }, fleetRoot);
    const vesselTls = await issueTlsServer({ mrn: MRN, commonName: 'localhost', ips: ['127.0.0.1'], ...validity }, fleetRoot);
    const f = {
      authorityRoot: file('authority-root.pem', authorityRoot.certificate.toString('pem')),
      authorityCert: file('authority.pem', authority.certificate.toString('pem')),
      authorityKey: file('authority-key.pem', keyPem(authority), 0o600),
      authorityTlsCert: file('authority-tls.pem', authorityTls.cert),
      authorityTlsKey: file('authority-tls-key.pem', authorityTls.key, 0o600),
      fleetRoot: file('fleet-root.pem', fleetRoot.certificate.toString('pem')),
      vesselCert: file('vessel.pem', vessel.certificate.toString('pem')),
      vesselKey: file('vessel-key.pem', keyPem(vessel), 0o600),
      vesselTlsCert: file('vessel-tls.pem', vesselTls.cert),
      vesselTlsKey: file('vessel-tls-key.pem', vesselTls.key, 0o600),
    };

    // The appliance: the real daemon on a simulated clock, two minutes before its key expires.
    const clock = new FakeClock(epochEndMs - 120_000);
    const sim = await startSimAppliance({
      mmsi: MMSI, clock, pkgDir: dir, permit: join(appliance, 'keys.permit'), deviceKey: deviceSecret, stateDir: join(appliance, 'state'),
    });
    daemon = sim.daemon;
    const running = daemon;
    // As `mibc-ais run` does: SIGHUP re-reads keys.permit.
    onHup = () => {
      say('appliance   SIGHUP: re-reading keys.permit');
      void running.reloadKeys('permit').then((r) => {
        say(`appliance   reload: ${JSON.stringify(r).slice(0, 160)}`);
      });
    };
    process.on('SIGHUP', onHup);
    let speed = 100;
    const report = (): Promise<string[]> => sim.signedAtReceiver(++speed);

    say(`epoch       ${epoch} ends ${new Date(epochEndMs).toISOString()}; appliance clock ${new Date(clock.utcNow()).toISOString()} (key expires in 120 s)`);
    clock.advance(1_000);
    say(`receiver    own-ship report before renewal: ${(await report()).join(',') || 'nothing verified'}`);
    const keyExpiresSoonBefore = daemon.alarms.has('KEY_EXPIRES_SOON');
    say(`appliance   alarm KEY_EXPIRES_SOON ${keyExpiresSoonBefore ? 'raised' : 'not raised'}`);

    // The authority's service, a separate process.
    const authorityLog: string[] = [];
    const authorityLines: ((r: { secom?: { action: string; code: string } }) => void)[] = [];
    const authorityChild = spawn(o.cli[0]!, [
      ...o.cli.slice(1), 'secom', 'serve-authority', '--dir', dir, '--passphrase-file', passFile, '--listen', '127.0.0.1:0',
      '--tls-cert', f.authorityTlsCert, '--tls-key', f.authorityTlsKey, '--cert', f.authorityCert, '--key', f.authorityKey, '--cert-root', f.authorityRoot,
      '--trust', f.fleetRoot, '--consumer-ca', f.fleetRoot,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(authorityChild);
    lines(authorityChild, 'stderr', (l) => say(`authority   ${l}`));
    const url = await waitFor<string>('the authority service to listen', deadline, (resolve, reject) => {
      authorityChild.once('exit', (code) => reject(new Error(`the authority service exited (${code}) before listening`)));
      lines(authorityChild, 'stdout', (l) => {
        let r: { command?: string; url?: string; secom?: { action: string; code: string; transactionId?: string; detail?: string } };
        try {
          r = JSON.parse(l) as typeof r;
        } catch {
          say(`authority   ${l}`);
          return;
        }
        if (r.command === 'serve-authority' && r.url !== undefined) {
          say(`authority   listening at ${r.url} (pid ${authorityChild.pid}), catalogue from the PKG directory`);
          resolve(r.url);
        }
        if (r.secom !== undefined) {
          authorityLog.push(`${r.secom.action}:${r.secom.code}`);
          say(`authority   register: ${r.secom.action} ${r.secom.code}${r.secom.detail === undefined ? '' : ` (${r.secom.detail})`}`);
          for (const w of authorityLines) w(r);
        }
      });
    });

    // The vessel side, a separate process with its own SECOM server.
    const vesselSteps: string[] = [];
    const vesselChild = spawn(o.cli[0]!, [
      ...o.cli.slice(1), 'secom', 'renew', '--authority', url, '--ca', f.authorityRoot, '--authority-root', f.authorityRoot,
      '--cert', f.vesselCert, '--key', f.vesselKey, '--cert-root', f.fleetRoot, '--mmsi', String(MMSI),
      '--device-key', join(appliance, 'device-key.json'), '--params', join(dir, 'params.json'), '--permit-out', join(appliance, 'keys.permit'),
      '--state-dir', join(appliance, 'state'), '--notify-pid', String(process.pid), '--epoch', String(epoch), '--wait-seconds', String(Math.round(deadline / 1000)),
      '--listen', '127.0.0.1:0', '--tls-cert', f.vesselTlsCert, '--tls-key', f.vesselTlsKey,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(vesselChild);
    let renewal: LifecycleResult['renewal'] = {};
    lines(vesselChild, 'stdout', (l) => {
      try {
        renewal = JSON.parse(l) as LifecycleResult['renewal'];
        say(`vessel      result ${l}`);
      } catch {
        say(`vessel      ${l}`);
      }
    });
    lines(vesselChild, 'stderr', (l) => {
      try {
        const p = JSON.parse(l) as Record<string, unknown> & { step?: string; event?: string };
        if (p.step !== undefined) vesselSteps.push(p.step);
        const { step, event, kind: _k, transactionId, ...rest } = p;
        const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
        say(`vessel      ${step ?? `server: ${String(event)}`}${transactionId === undefined ? '' : ` tx ${String(transactionId).slice(0, 8)}…`} ${fields}`.trimEnd());
      } catch {
        say(`vessel      ${l}`);
      }
    });
    const opened = waitFor<void>('the authority to record the opened acknowledgement', deadline, (resolve) => {
      if (authorityLog.includes('acknowledgement:OPENED')) resolve();
      authorityLines.push((r) => {
        if (r.secom?.action === 'acknowledgement' && r.secom.code === 'OPENED') resolve();
      });
    });
    const vesselExit = await waitFor<number | null>('the vessel side to finish', deadline, (resolve) => void exitOf(vesselChild).then(resolve));
    say(`vessel      exit ${vesselExit}`);
    if (vesselExit === 0) await opened;
    else opened.catch(() => undefined);

    // Across the boundary: one report each 30 s from 60 s before it to 90 s after it.
    const acrossBoundary: { at: number; results: string[] }[] = [];
    clock.advance(Math.max(0, epochEndMs - 60_000 - clock.utcNow()));
    for (let t = 0; t < 6; t += 1) {
      const results = await report();
      const at = Math.round((clock.utcNow() - epochEndMs) / 1000);
      acrossBoundary.push({ at, results });
      say(`receiver    report at boundary ${at >= 0 ? '+' : ''}${at} s: ${results.join(',') || 'NOT VERIFIED (plain)'}`);
      clock.advance(30_000);
    }
    const counters = daemon.status().counters.shipBypassed as unknown as Record<string, number>;
    const bypassed = Object.fromEntries(Object.entries(counters).filter(([, n]) => typeof n === 'number'));
    say(`appliance   reports let through unsigned: ${JSON.stringify(bypassed)}`);

    authorityChild.kill('SIGTERM');
    const authorityExit = await waitFor<number | null>('the authority service to stop', deadline, (resolve) => void exitOf(authorityChild).then(resolve));
    say(`authority   stopped, exit ${authorityExit}`);
    const ok = vesselExit === 0 && authorityExit === 0 && renewal.installed === true && authorityLog.includes('acknowledgement:OPENED')
      && acrossBoundary.every((r) => r.results.length === 1 && r.results[0] === 'V') && Object.values(bypassed).every((n) => n === 0);
    say(ok ? 'lifecycle   OK: renewed through SECOM, installed, signed across the epoch boundary' : 'lifecycle   FAILED');
    return { ok, renewal, vesselExit, authorityExit, authority: authorityLog, vesselSteps, acrossBoundary, bypassed, keyExpiresSoonBefore };
  } finally {
    if (onHup !== undefined) process.off('SIGHUP', onHup);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await daemon?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
