/**
 * The appliance daemon (DESIGN.md §1): ship port ⇄ pipeline ⇄ radio port, with the fail-safe around it.
 *
 * - The bypass relay (de-energised = plain AIS straight through) is engaged only while the daemon runs, both
 *   ports are up and the pipeline is healthy; start-up, a port loss, a hung or failed pipeline and shutdown all
 *   leave it released.
 * - The pipeline's key tables are built (`prepare`) before READY, so the first own-ship report is as fast as the rest.
 * - The pipeline is synchronous, so received lines are stamped on arrival and queued (bounded), and the queues are
 *   worked in slices that yield to IO. Own-ship lines go first. An own-ship line that waited longer than the
 *   latency budget, overflowed the queue or made the pipeline throw is sent in mode 1 (`pipeline.bypass`) only
 *   where the pipeline allows plain (`plainAllowed`: mode 1, and mode 2 as configured); otherwise (modes 3–5) it is
 *   withheld, counted by reason and OWN_SHIP_WITHHELD is raised — confidentiality never fails open.
 * - No input ends the daemon: a throw from a per-line pipeline call is a counted rejection (PIPELINE_ERROR), and
 *   processing goes on.
 * - The service watchdog is pinged only while the pipeline is healthy: a call that runs past the hang threshold
 *   withholds the pings (and, if it ever returns, latches the pipeline as hung), so systemd kills and restarts the
 *   service while ExecStopPost keeps the relay released.
 * - Mode comes from the config file (reloadable) or the front-panel switch; alarms are kept on an AlarmBoard.
 * - Trusted time (hal/clock-trust.ts) comes from the ship port's GNSS sentences (ZDA/RMC) only; the pipeline is told
 *   every change (`setTimeTrusted`: mode 5 and amortised `V` need it). Base-station UTC heard on the air (message 4)
 *   only feeds the CLOCK_DISAGREES cross-check: anyone can transmit it.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import {
  BypassRelay,
  DebouncedInput,
  StatusLed,
  TrustedTime,
  UtcCrossCheck,
  startWatchdog,
  systemClock,
  type Clock,
  type GpioProvider,
  type KeyToken,
  type LedPattern,
  type SerialDrop,
  type SerialLink,
  type SerialSupersede,
  type ServiceNotifier,
  type TimerHandle,
  type TimeTrustStatus,
  type UtcSample,
  type WatchdogHandle,
  readCredential,
} from '../../hal/index.js';
import { DAY, DEFAULT_WARN_DAYS } from '../permit/index.js';
import type { Mode, OwnShipFailure, Pipeline, PipelineCounters, PipelineOutput, Priority, Side, VerifyOverload } from '../pipeline.js';
import { AlarmBoard, type ActiveAlarm, type AlarmCode } from './alarms.js';
import { keysNeedingRestart, type DaemonConfig, type PortConfig } from './config.js';
import { DaemonError } from './errors.js';
import { ownShipKey } from './own-ship-key.js';
import { shipUtcMs } from './ship-time.js';
import { memoryStatus, type MemoryStatus } from './memory.js';
import { ShipTable } from './ship-table.js';
import { startStatusServer, type StatusServer } from './status-server.js';

/**
 * Builds the secure pipeline for a configuration (loads keys, params and permit from the configured paths).
 * Called once per daemon start; a throw or rejection keeps the relay in bypass and fails the start.
 */
export type PipelineFactory = (config: DaemonConfig, token?: KeyToken) => Pipeline | Promise<Pipeline>;

/**
 * Builds a pipeline with a newer permit (from the token just inserted, or the permit inbox) while the old one keeps
 * running; undefined when the permit installs nothing new. A throw leaves the running keys in place.
 */
export type KeyReloader = (config: DaemonConfig, token?: KeyToken) => Promise<Pipeline | undefined>;

export type KeyReloadResult = 'installed' | 'unchanged' | 'refused';

/** Expiry of one installed key, as firmware/permit's InstalledKey carries it. */
export interface KeyValidity {
  readonly kind: string;
  readonly identity: string;
  /** UTC seconds. */
  readonly notAfter: number;
  /** False for a record a permit carried already expired: left out, alarmed until a new permit replaces it. */
  readonly installed?: boolean;
}

export interface DaemonDeps {
  createPipeline: PipelineFactory;
  /** Opens (creates, not yet started) the serial link of one side. */
  openLink: (side: Side, port: PortConfig) => SerialLink;
  notifier: ServiceNotifier;
  logger: Logger;
  clock?: Clock;
  /** Required when the config has a `gpio` section. */
  gpio?: GpioProvider;
  /** The key token whose removal the dongle rule watches (S-63 §11.2); none = no token in this deployment. */
  token?: KeyToken;
  /** Installed keys, for KEY_EXPIRED / KEY_EXPIRES_SOON. */
  keyValidity?: () => readonly KeyValidity[];
  /** Installs a newer permit without a restart; none = keys change only with a restart. */
  reloadKeys?: KeyReloader;
  /** Schedules the next processing slice after pending IO; defaults to setImmediate. */
  defer?: (fn: () => void) => void;
  /** Watchdog ping interval; defaults to the notifier's ($WATCHDOG_USEC / 2). */
  watchdogIntervalMs?: number;
}

/** Received lines waiting for the pipeline, per side: about 5 s of a full 38400 Bd port (46 lines/s). */
export const INPUT_QUEUE_LIMIT = 256;
/** Lines worked per slice before yielding to IO, and the time a slice may take. */
export const SLICE_LINE_LIMIT = 64;
export const SLICE_TIME_MS = 20;
/** A transient alarm (CRYPTO_BEHIND, SAFETY_LINE_DROPPED, VERIFY_OVERLOAD) stays raised this long after its last occurrence. */
export const TRANSIENT_ALARM_HOLD_MS = 30_000;
/** Key expiry moves in days; a minute is prompt enough and costs nothing. */
export const KEY_CHECK_INTERVAL_MS = 60_000;
/**
 * An own-ship report that waited longer than this on the radio port while a newer one of the same ship and type is
 * queued is replaced by it: 2 s is the shortest Class A reporting interval (ITU-R M.1371-5 Table 1, above 23 kn or
 * turning), so a report this old has a newer one behind it that says more. Younger reports all go out.
 */
