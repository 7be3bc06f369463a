/**
 * sd_notify without a native addon. Node's dgram cannot send on AF_UNIX datagram sockets and the npm bindings
 * (sd-notify, unix-dgram) are node-gyp builds, so we spawn systemd's own `systemd-notify` with the fields as
 * arguments (hardware-and-deployment.md §4: measured ≈6–8 ms per notification). systemd ≥ 246 follows each message
 * with a BARRIER=1 and waits until the manager has processed it, so the sender can still be attributed to the
 * unit; messages then come from the child's PID, hence `NotifyAccess=all` in the unit. Notifications are sent
 * one at a time, in order, through a bounded queue.
 */
import { spawn } from 'node:child_process';
import { systemClock, type Clock } from './clock.js';
import { NotifyError } from './errors.js';
import { notifyStatusField, watchdogIntervalFromEnv, type ServiceNotifier } from './notify.js';

/** Waiting notifications; only a hung systemd-notify can fill it, and then more pings would not help. */
export const NOTIFY_QUEUE_LIMIT = 8;
/** Longer than systemd-notify's own 5 s barrier timeout, so its exit status is seen rather than cut off. */
export const NOTIFY_TIMEOUT_MS = 6_000;
/** Enough of systemd-notify's complaint to say why it failed. */
const NOTIFY_STDERR_LIMIT = 1024;

/** The slice of child_process.spawn the notifier uses; injected so tests need neither systemd nor a helper. */
export type NotifySpawner = (
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; stdio: ['ignore', 'ignore', 'pipe'] },
) => {
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  kill(signal?: NodeJS.Signals): boolean;
  stderr: { setEncoding(encoding: BufferEncoding): unknown; on(event: 'data', listener: (chunk: string) => void): unknown } | null;
};

export interface SystemdNotifierOptions {
  env?: NodeJS.ProcessEnv;
  pid?: number;
  /** Defaults to `systemd-notify` on PATH. */
  command?: string;
  spawner?: NotifySpawner;
  clock?: Clock;
}

export class SystemdNotifier implements ServiceNotifier {
  readonly enabled: boolean;
  readonly watchdogIntervalMs: number | undefined;
  readonly #socket: string | undefined;
  readonly #command: string;
  readonly #spawn: NotifySpawner;
  readonly #clock: Clock;
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  #pingPending = false;

  constructor(options: SystemdNotifierOptions = {}) {
    const env = options.env ?? process.env;
    this.#socket = env.NOTIFY_SOCKET === '' ? undefined : env.NOTIFY_SOCKET;
    this.enabled = this.#socket !== undefined;
    this.watchdogIntervalMs = this.enabled ? watchdogIntervalFromEnv(env, options.pid ?? process.pid) : undefined;
    this.#command = options.command ?? 'systemd-notify';
    this.#spawn = options.spawner ?? (spawn as unknown as NotifySpawner);
    this.#clock = options.clock ?? systemClock;
  }

  ready(status?: string): Promise<void> {
    return this.#send(['READY=1', ...(status === undefined ? [] : [notifyStatusField(status)])]);
  }

  watchdog(): Promise<void> {
    // A ping still waiting in the queue says the same thing; do not stack them up behind a slow manager.
    if (this.#pingPending) return Promise.resolve();
    this.#pingPending = true;
    return this.#send(['WATCHDOG=1'], () => (this.#pingPending = false));
  }

  stopping(status?: string): Promise<void> {
    return this.#send(['STOPPING=1', ...(status === undefined ? [] : [notifyStatusField(status)])]);
  }

  status(text: string): Promise<void> {
    return this.#send([notifyStatusField(text)]);
  }

  #send(fields: string[], onStart?: () => void): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) {
      onStart?.();
      return Promise.resolve();
    }
    const label = fields.join(' ');
    if (this.#pending >= NOTIFY_QUEUE_LIMIT) {
      onStart?.();
      return Promise.reject(new NotifyError(label, { cause: new Error(`${NOTIFY_QUEUE_LIMIT} notifications already waiting`) }));
    }
    this.#pending += 1;
    const run = this.#tail.then(() => {
      onStart?.();
      return this.#spawnOne(socket, fields, label);
    });
    const done = run.finally(() => (this.#pending -= 1));
    this.#tail = done.catch(() => undefined);
    return done;
  }

  #spawnOne(socket: string, fields: string[], label: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = this.#spawn(this.#command, fields, {
        env: { ...process.env, NOTIFY_SOCKET: socket },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk) => {
        if (stderr.length < NOTIFY_STDERR_LIMIT) stderr += chunk;
      });
      const timer = this.#clock.setTimeout(() => child.kill('SIGKILL'), NOTIFY_TIMEOUT_MS);
      child.once('error', (error) => {
        this.#clock.clearTimeout(timer);
        reject(new NotifyError(label, { cause: error }));
      });
      child.once('exit', (code, signal) => {
        this.#clock.clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new NotifyError(label, { cause: new Error(`${this.#command} exited ${code ?? signal}: ${stderr.trim()}`) }));
      });
    });
  }
}
