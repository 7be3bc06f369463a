/**
 * A real `signalk-server` (the npm package, a devDependency) as a child process for end-to-end tests: a throw-away
 * config directory with NMEA 0183 TCP client providers, no security, no mDNS, none of the server's own NMEA/TCP
 * listeners, and our plugin (integrations/signalk/) installed the way `npm install <folder>` installs it — a
 * symlink in the config directory's node_modules, where the server looks for plugins.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const SIGNALK_BIN = resolve('node_modules/signalk-server/bin/signalk-server');
export const PLUGIN_DIR = resolve('integrations/signalk');
export const signalKInstalled = (): boolean => existsSync(SIGNALK_BIN);

/** A port the OS had free a moment ago: the server takes its port from its settings and has no "any free port". */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface SignalK {
  readonly port: number;
  readonly dir: string;
  readonly child: ChildProcess;
  /** What the server printed, for a failing test's message. */
  output(): string;
  /** GET a REST path; undefined while the server does not answer or has no such path. */
  get(path: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** An NMEA 0183 connection: Signal K connects as a TCP client; `id` is the provider ID its deltas carry. */
export interface NmeaTcpProvider {
  readonly id: string;
  readonly host: string;
  readonly port: number;
}

/** `trusted`: the provider IDs the plugin takes `$PMIBV` from (its `providers` setting). */
export async function startSignalK(providers: readonly NmeaTcpProvider[], trusted: readonly string[]): Promise<SignalK> {
  const dir = mkdtempSync(join(tmpdir(), 'mibc-signalk-'));
  const port = await freePort();
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(PLUGIN_DIR, join(dir, 'node_modules', 'signalk-mibc-ais'), 'dir');
  mkdirSync(join(dir, 'plugin-config-data'));
  writeFileSync(join(dir, 'plugin-config-data', 'mibc-ais.json'), JSON.stringify({ enabled: true, configuration: { providers: trusted } }));
  writeFileSync(
    join(dir, 'settings.json'),
    JSON.stringify({
      port,
      mdns: false,
      interfaces: { 'nmea-tcp': false, tcp: false, appstore: false, mfd_webapp: false, wasm: false, playground: false },
      pipedProviders: providers.map((p) => ({
        id: p.id,
        enabled: true,
        pipeElements: [{ type: 'providers/simple', options: { logging: false, type: 'NMEA0183', subOptions: { type: 'tcp', host: p.host, port: p.port } } }],
      })),
    }),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, SIGNALK_DISABLE_SERVER_UPDATES: '1' };
  // Settings that would override ours: security on, plugins off, another config directory.
  for (const k of ['SECURITYSTRATEGY', 'DISABLEPLUGINS', 'PORT', 'SIGNALK_NODE_CONFIG_DIR', 'SIGNALK_NODE_CONDFIG_DIR', 'SIGNALK_NODE_SETTINGS']) delete env[k];
  const child = spawn(process.execPath, [SIGNALK_BIN, '-c', dir], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString('utf8')).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return {
    port,
    dir,
    child,
    output: () => out,
    async get(path) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
        return res.ok ? await res.json() : undefined;
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