export const OWN_SHIP_USEFUL_AGE_MS = 2_000;
/** Safety lines remembered as already re-sent once after a disconnect, so a flapping port cannot loop them. */
export const REQUEUE_MEMORY_LIMIT = 64;

export type DaemonState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';
export type PipelineHealth = 'starting' | 'healthy' | 'hung' | 'failed';
export type ShipBypassReason = 'latency' | 'input-queue-full' | 'degraded' | 'pipeline-error' | 'token-removed';
const SHIP_BYPASS_REASONS: readonly ShipBypassReason[] = ['latency', 'input-queue-full', 'degraded', 'pipeline-error', 'token-removed'];
const noReasons = (): Record<ShipBypassReason, number> => Object.fromEntries(SHIP_BYPASS_REASONS.map((r) => [r, 0])) as Record<ShipBypassReason, number>;

export interface DaemonCounters {
  /** Lines received from each port, and lines handed to each port's output queue. */
  lines: Record<Side, { in: number; out: number }>;
  /** Own-ship lines through `pipeline.fromShip`. */
  shipSecured: number;
  /** Own-ship lines sent in mode 1 instead, by reason (only while the pipeline allows plain). */
  shipBypassed: Record<ShipBypassReason, number>;
  /** Own-ship lines neither secured nor sent, by reason: the mode does not allow them in clear. */
  shipWithheld: Record<ShipBypassReason, number>;
  /** Radio lines that made the pipeline throw: counted and not shown. */
  radioRejected: number;
  /** Radio lines dropped before the pipeline because the input queue was full. */
  radioInputDropped: number;
  /** Radio lines forwarded plain to the ship side while the pipeline was unhealthy. */
  radioDegraded: number;
  /** Pipeline output lines the link refused as malformed (a pipeline bug). */
  outputRefused: number;
  /** Safety lines re-sent after being lost in flight at a disconnect. */
  safetyRequeued: number;
  /** Radio-port lines of own-ship reports replaced, while still waiting, by a newer report of the same ship and type. */
  shipSuperseded: number;
  pipelineErrors: number;
}

export interface PortStatus {
  path: string;
  state: string;
  queued: Record<Priority, number>;
  linesIn: number;
  linesOut: number;
  overlongLines: number;
  drops: Record<string, number>;
  portDowns: number;
  reconnects: number;
}

export interface DaemonStatus {
  state: DaemonState;
  ready: boolean;
  health: PipelineHealth;
  topology: DaemonConfig['topology'];
  mode: Mode | undefined;
  relay: 'bypass' | 'inline' | 'none';
  uptimeMs: number;
  /** The daemon's UTC, ms: what key validity and alarms are judged against (the page shows expiry by it). */
  utcMs: number;
  /** Monotonic ms from start() to READY=1. */
  startupMs: number | undefined;
  alarms: ActiveAlarm[];
  /** Installed keys and when each stops being usable: kind, identity and end only, never key material. */
  keys: KeyValidity[];
  ports: Partial<Record<Side, PortStatus>>;
  counters: DaemonCounters;
  pipeline: PipelineCounters;
  inputQueued: Record<Side, number>;
  watchdog: { pings: number; withheld: number };
  utc: ReturnType<UtcCrossCheck['status']>;
  /** Whether system time is confirmed by the ship's GNSS (what the pipeline was last told). */
  time: TimeTrustStatus;
  /** The process's memory by component (sizes only), for the soak and the operator (docs/memory.md). */
  memory: MemoryStatus;
}

export interface DaemonEvents {
  ready: [];
  mode: [Mode];
  /** A newer permit was installed without a restart; the argument names its source (token, inbox). */
  'keys-reloaded': [string];
}

interface Queued {
  readonly line: string;
  /** Monotonic arrival time. */
  readonly at: number;
}

const SIDES: readonly Side[] = ['ship', 'radio'];

/** Alarms that say own-ship reports are not all leaving secured: the secure LED does not claim them. */
const UNSECURED_ALARMS: readonly AlarmCode[] = ['CRYPTO_BEHIND', 'OWN_SHIP_WITHHELD', 'OWN_SHIP_UNSECURED', 'KEY_EXPIRED'];

