/**
 * The daemon's configuration file (`mibc-ais run --config FILE`, JSON). The zod schema is the single description
 * of the file: it fills defaults, rejects unknown keys (a misspelt key must not silently fall back to a default on
 * a device that runs unattended) and produces the error text, one line per problem, each naming the key path.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Mode } from '../pipeline.js';
import { ENDPOINT_FORMS, parseEndpoint } from '../../hal/endpoint.js';
import { DaemonError } from './errors.js';
import { isLoopbackHost, LOOPBACK_HOST } from './loopback.js';

/** A port path of this form is a simulated port (hal SimSerialBus), for bench and smoke runs without hardware. */
export const SIM_PORT_PREFIX = 'sim:';

/**
 * Per-line latency budget for secured sending: an own-ship line that waited longer than this for the pipeline
 * goes out in mode 1 instead where the mode allows it (`policies.plainFallback`), and is withheld otherwise. Position reports repeat every 2–10 s (ITU-R M.1371-5 Table 1); half a second of
 * added delay keeps the report well inside its reporting interval.
 */
export const DEFAULT_LATENCY_BUDGET_MS = 500;
/** One pipeline call longer than this is a hang: no mcl-wasm operation comes near it (DESIGN.md §3, ≈ 5 ms). */
export const DEFAULT_HANG_THRESHOLD_MS = 5_000;
/** How often the pipeline's `tick` runs (fragment expiries, scheduled transmissions). */
export const DEFAULT_TICK_INTERVAL_MS = 1_000;

/** The paper's operating modes 1–5 (firmware/pipeline.ts `Mode`). */
export const modeSchema = z
  .number({ error: 'must be a mode number 1–5' })
  .int('must be a mode number 1–5')
  .min(1, 'must be a mode number 1–5')
  .max(5, 'must be a mode number 1–5')
  .transform((n) => n as Mode);

const bcm = z.number().int().min(0).max(53);

const portSchema = z.strictObject({
  /**
   * Device path (prefer /dev/serial/by-id/… or a udev symlink), a network endpoint (hal/endpoint.ts:
   * `tcp://host:port`, `tcp-listen://[host]:port`, `udp://…` send only, `udp-listen://…` receive only), or `sim:NAME`.
   */
  path: z.string().min(1).refine(isEndpoint, { error: `must be ${ENDPOINT_FORMS}, or sim:NAME` }),
  baud: z.number().int().positive().default(38_400),
  /** Pace output at the baud budget (serial devices only); turn off only for a PTY to a local simulator. */
  pace: z.boolean().default(true),
});

function isEndpoint(path: string): boolean {
  try {
    parseEndpoint(path);
    return true;
  } catch {
    return false;
  }
}

const gpioSchema = z.strictObject({
  /** BCM line of the bypass relay (de-energised = bypass). */
  bypassRelay: bcm,
  relayActiveLow: z.boolean().default(false),
  /** Front-panel LEDs; each is optional. */
  leds: z
    .strictObject({ power: bcm.optional(), secure: bcm.optional(), alarm: bcm.optional() })
    .default({}),
  /** Binary-coded mode switch, least significant line first; position 0 = "mode from the config file". */
  modeSwitch: z.array(bcm).min(1).max(3).optional(),
  modeSwitchActiveLow: z.boolean().default(true),
  tamper: bcm.optional(),
  tamperActiveLow: z.boolean().default(true),
  debounceMs: z.number().int().min(0).max(1_000).optional(),
});

/** A systemd credential name (hal/token-credential.ts CREDENTIAL_NAME). */
const credentialName = z.string().regex(/^(?!\.{1,2}$)[A-Za-z0-9_.@-]{1,255}$/, 'must be a systemd credential name');

/** Default wait at start-up for the card to be seen in its reader. */
export const DEFAULT_TOKEN_WAIT_MS = 10_000;

const tokenSchema = z.strictObject({
  /** 'pcsc': a smart card in a PC/SC reader (pcscd); 'hid': a USB HID token. */
  kind: z.enum(['pcsc', 'hid']),
  /** PC/SC: the reader's whole name as `pcsc_scan` prints it; absent = the first reader that holds a card. */
  reader: z.string().min(1).optional(),
  /** HID: the token's USB vendor and product id. */
  vendorId: z.number().int().min(0).max(0xffff).optional(),
  productId: z.number().int().min(0).max(0xffff).optional(),
  /**
   * The systemd credential holding the token's user PIN ($CREDENTIALS_DIRECTORY/<name>, from the unit's
   * LoadCredential=). There is deliberately no way to give the PIN itself here, in an argument or in the environment.
   */
  pinCredential: credentialName.default('token-pin'),
  /** How long the start waits for the card to be seen before it fails (and systemd restarts the service). */
  waitMs: z.number().int().min(0).max(120_000).default(DEFAULT_TOKEN_WAIT_MS),
});