export class Daemon extends EventEmitter<DaemonEvents> {
  readonly alarms: AlarmBoard;
  readonly #deps: DaemonDeps;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #defer: (fn: () => void) => void;
  readonly #utc: UtcCrossCheck;
  readonly #time: TrustedTime;
  #config: DaemonConfig;
  #state: DaemonState = 'created';
  #health: PipelineHealth = 'starting';
  #pipeline: Pipeline | undefined;
  readonly #links = new Map<Side, SerialLink>();
  readonly #queues: Record<Side, Queued[]> = { ship: [], radio: [] };
  #relay: BypassRelay | undefined;
  readonly #leds: Partial<Record<'power' | 'secure' | 'alarm', StatusLed>> = {};
  #modeSwitch: DebouncedInput | undefined;
  #tamper: DebouncedInput | undefined;
  #watchdog: WatchdogHandle | undefined;
  #server: StatusServer | undefined;
  /** What the display port was shown, for the status page. */
  readonly #ships: ShipTable;
  /** The keys of the last expiry check. */
  #keys: KeyValidity[] = [];
  #tickTimer: TimerHandle | undefined;
  #keyTimer: TimerHandle | undefined;
  #scheduled = false;
  #busy = false;
  /** The token is out and the mode (3–5) must not fall back to plain: own-ship lines are withheld. */
  #tokenHold = false;
  /** Monotonic start of the pipeline call in progress, for the watchdog's view of a hang. */
  #inCallSince: number | undefined;
  #startedAt = 0;
  #startupMs: number | undefined;
  #readyResolve: (() => void) | undefined;
  readonly #readyPromise: Promise<void>;
  #stopPromise: Promise<void> | undefined;
  /** Numbers the own-ship messages for the radio queue's supersede keys. */
  #messageSeq = 0;
  /** Messages refused for the total verification budget while VERIFY_OVERLOAD is raised. */
  #overloadRefused = 0;
  readonly #requeued = new Set<string>();
  /** Key reloads run one after another: two cards or an inbox file at once must not race their installs. */
  #reloading: Promise<unknown> = Promise.resolve();
  readonly #tokenListeners: { removed: () => void; inserted: () => void } = {
    removed: () => this.#tokenChanged(false),
    inserted: () => this.#tokenChanged(true),
  };
  readonly #counters: DaemonCounters = {
    lines: { ship: { in: 0, out: 0 }, radio: { in: 0, out: 0 } },
    shipSecured: 0,
    shipBypassed: noReasons(),
    shipWithheld: noReasons(),
    radioRejected: 0,
    radioInputDropped: 0,
    radioDegraded: 0,
    outputRefused: 0,
    safetyRequeued: 0,
    shipSuperseded: 0,
    pipelineErrors: 0,
  };

  constructor(config: DaemonConfig, deps: DaemonDeps) {
    super();
    if (config.gpio !== undefined && deps.gpio === undefined) throw new TypeError('"deps.gpio" is required when the config has a gpio section');
    this.#config = config;
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#log = deps.logger;
    this.#defer = deps.defer ?? ((fn) => setImmediate(fn));
    this.#ships = new ShipTable({ limit: config.status.ships });
    this.alarms = new AlarmBoard(this.#clock, this.#log.child({ component: 'alarms' }));
    this.alarms.on('raised', () => this.#updateLeds());
    this.alarms.on('cleared', () => this.#updateLeds());
    this.#utc = new UtcCrossCheck({ clock: this.#clock });
    this.#utc.on('disagree', (d) => this.alarms.raise('CLOCK_DISAGREES', d.source, `offset ${Math.round(d.offsetMs)} ms > ${d.toleranceMs} ms`));
    this.#utc.on('agree', (a) => this.alarms.clear('CLOCK_DISAGREES', a.source));
    this.#time = new TrustedTime({ clock: this.#clock });
    this.#time.on('change', (status) => this.#timeTrustChanged(status));
    this.#readyPromise = new Promise((resolve) => {
      this.#readyResolve = resolve;
    });
  }

  get state(): DaemonState {
    return this.#state;
  }

  get health(): PipelineHealth {
    return this.#health;
  }

  get config(): DaemonConfig {
    return this.#config;
  }

  /** Resolves when READY=1 has been sent (ports open, pipeline healthy). */
  whenReady(): Promise<void> {
    return this.#readyPromise;
  }

  /** The status endpoint's port once started. */
  get statusPort(): number | undefined {
    return this.#server?.port;
  }

  /**
   * Opens GPIO (relay released first), the status endpoint, the pipeline and both ports, and starts the
   * watchdog. Resolves once everything is started; READY follows when both ports are up (see whenReady()).
   */
  async start(): Promise<void> {
    if (this.#state !== 'created') throw new DaemonError('DAEMON_STATE', `start() in state ${this.#state}`);
    this.#state = 'starting';
    this.#startedAt = this.#clock.monotonicNow();
    try {
      this.#openGpio();
      this.#updateLeds();
      const { port, host, auth } = this.#config.status;
      this.#server = await startStatusServer({
        port,
        host,
        ...(auth === undefined ? {} : { auth: { user: auth.user, password: readStatusPassword(auth.passwordCredential) } }),
        status: () => this.status(),
        ships: () => this.#ships.snapshot(),
        monotonicNow: () => this.#clock.monotonicNow(),
        logger: this.#log,
      });
      this.#log.info({ statusPort: this.#server.port, topology: this.#config.topology, mode: this.#config.mode }, 'starting');
      this.#watchToken();
      try {
        this.#pipeline = await this.#deps.createPipeline(this.#config, this.#deps.token);
        // Tables built now, not in the first own-ship report: it would miss the latency budget on every start.
        this.#pipeline.prepare?.(this.#clock.utcNow());
      } catch (error) {
        this.#health = 'failed';
        const message = error instanceof Error ? error.message : String(error);
        this.alarms.raise('PIPELINE_FAILED', '-', `initialisation: ${message}`);
        throw error instanceof DaemonError ? error : new DaemonError('PIPELINE_INIT', `the pipeline could not be created: ${message}`, { cause: error });
      }
      this.#health = 'healthy';
      this.#checkTokenAtStart();
      this.#tellTimeTrust();
      this.#applyMode('start');
      for (const side of SIDES) this.#openLink(side);
      this.#checkKeys();
      this.#scheduleTick();
      this.#state = 'running';
      this.#watchdog = startWatchdog({
        notifier: this.#deps.notifier,
        healthy: () => this.#watchdogHealthy(),
        clock: this.#clock,
        ...(this.#deps.watchdogIntervalMs === undefined ? {} : { intervalMs: this.#deps.watchdogIntervalMs }),
        onError: (error) => this.#log.warn({ err: error }, 'watchdog ping failed'),
      });
      this.#evaluate();
    } catch (error) {
      await this.stop('start failed');
      throw error;
    }
  }

  /** Orderly shutdown: relay released first, then the watchdog, ports, GPIO and status endpoint. */
  stop(reason = 'shutdown'): Promise<void> {
    this.#stopPromise ??= this.#stop(reason);
    return this.#stopPromise;
  }

  /** Applies a reloaded configuration: the mode now; everything else is reported as needing a restart. */
  reload(next: DaemonConfig): void {
    const restart = keysNeedingRestart(this.#config, next);
    if (restart.length > 0) this.#log.warn({ keys: restart }, 'configuration changes that need a restart were not applied');
    this.#config = { ...this.#config, mode: next.mode };
    this.alarms.clear('CONFIG_RELOAD_FAILED');
    this.#log.info({ mode: next.mode }, 'configuration reloaded');
    this.#applyMode('config');
  }

  /** A reload that could not be read or validated: the running configuration stays. */
  reloadFailed(error: Error): void {
    this.alarms.raise('CONFIG_RELOAD_FAILED', '-', error.message);
  }

  /** GNSS or AIS base-station UTC, for the clock cross-check (CLOCK_DISAGREES). */
  feedUtc(sample: UtcSample): void {
    this.#utc.feed(sample);
  }

  status(): DaemonStatus {
    const ports: Partial<Record<Side, PortStatus>> = {};
    for (const [side, link] of this.#links) {
      const c = link.counters();
      ports[side] = {
        path: link.path,
        state: link.state,
        queued: link.queued(),
        linesIn: c.linesIn,
        linesOut: c.linesOut,
        overlongLines: c.overlongLines,
        drops: { ...c.drops },
        portDowns: c.portDowns,
        reconnects: c.reconnects,
      };
    }
    return {
      state: this.#state,
      ready: this.#startupMs !== undefined,
      health: this.#health,
      topology: this.#config.topology,
      mode: this.#pipeline?.mode,
      // A closed relay line is released: de-energised is bypass.
      relay: this.#relay === undefined ? 'none' : this.#state === 'stopped' ? 'bypass' : this.#relay.state,
      uptimeMs: this.#state === 'created' ? 0 : this.#clock.monotonicNow() - this.#startedAt,
      utcMs: this.#clock.utcNow(),
      startupMs: this.#startupMs,
      alarms: this.alarms.active(),
      keys: this.#keys.map(({ kind, identity, notAfter, installed }) => ({ kind, identity, notAfter, ...(installed === undefined ? {} : { installed }) })),
      ports,
      counters: structuredClone(this.#counters),
      pipeline: this.#pipeline?.counters() ?? {},
      inputQueued: { ship: this.#queues.ship.length, radio: this.#queues.radio.length },
      watchdog: { pings: this.#watchdog?.pings ?? 0, withheld: this.#watchdog?.withheld ?? 0 },
      utc: this.#utc.status(),
      time: this.#time.status(),
      memory: memoryStatus(),
    };
  }

  // ── set-up ────────────────────────────────────────────────────────────────────────────────────────────────

  #openGpio(): void {
    const pins = this.#config.gpio;
    const provider = this.#deps.gpio;
    if (pins === undefined || provider === undefined) return;
    // The relay first and released, before anything else can fail.
    this.#relay = new BypassRelay(provider, pins.bypassRelay, { activeLow: pins.relayActiveLow });
    this.#relay.on('change', (state) => this.#log.info({ relay: state }, `relay ${state}`));
    for (const name of ['power', 'secure', 'alarm'] as const) {
      const bcm = pins.leds[name];
      if (bcm !== undefined) this.#leds[name] = new StatusLed(provider, bcm, { clock: this.#clock });
    }
    const debounce = { clock: this.#clock, ...(pins.debounceMs === undefined ? {} : { debounceMs: pins.debounceMs }) };
    if (pins.modeSwitch !== undefined) {
      this.#modeSwitch = new DebouncedInput(provider, pins.modeSwitch, { ...debounce, activeLow: pins.modeSwitchActiveLow });
      this.#modeSwitch.on('change', (position) => {
        this.#log.info({ position }, 'mode switch moved');
        this.#applyMode('switch');
      });
    }
    if (pins.tamper !== undefined) {
      this.#tamper = new DebouncedInput(provider, [pins.tamper], { ...debounce, activeLow: pins.tamperActiveLow });
      const tamper = (open: number): void => this.alarms.set('TAMPER', '-', open === 1, 'tamper switch open');
      this.#tamper.on('change', tamper);
      tamper(this.#tamper.value);
    }
  }

  #watchToken(): void {
    const token = this.#deps.token;
    if (token === undefined) return;
    token.on('removed', this.#tokenListeners.removed);
    token.on('inserted', this.#tokenListeners.inserted);
  }

  /** After the pipeline is built: a PC/SC monitor reports a card already in the reader only just after it starts. */
  #checkTokenAtStart(): void {
    const token = this.#deps.token;
    if (token !== undefined && !token.present) this.alarms.raise('TOKEN_REMOVED', '-', 'no token at start-up');
  }

  #tokenChanged(present: boolean): void {
    this.alarms.set('TOKEN_REMOVED', '-', !present, 'token removed');
    this.#applyMode('token');
    if (present && this.#pipeline !== undefined) void this.reloadKeys('token');
  }

  /**
   * Installs a newer permit without a restart. The new pipeline is built (permit checked, keys unwrapped, self-test)
   * while the old one keeps signing, then put in its place between two slices — there is never a moment without a
   * valid key. The new pipeline starts with a fresh replay cache and the start-up barrier (cli/run-pipeline.ts), so
   * received secured messages of the few seconds around the swap are refused rather than possibly replayed. Mode 5's
   * nonce marks are read from the state directory on the new pipeline's first send, after the swap, so it continues
   * above every mark the old one reserved.
   */
  reloadKeys(source: string): Promise<KeyReloadResult> {
    const run = this.#reloading.then(() => this.#reloadKeys(source));
    this.#reloading = run.catch(() => undefined);
    return run;
  }

  async #reloadKeys(source: string): Promise<KeyReloadResult> {
    const reload = this.#deps.reloadKeys;
    if (reload === undefined || this.#state !== 'running') return 'unchanged';
    let next: Pipeline | undefined;
    try {
      next = await reload(this.#config, this.#deps.token);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.alarms.raise('KEY_RELOAD_FAILED', source, message);
      this.#log.warn({ source, err: error }, 'new permit not installed; the keys in use are kept');
      return 'refused';
    }
    this.alarms.clear('KEY_RELOAD_FAILED', source);
    if (next === undefined || this.#state !== 'running') return 'unchanged';
    const from = this.#pipeline?.mode;
    this.#pipeline = next;
    this.#tellTimeTrust();
    this.#applyMode('start');
    if (this.#keyTimer !== undefined) this.#clock.clearTimeout(this.#keyTimer);
    this.#checkKeys();
    this.#log.info({ source, mode: next.mode, previousMode: from }, 'keys reloaded');
    this.emit('keys-reloaded', source);
    return 'installed';
  }

  #openLink(side: Side): void {
    const link = this.#deps.openLink(side, this.#config.ports[side]);
    this.#links.set(side, link);
    const log = this.#log.child({ port: side });
    link.on('line', (line) => this.#received(side, line));
    link.on('port-up', () => {
      log.info({ path: link.path, reconnects: link.counters().reconnects }, 'port up');
      this.alarms.clear('PORT_DOWN', side);
      this.#evaluate();
    });
    link.on('port-down', ({ error, retryInMs }) => {
      // Every failed reopen raises port-down; the alarm (and its log line) is per transition, retries are debug.
      log.debug({ err: error, retryInMs }, 'port down, reopening');
      if (this.#state !== 'stopping' && this.#state !== 'stopped') this.alarms.raise('PORT_DOWN', side, error.message);
      this.#evaluate();
    });
    link.on('overlong', ({ atLeast }) => log.debug({ atLeast }, 'overlong line discarded'));
    link.on('drop', (drop) => this.#dropped(side, link, drop));
    link.start();
  }

  // ── traffic ───────────────────────────────────────────────────────────────────────────────────────────────

  #received(side: Side, line: string): void {
    this.#counters.lines[side].in += 1;
    const at = this.#clock.monotonicNow();
    if (side === 'ship') {
      // The ship's own GNSS: stamped on arrival, so queueing delay never counts as clock offset.
      const utcMs = shipUtcMs(line);
      if (utcMs !== undefined) {
        this.#time.feed({ utcMs, receivedAtMonotonicMs: at });
        this.#utc.feed({ source: 'gnss', utcMs, receivedAtMonotonicMs: at });
      }
    }
    const queue = this.#queues[side];
    if (queue.length >= INPUT_QUEUE_LIMIT) {
      const oldest = queue.shift() as Queued;
      if (side === 'ship') {
        // Own-ship traffic is not left to age in a full queue: the oldest line goes out in mode 1 now where the
        // mode allows it, and is withheld otherwise.
        this.alarms.pulse('CRYPTO_BEHIND', '-', `own-ship input queue full (${INPUT_QUEUE_LIMIT} lines)`, TRANSIENT_ALARM_HOLD_MS);
        this.#bypassShip(oldest.line, 'input-queue-full');
      } else {
        this.#counters.radioInputDropped += 1;
        this.alarms.pulse('LINES_DROPPED', 'radio-in', `radio input queue full (${INPUT_QUEUE_LIMIT} lines): oldest dropped`, TRANSIENT_ALARM_HOLD_MS);
      }
    }
    queue.push({ line, at });
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#defer(() => {
      this.#scheduled = false;
      this.#work();
    });
  }

  /** One slice: own-ship lines first, then radio lines, until the slice's line or time limit. */
  #work(): void {
    if (this.#busy || this.#state === 'stopped') return;
    this.#busy = true;
    const sliceStart = this.#clock.monotonicNow();
    try {
      for (let n = 0; n < SLICE_LINE_LIMIT; n += 1) {
        const ship = this.#queues.ship.shift();
        if (ship !== undefined) this.#processShip(ship);
        else {
          const radio = this.#queues.radio.shift();
          if (radio === undefined) break;
          this.#processRadio(radio);
        }
        if (this.#clock.monotonicNow() - sliceStart >= SLICE_TIME_MS) break;
      }
    } finally {
      this.#busy = false;
    }
    if (this.#queues.ship.length > 0 || this.#queues.radio.length > 0) this.#schedule();
  }

  #processShip(item: Queued): void {
    if (this.#health !== 'healthy' || this.#pipeline === undefined) {
      this.#bypassShip(item.line, 'degraded');
      return;
    }
    if (this.#tokenHold) {
      this.#bypassShip(item.line, 'token-removed');
      return;
    }
    const waited = this.#clock.monotonicNow() - item.at;
    if (waited > this.#config.timing.latencyBudgetMs) {
      this.alarms.pulse('CRYPTO_BEHIND', '-', `own-ship line waited ${Math.round(waited)} ms`, TRANSIENT_ALARM_HOLD_MS);
      this.#bypassShip(item.line, 'latency');
      return;
    }
    const pipeline = this.#pipeline;
    const outputs = this.#call('fromShip', () => pipeline.fromShip(item.line, this.#clock.utcNow()));
    if (outputs === undefined) {
      this.#bypassShip(item.line, 'pipeline-error');
      return;
    }
    this.#counters.shipSecured += 1;
    this.#emit(outputs, this.#supersede(item.line));
    this.#ownShipFailures(pipeline);
  }

  /** Own-ship messages the pipeline could not secure (counted there): alarmed by what became of them and why. */
  #ownShipFailures(pipeline: Pipeline): void {
    let failures: OwnShipFailure[] = [];
    try {
      failures = pipeline.takeFailures?.() ?? [];
    } catch (error) {
      this.#rejected('takeFailures', error);
    }
    for (const f of failures) {
      if (f.action === 'dropped') this.alarms.pulse('OWN_SHIP_WITHHELD', f.code, f.message, TRANSIENT_ALARM_HOLD_MS);
      else this.alarms.pulse('OWN_SHIP_UNSECURED', f.code, `${f.action}: ${f.message}`, TRANSIENT_ALARM_HOLD_MS);
    }
  }

  #processRadio(item: Queued): void {
    const pipeline = this.#pipeline;
    if (this.#health !== 'healthy' || pipeline === undefined) {
      // Mode 1 behaviour: received traffic reaches the ECDIS unaltered rather than not at all.
      this.#counters.radioDegraded += 1;
      this.#send({ side: 'ship', line: item.line, priority: 'normal' });
      return;
    }
    const outputs = this.#call('fromRadio', () => pipeline.fromRadio(item.line, this.#clock.utcNow()));
    // A line the pipeline threw on is not shown: it was neither verified nor flagged by the pipeline.
    if (outputs === undefined) this.#counters.radioRejected += 1;
    else this.#emit(outputs);
    // Base stations announce UTC (message 4): the clock cross-check's AIS reference, fed as soon as heard.
    for (const r of pipeline.takeUtcReports?.() ?? []) this.feedUtc({ source: 'ais-base-station', utcMs: r.utcMs });
    const overload = pipeline.takeVerifyOverload?.();
    if (overload !== undefined) this.#verifyOverload(overload);
  }

  /**
   * The receiver's total verification budget is spent: a flood, and genuine ships may go unverified with it. Pulsed,
   * so it is raised (and logged) once per episode however long the flood lasts, and clears when no message has been
   * refused for the hold time; the detail carries the episode's count.
   */
  #verifyOverload(o: VerifyOverload): void {
    if (!this.alarms.has('VERIFY_OVERLOAD')) this.#overloadRefused = 0;
    this.#overloadRefused += o.refused;
    const detail = `BUDGET_TOTAL: ${this.#overloadRefused} secured messages not verified, total budget ${o.totalRate}/s spent`;
    this.alarms.pulse('VERIFY_OVERLOAD', 'radio', detail, TRANSIENT_ALARM_HOLD_MS);
  }

  /**
   * An own-ship line that cannot be secured: mode 1 where the pipeline allows plain (if even `bypass` throws, the
   * line is forwarded unaltered, mode 1's definition), otherwise withheld — counted, with OWN_SHIP_WITHHELD.
   */
  #bypassShip(line: string, reason: ShipBypassReason): void {
    const pipeline = this.#pipeline;
    if (pipeline !== undefined && !this.#plainAllowed(pipeline)) {
      this.#counters.shipWithheld[reason] += 1;
      this.alarms.pulse('OWN_SHIP_WITHHELD', reason, `mode ${pipeline.mode} does not send in clear`, TRANSIENT_ALARM_HOLD_MS);
      return;
    }
    this.#counters.shipBypassed[reason] += 1;
    let outputs: PipelineOutput[] | undefined;
    if (pipeline !== undefined && this.#health !== 'failed') {
      try {
        outputs = pipeline.bypass(line);
      } catch (error) {
        this.#rejected('bypass', error);
      }
    }
    this.#emit(outputs ?? [{ side: 'radio', line, priority: 'safety' }], this.#supersede(line));
    if (pipeline !== undefined) this.#ownShipFailures(pipeline);
  }

  /** A pipeline that cannot say whether plain is allowed is treated as not allowing it. */
  #plainAllowed(pipeline: Pipeline): boolean {
    try {
      return pipeline.plainAllowed();
    } catch (error) {
      this.#rejected('plainAllowed', error);
      return false;
    }
  }

  /**
   * Runs one pipeline call, timing it. A throw is a counted rejection of that one input (PIPELINE_ERROR), never
   * the end of the daemon; a call past the hang threshold latches the pipeline as hung; a call past the latency
   * budget is crypto falling behind.
   */
  #call(name: string, fn: () => PipelineOutput[]): PipelineOutput[] | undefined {
    const t0 = this.#clock.monotonicNow();
    this.#inCallSince = t0;
    let outputs: PipelineOutput[];
    try {
      outputs = fn();
    } catch (error) {
      this.#rejected(name, error);
      return undefined;
    } finally {
      this.#inCallSince = undefined;
    }
    const took = this.#clock.monotonicNow() - t0;
    if (took > this.#config.timing.hangThresholdMs) this.#hung(name, took);
    else if (took > this.#config.timing.latencyBudgetMs && name === 'fromShip') {
      this.alarms.pulse('CRYPTO_BEHIND', '-', `${name} took ${Math.round(took)} ms`, TRANSIENT_ALARM_HOLD_MS);
    } else if (took > this.#config.timing.latencyBudgetMs && name === 'fromRadio') {
      // The event loop is one: own-ship lines that arrived meanwhile waited behind this received line.
      this.alarms.pulse('CRYPTO_BEHIND', 'radio', `a received line took ${Math.round(took)} ms; own-ship lines waited behind it`, TRANSIENT_ALARM_HOLD_MS);
    }
    return outputs;
  }

  /** The radio-queue key of the lines one own-ship sentence becomes: a newer report of its ship and type replaces them. */
  #supersede(line: string): SerialSupersede | undefined {
    const key = ownShipKey(line);
    if (key === undefined) return undefined;
    this.#messageSeq += 1;
    return { key, message: this.#messageSeq, usefulMs: OWN_SHIP_USEFUL_AGE_MS };
  }

  #emit(outputs: readonly PipelineOutput[], supersede?: SerialSupersede): void {
    for (const output of outputs) this.#send(output, output.side === 'radio' ? supersede : undefined);
  }

  #send(output: PipelineOutput, supersede?: SerialSupersede): void {
    const link = this.#links.get(output.side);
    if (link === undefined) return;
    if (output.side === 'ship') this.#ships.push(output.line, this.#clock.utcNow());
    try {
      if (link.send(output.line, output.priority, supersede)) this.#counters.lines[output.side].out += 1;
    } catch (error) {
      // A line with CR/LF or over the length limit: the pipeline's bug, counted and logged, not fatal.
      this.#counters.outputRefused += 1;
      this.alarms.pulse('PIPELINE_ERROR', 'output', `a ${output.side} line refused by the link: ${(error as Error).message}`, TRANSIENT_ALARM_HOLD_MS);
      this.#log.warn({ err: error, side: output.side }, 'pipeline output refused by the link');
    }
  }

  #dropped(side: Side, link: SerialLink, drop: SerialDrop): void {
    if (drop.reason === 'closed') {
      this.#log.debug({ port: side, reason: drop.reason, priority: drop.priority }, 'output line dropped at close');
      return;
    }
    if (drop.reason === 'superseded') {
      // Waited on a down or saturated radio port until a newer report of the same ship and type came: replaced.
      this.#counters.shipSuperseded += 1;
      this.alarms.pulse('OWN_SHIP_SUPERSEDED', side, 'own-ship reports waiting on the port replaced by newer ones', TRANSIENT_ALARM_HOLD_MS);
      return;
    }
    if (drop.priority !== 'safety') {
      // Counted by reason in the link's counters (status ports.*.drops); alarmed, never silent.
      this.alarms.pulse('LINES_DROPPED', `${side}-out`, `reason ${drop.reason}`, TRANSIENT_ALARM_HOLD_MS);
      return;
    }
    if (drop.reason === 'disconnected' && !this.#requeued.has(drop.line)) {
      // Lost in flight when the port went away: send it once more after the reconnect. A duplicate own-ship
      // report is harmless on the VDL; a missing one is not.
      this.#requeued.add(drop.line);
      if (this.#requeued.size > REQUEUE_MEMORY_LIMIT) this.#requeued.delete(this.#requeued.values().next().value as string);
      this.#counters.safetyRequeued += 1;
      link.send(drop.line, 'safety');
      return;
    }
    this.alarms.pulse('SAFETY_LINE_DROPPED', side, `reason ${drop.reason}`, TRANSIENT_ALARM_HOLD_MS);
  }

  #scheduleTick(): void {
    this.#tickTimer = this.#clock.setTimeout(() => {
      this.#tickTimer = undefined;
      if (this.#state !== 'running' && this.#state !== 'starting') return;
      this.#time.check();
      // A tick that fires while a pipeline call is in progress (re-entrantly, from inside that call) waits.
      if (!this.#busy && this.#health === 'healthy' && this.#pipeline !== undefined) {
        const pipeline = this.#pipeline;
        this.#busy = true;
        try {
          const outputs = this.#call('tick', () => pipeline.tick(this.#clock.utcNow()));
          if (outputs !== undefined) this.#emit(outputs);
          this.#ownShipFailures(pipeline);
        } finally {
          this.#busy = false;
        }
      }
      this.#scheduleTick();
    }, this.#config.timing.tickIntervalMs);
  }

  // ── health, relay, mode, LEDs ─────────────────────────────────────────────────────────────────────────────

  #watchdogHealthy(): boolean {
    if (this.#health !== 'healthy' || this.#state !== 'running') return false;
    const since = this.#inCallSince;
    return since === undefined || this.#clock.monotonicNow() - since <= this.#config.timing.hangThresholdMs;
  }

  #hung(name: string, tookMs: number): void {
    if (this.#health !== 'healthy') return;
    this.#health = 'hung';
    this.alarms.raise('PIPELINE_HUNG', '-', `${name} took ${Math.round(tookMs)} ms`);
    this.#log.error({ call: name, tookMs }, 'pipeline hung: relay released, watchdog withheld until systemd restarts us');
    void this.#deps.notifier.status('pipeline hung; watchdog withheld').catch(() => undefined);
    this.#evaluate();
  }

  /** One input the pipeline threw on: counted and logged at debug (an attacker can send many), alarm pulsed. */
  #rejected(name: string, error: unknown): void {
    this.#counters.pipelineErrors += 1;
    const message = error instanceof Error ? error.message : String(error);
    this.alarms.pulse('PIPELINE_ERROR', name, message.slice(0, 200), TRANSIENT_ALARM_HOLD_MS);
    this.#log.debug({ err: error, call: name }, 'pipeline threw on one input; counted and skipped');
  }

  /** Re-decides READY and the relay from the current state; called on every change that affects them. */
  #evaluate(): void {
    const running = this.#state === 'running';
    const portsUp = SIDES.every((side) => this.#links.get(side)?.state === 'up');
    const healthy = this.#health === 'healthy';
    if (running && healthy && portsUp && this.#startupMs === undefined) {
      this.#startupMs = this.#clock.monotonicNow() - this.#startedAt;
      this.#log.info({ startupMs: Math.round(this.#startupMs), mode: this.#pipeline?.mode }, 'ready');
      void this.#deps.notifier.ready(`mode ${this.#pipeline?.mode}`).catch((error: unknown) => this.#log.warn({ err: error }, 'READY notification failed'));
      this.#readyResolve?.();
      this.emit('ready');
    }
    if (running && healthy && portsUp) this.#relay?.engage();
    else this.#relay?.release();
    this.#updateLeds();
  }

  #desiredMode(): Mode {
    const position = this.#modeSwitch?.value ?? 0;
    // Position 0 leaves the choice to the config file; 1–5 select that mode.
    return position >= 1 && position <= 5 ? (position as Mode) : this.#config.mode;
  }

  #applyMode(source: 'start' | 'config' | 'switch' | 'token' | 'retry'): void {
    const pipeline = this.#pipeline;
    if (pipeline === undefined) return;
    const position = this.#modeSwitch?.value ?? 0;
    if (position > 5) this.alarms.raise('MODE_UNAVAILABLE', 'switch', `switch position ${position} is not a mode`);
    else this.alarms.clear('MODE_UNAVAILABLE', 'switch');
    const tokenGone = this.#deps.token !== undefined && !this.#deps.token.present && this.#config.policies.tokenRemoved === 'mode1';
    const desired = this.#desiredMode();
    // Without its token the appliance stops speaking for the ship. Mode 2 becomes mode 1 (plain reports, as without
    // the appliance); in modes 3–5 mode 1 would put the real MMSI or the confidential content on air, so own-ship
    // lines are withheld instead until the token is back.
    this.#tokenHold = tokenGone && desired >= 3;
    const target: Mode = tokenGone && desired < 3 ? 1 : desired;
    if (pipeline.mode === target) {
      this.#modeServed(pipeline);
      return;
    }
    const from = pipeline.mode;
    try {
      pipeline.setMode(target);
    } catch (error) {
      const retry = source === 'retry';
      if (!retry || !this.alarms.has('MODE_UNAVAILABLE', 'pipeline')) this.#log.warn({ err: error, from, to: target, source }, 'mode change refused by the pipeline; previous mode kept');
      this.alarms.raise('MODE_UNAVAILABLE', 'pipeline', `mode ${target} refused, mode ${from} kept: ${(error as Error).message}`);
      this.#updateLeds();
      return;
    }
    this.alarms.clear('MODE_UNAVAILABLE', 'pipeline');
    this.#timeAlarm();
    this.#log.info({ from, to: target, source }, `mode ${target}`);
    this.emit('mode', target);
    this.#updateLeds();
  }

  /**
   * The mode asked for is the one the pipeline runs, but its keys may not serve it (built so at start, or a group key
   * expired): kept — a weaker one would be a silent downgrade — but alarmed, and the secure LED not lit.
   */
  #modeServed(pipeline: Pipeline): void {
    const problem = this.#modeProblem(pipeline);
    this.alarms.set('MODE_UNAVAILABLE', 'pipeline', problem !== undefined, `mode ${pipeline.mode} cannot be served: ${problem}`);
    this.#updateLeds();
  }

  #modeProblem(pipeline: Pipeline): string | undefined {
    try {
      return pipeline.modeProblem?.(pipeline.mode);
    } catch (error) {
      this.#rejected('modeProblem', error);
      return 'the pipeline cannot say';
    }
  }

  #timeTrustChanged(status: TimeTrustStatus): void {
    this.#log.info({ time: status }, status.trusted ? 'time trusted' : `time not trusted: ${status.reason}`);
    this.#tellTimeTrust();
  }

  #tellTimeTrust(): void {
    const pipeline = this.#pipeline;
    if (pipeline !== undefined) {
      try {
        pipeline.setTimeTrusted(this.#time.trusted);
      } catch (error) {
        this.#rejected('setTimeTrusted', error);
      }
    }
    this.#timeAlarm();
  }

  /** CLOCK_UNTRUSTED: after trust was lost always; before any reference only in mode 5, which cannot send without it. */
  #timeAlarm(): void {
    const status = this.#time.status();
    const pipeline = this.#pipeline;
    const alarm = !status.trusted && (status.reason !== 'no-reference' || pipeline?.mode === 5);
    const detail = status.reason === 'clock-stepped'
      ? `system clock stepped ${Math.round(status.lastStepMs ?? 0)} ms`
      : status.reason === 'disagrees'
        ? `ship GNSS differs by ${Math.round(status.lastOffsetMs ?? 0)} ms (bound ${this.#time.boundMs} ms)`
        : status.reason === 'reference-lost' ? 'no GNSS time from the ship port' : 'no GNSS time from the ship port yet';
    this.alarms.set('CLOCK_UNTRUSTED', '-', alarm, detail);
  }

  /**
   * KEY_EXPIRED / KEY_EXPIRES_SOON for every key installed from a permit (deps.keyValidity) or loaded from a key
   * file (the pipeline's keyValidity); a mode refused for want of a key is tried again, as a new epoch or group key
   * may have made it servable.
   */
  #checkKeys(): void {
    if (this.alarms.has('MODE_UNAVAILABLE', 'pipeline')) this.#applyMode('retry');
    const now = this.#clock.utcNow() / 1000;
    const keys = new Map<string, KeyValidity>();
    let pipelineKeys: readonly KeyValidity[] = [];
    try {
      pipelineKeys = this.#pipeline?.keyValidity?.() ?? [];
    } catch (error) {
      this.#rejected('keyValidity', error);
    }
    for (const key of [...(this.#deps.keyValidity?.() ?? []), ...pipelineKeys]) {
      // One key named by both: the earlier end counts.
      const subject = `${key.kind}:${key.identity}`;
      const seen = keys.get(subject);
      if (seen === undefined || key.notAfter < seen.notAfter) keys.set(subject, key);
    }
    this.#keys = [...keys.values()];
    const subjects = new Set<string>();
    for (const [subject, key] of keys) {
      subjects.add(subject);
      const left = key.notAfter - now;
      const days = Math.floor(left / DAY);
      this.alarms.set('KEY_EXPIRED', subject, left <= 0, `expired ${-days} days ago${key.installed === false ? '; not installed' : ''}`);
      this.alarms.set('KEY_EXPIRES_SOON', subject, left > 0 && left <= DEFAULT_WARN_DAYS * DAY, `${days} days left`);
    }
    for (const code of ['KEY_EXPIRED', 'KEY_EXPIRES_SOON'] as const) {
      for (const subject of this.alarms.subjects(code)) if (!subjects.has(subject)) this.alarms.clear(code, subject);
    }
    this.#keyTimer = this.#clock.setTimeout(() => {
      this.#keyTimer = undefined;
      if (this.#state === 'running' || this.#state === 'starting') this.#checkKeys();
    }, KEY_CHECK_INTERVAL_MS);
  }

  #updateLeds(): void {
    const { power, secure, alarm } = this.#leds;
    const ready = this.#startupMs !== undefined;
    power?.set(this.#health === 'hung' || this.#health === 'failed' ? 'blink-fast' : ready && this.#state === 'running' ? 'on' : 'blink-slow');
    const inline = this.#relay?.state === 'inline';
    const mode = this.#pipeline?.mode;
    secure?.set(!inline || mode === undefined ? 'off' : mode === 1 ? 'blink-slow' : this.#securing() ? 'on' : 'blink-fast');
    const active = this.alarms.active();
    const pattern: LedPattern = active.some((a) => a.severity === 'alarm') ? 'blink-fast' : active.length > 0 ? 'blink-slow' : 'off';
    alarm?.set(pattern);
  }

  /**
   * Whether the secure mode is delivered: not while the mode cannot be served or own-ship reports are being withheld,
   * sent plain or delayed (their alarms are raised); the secure LED then blinks fast instead of claiming it.
   */
  #securing(): boolean {
    const pipeline = this.#pipeline;
    if (pipeline === undefined || this.#modeProblem(pipeline) !== undefined) return false;
    return !UNSECURED_ALARMS.some((code) => this.alarms.has(code));
  }

  async #stop(reason: string): Promise<void> {
    const wasReady = this.#startupMs !== undefined;
    this.#state = 'stopping';
    // Fail-safe first: plain AIS flows through the relay before anything else is torn down.
    this.#relay?.release();
    this.#log.info({ reason }, 'stopping');
    if (wasReady) await this.#deps.notifier.stopping(reason).catch(() => undefined);
    this.#watchdog?.stop();
    if (this.#tickTimer !== undefined) this.#clock.clearTimeout(this.#tickTimer);
    if (this.#keyTimer !== undefined) this.#clock.clearTimeout(this.#keyTimer);
    const token = this.#deps.token;
    token?.off('removed', this.#tokenListeners.removed);
    token?.off('inserted', this.#tokenListeners.inserted);
    await Promise.all([...this.#links.values()].map((link) => link.close()));
    this.#modeSwitch?.close();
    this.#tamper?.close();
    for (const led of Object.values(this.#leds)) led.close();
    this.#relay?.close();
    await this.#server?.close();
    this.alarms.close();
    this.#state = 'stopped';
    this.#log.info({ counters: this.#counters }, 'stopped');
  }
}

/** The status page's password, from its systemd credential; a missing or unsafe file fails the start. */
function readStatusPassword(name: string): string {
  try {
    return readCredential(name);
  } catch (error) {
    throw new DaemonError('CONFIG_INVALID', `status.auth.passwordCredential: ${(error as Error).message}`, { cause: error });
  }
}