export const daemonConfigSchema = z
  .strictObject({
    ports: z.strictObject({ ship: portSchema, radio: portSchema }),
    /** DESIGN.md §1: inline (ship ⇄ appliance ⇄ radio) or attached to a SOLAS transponder's presentation port. */
    topology: z.enum(['inline', 'attached']),
    mode: modeSchema,
    /** Paths the pipeline factory loads; the daemon itself never reads key material. */
    keys: z
      .strictObject({
        params: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
        /** Mode 3: the authority-issued pseudo-MMSI's keys. */
        pseudoKey: z.string().min(1).optional(),
        /** Mode 5: the group keys (more arrive over the air by mode 4). */
        groupKeys: z.string().min(1).optional(),
        /** Mode 5: who may hand out group keys (docs/group-keys.md); a permit's own policy is used when absent. */
        groupPolicy: z.string().min(1).optional(),
        /** A key permit (S-63 shape) for this appliance; needs `deviceKey` and `authority`. */
        permit: z.string().min(1).optional(),
        /** This appliance's device secret (`mibc-ais device-key`), which the permit's keys are wrapped to. */
        deviceKey: z.string().min(1).optional(),
        /** The PKG's authority.json: the root public key that vouches for the permit's issuer. */
        authority: z.string().min(1).optional(),
      })
      .default({}),
    policies: z
      .strictObject({
        /** What to do with received secured traffic that does not verify. */
        forwardUnverified: z.enum(['flagged', 'drop']).default('flagged'),
        /** S-63 §11.2 dongle rule: with the key token removed, fall back to mode 1 unless told to continue. */
        tokenRemoved: z.enum(['mode1', 'continue']).default('mode1'),
        /**
         * An own-ship line that cannot be secured (crypto behind, queue full, an error) in mode 2: sent unaltered
         * with CRYPTO_BEHIND ('on-failure', default: the report is public content and a SOLAS ship must keep
         * reporting) or withheld ('never'). Modes 3, 4 and 5 never send it unaltered (it names the ship, or its
         * content is confidential); mode 1 always does.
         */
        plainFallback: z.enum(['on-failure', 'never']).default('on-failure'),
        /**
         * Statuses on the display port (docs/display-output.md): 'news' (default) leaves out `U` after plain traffic
         * and rate-limits `F` per source and reason, so a 38 400-Bd port carries a full VDL; 'all' sends every one.
         */
        displayStatuses: z.enum(['news', 'all']).default('news'),
      })
      .default({ forwardUnverified: 'flagged', tokenRemoved: 'mode1', plainFallback: 'on-failure', displayStatuses: 'news' }),
    /** The receive path: prepared verifiers kept for the ships heard most (≈19 KiB of WASM memory each). */
    receiver: z
      .strictObject({ verifierCache: z.number().int().min(1).max(65_536).default(512) })
      .default({ verifierCache: 512 }), // firmware/keyring.ts DEFAULT_VERIFIER_CACHE; not imported, to keep the pairing library out of config parsing
    gpio: gpioSchema.optional(),
    /**
     * The key token the permit is read from at start, and again whenever a card is inserted (docs/raspberry-pi.md
     * "Key token"). Replaces `keys.permit`; needs `keys.deviceKey`, `keys.authority`, `keys.params` and `state`.
     */
    token: tokenSchema.optional(),
    /**
     * The daemon's state directory (systemd's StateDirectory=, /var/lib/mibc-ais): the installed key set lives
     * here, written atomically, so that a permit's rollback check compares against what was installed before.
     */
    state: z.strictObject({ dir: z.string().min(1) }).optional(),
    status: z.strictObject({
      /** TCP port of the status endpoint and page; 0 picks a free one (tests). */
      port: z.number().int().min(0).max(65_535),
      /**
       * Address the status server binds (docs/display-output.md "Status page"). Anything but a loopback address
       * needs `auth`: the page shows every ship received and the appliance's alarms.
       */
      host: z.string().refine((h) => isIP(h) !== 0 || h === 'localhost', { error: 'must be an IP address or localhost' }).default(LOOPBACK_HOST),
      /**
       * HTTP Basic authentication for the status server. The password is the systemd credential named here
       * ($CREDENTIALS_DIRECTORY/<name>, from the unit's LoadCredential=), never the config file itself.
       */
      auth: z.strictObject({ user: z.string().min(1).max(64).regex(/^[^:]+$/, 'must not contain ":"').default('operator'), passwordCredential: credentialName }).optional(),
      /** Ships the status page keeps (least recently heard evicted first). */
      ships: z.number().int().min(1).max(65_536).default(1024), // ship-table.ts DEFAULT_SHIP_LIMIT
    }),
    timing: z
      .strictObject({
        latencyBudgetMs: z.number().int().positive().default(DEFAULT_LATENCY_BUDGET_MS),
        hangThresholdMs: z.number().int().positive().default(DEFAULT_HANG_THRESHOLD_MS),
        tickIntervalMs: z.number().int().positive().default(DEFAULT_TICK_INTERVAL_MS),
      })
      .default({
        latencyBudgetMs: DEFAULT_LATENCY_BUDGET_MS,
        hangThresholdMs: DEFAULT_HANG_THRESHOLD_MS,
        tickIntervalMs: DEFAULT_TICK_INTERVAL_MS,
      }),
    log: z
      .strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .default({ level: 'info' }),
  })
  .superRefine((config, ctx) => {
    if (config.keys.permit !== undefined) {
      for (const k of ['deviceKey', 'authority', 'params'] as const) {
        if (config.keys[k] === undefined) ctx.addIssue({ code: 'custom', path: ['keys', k], message: 'is required with keys.permit' });
      }
      if (config.state === undefined) ctx.addIssue({ code: 'custom', path: ['state', 'dir'], message: 'is required with keys.permit (the installed key set is kept there)' });
    }
    const t = config.token;
    if (t !== undefined) {
      if (config.keys.permit !== undefined) ctx.addIssue({ code: 'custom', path: ['keys', 'permit'], message: 'must be absent with token (the permit is read from the token)' });
      for (const k of ['deviceKey', 'authority', 'params'] as const) {
        if (config.keys[k] === undefined) ctx.addIssue({ code: 'custom', path: ['keys', k], message: 'is required with token' });
      }
      if (config.state === undefined) ctx.addIssue({ code: 'custom', path: ['state', 'dir'], message: 'is required with token (the installed key set is kept there)' });
      if (t.kind === 'hid') {
        for (const k of ['vendorId', 'productId'] as const) if (t[k] === undefined) ctx.addIssue({ code: 'custom', path: ['token', k], message: 'is required for a HID token' });
        if (t.reader !== undefined) ctx.addIssue({ code: 'custom', path: ['token', 'reader'], message: 'is for PC/SC readers only' });
      } else {
        for (const k of ['vendorId', 'productId'] as const) if (t[k] !== undefined) ctx.addIssue({ code: 'custom', path: ['token', k], message: 'is for HID tokens only' });
      }
    }
    if (config.status.auth === undefined && !isLoopbackHost(config.status.host)) {
      ctx.addIssue({ code: 'custom', path: ['status', 'auth'], message: `is required when status.host (${config.status.host}) is not a loopback address: anyone on that network could read the page` });
    }
    if (config.timing.hangThresholdMs <= config.timing.latencyBudgetMs) {
      ctx.addIssue({ code: 'custom', path: ['timing', 'hangThresholdMs'], message: 'must be greater than timing.latencyBudgetMs' });
    }
    if (config.ports.ship.path === config.ports.radio.path) {
      ctx.addIssue({ code: 'custom', path: ['ports', 'radio', 'path'], message: 'must differ from ports.ship.path' });
    }
    if (config.topology === 'inline' && config.gpio === undefined) {
      ctx.addIssue({ code: 'custom', path: ['gpio'], message: 'is required for the inline topology (the bypass relay)' });
    }
    const g = config.gpio;
    if (g !== undefined) {
      const used = [g.bypassRelay, ...Object.values(g.leds), ...(g.modeSwitch ?? []), ...(g.tamper === undefined ? [] : [g.tamper])];
      if (new Set(used).size !== used.length) ctx.addIssue({ code: 'custom', path: ['gpio'], message: 'uses a BCM line twice' });
    }
  });

export type DaemonConfig = z.output<typeof daemonConfigSchema>;
export type DaemonConfigInput = z.input<typeof daemonConfigSchema>;
export type PortConfig = DaemonConfig['ports']['ship'];

/** Validates parsed JSON; throws DaemonError CONFIG_INVALID whose one-line message lists every problem by key path. */
export function parseConfig(value: unknown, source = 'config'): DaemonConfig {
  const result = daemonConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const at = issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.');
    return `${at}: ${issue.message}`;
  });
  throw new DaemonError('CONFIG_INVALID', `${source} is invalid: ${lines.join('; ')}`);
}

/** Parses the text of a config file (JSON). */
export function parseConfigText(text: string, source = 'config'): DaemonConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DaemonError('CONFIG_INVALID', `${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseConfig(value, source);
}

/** Top-level keys whose change a running daemon cannot apply (a reload applies `mode` only). */
export function keysNeedingRestart(before: DaemonConfig, after: DaemonConfig): string[] {
  const live = new Set<string>(['mode']);
  return (Object.keys(after) as (keyof DaemonConfig)[]).filter(
    (key) => !live.has(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
}
