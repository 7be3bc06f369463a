/**
 * `mibc-ais run --config FILE`: the appliance daemon on serial ports (or `sim:` ports), as systemd runs it
 * (deploy/mibc-ais.service). Composition only: config file → Daemon with the real hal devices; signals
 * (SIGTERM/SIGINT stop with the relay released, SIGHUP reloads the config) and exit codes for systemd's Restart=.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import {
  SimSerialBus,
  SystemdNotifier,
  createSerialLink,
  createSimSerialLink,
  openGpioProvider,
  openKeyToken,
  type GpioProvider,
  type KeyToken,
  type SerialLink,
} from '../hal/index.js';
import {
  CONFIGURATION_ERROR_CODES,
  Daemon,
  DaemonError,
  SIM_PORT_PREFIX,
  parseConfigText,
  type DaemonConfig,
  type KeyReloader,
  type KeyValidity,
  type PipelineFactory,
  type PortConfig,
} from '../firmware/daemon/index.js';

/**
 * Exit codes, read by the unit's Restart=on-failure and RestartPreventExitStatus=78 (deploy/mibc-ais.service):
 *   0  stopped by SIGTERM/SIGINT;
 *   1  a crash, or a start-up failure a restart or reboot may fix (GPIO lines not available): restarted;
 *   78 EX_CONFIG (sysexits.h): the configuration, a key, params or device-key file, the permit, the stored key set or
 *      the status port is unusable — restarting cannot fix it, so systemd stops instead of restarting and rebooting
 *      the board in a loop. The cause is one line on stderr.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_CONFIG = 78;

/** The exit code and the one line on stderr for a start-up failure. */
export function startupFailure(error: unknown): { code: number; line: string } {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, '; ');
  const config = error instanceof DaemonError && CONFIGURATION_ERROR_CODES.includes(error.code);
  return { code: config ? EXIT_CONFIG : EXIT_FAILURE, line: `mibc-ais run: ${message}` };
}

export interface RunDeps {
  /** The secure pipeline's factory; see firmware/daemon `PipelineFactory`. */
  createPipeline: PipelineFactory;
  keyValidity?: () => readonly KeyValidity[];
  reloadKeys?: KeyReloader;
  /** The key token; by default the one the config's `token` section names is opened. */
  token?: KeyToken;
}

/**
 * Opens the configured token. A failure to open (no PC/SC binding, no HID device) does not stop here: the pipeline
 * factory then fails the start with TOKEN_UNAVAILABLE, which systemd restarts.
 */
async function tokenFor(config: DaemonConfig, log: Logger): Promise<KeyToken | undefined> {
  const t = config.token;
  if (t === undefined) return undefined;
  try {
    return await openKeyToken(t.kind === 'hid' ? { kind: 'hid', vendorId: t.vendorId!, productId: t.productId! } : { kind: 'pcsc', reader: t.reader });
  } catch (error) {
    log.error({ err: error }, 'key token cannot be opened');
    return undefined;
  }
}

async function loadConfig(path: string): Promise<DaemonConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DaemonError('CONFIG_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseConfigText(text, path);
}

function linkOpener(bus: () => SimSerialBus): (side: string, port: PortConfig) => SerialLink {
  return (_side, port) => {
    const options = { path: port.path, baudRate: port.baud, paceOutput: port.pace };
    if (!port.path.startsWith(SIM_PORT_PREFIX)) return createSerialLink(options);
    const sim = bus();
    sim.createPort(port.path);
    return createSimSerialLink(sim, options);
  };
}

async function gpioFor(config: DaemonConfig, log: Logger): Promise<GpioProvider | undefined> {
  if (config.gpio === undefined) return undefined;
  // On the appliance image a missing GPIO is a fault; on a bench machine the twin stands in, loudly.
  const opened = await openGpioProvider({ requireHardware: process.env.NODE_ENV === 'production' });
  if (opened.simulated) log.warn({ reason: opened.reason }, 'GPIO is simulated');
  return opened.provider;
}

/** Runs the daemon until a signal or a fatal error; resolves with the process exit code. */
export async function runDaemon(configPath: string, deps: RunDeps): Promise<number> {
  let config: DaemonConfig;
  try {
    config = await loadConfig(configPath);
  } catch (error) {
    const failure = startupFailure(error);
    process.stderr.write(`${failure.line}\n`);
    return failure.code;
  }
  const log = pino({ level: config.log.level, base: { service: 'mibc-ais' } });
  let bus: SimSerialBus | undefined;
  let gpio: GpioProvider | undefined;
  try {
    gpio = await gpioFor(config, log);
  } catch (error) {
    const failure = startupFailure(error);
    process.stderr.write(`${failure.line}\n`);
    return failure.code;
  }
  const token = deps.token ?? (await tokenFor(config, log));
  const daemon = new Daemon(config, {
    createPipeline: deps.createPipeline,
    openLink: linkOpener(() => (bus ??= new SimSerialBus())),
    notifier: new SystemdNotifier(),
    logger: log,
    ...(gpio === undefined ? {} : { gpio }),
    ...(token === undefined ? {} : { token }),
    ...(deps.keyValidity === undefined ? {} : { keyValidity: deps.keyValidity }),
    ...(deps.reloadKeys === undefined ? {} : { reloadKeys: deps.reloadKeys }),
  });

  let settle: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    settle = resolve;
  });
  const stopWith = (code: number, reason: string): void => {
    void daemon.stop(reason).then(
      () => settle(code),
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        settle(EXIT_FAILURE);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info({ signal }, 'signal');
    stopWith(EXIT_OK, signal);
  };
  // SIGHUP (`systemctl reload mibc-ais`) re-reads the config and the permit: a newer permit put in place atomically
  // (the SECOM consumer's last mile, docs/secom.md) is installed without a restart.
  const onHup = (): void => {
    loadConfig(configPath).then(
      (next) => daemon.reload(next),
      (error: unknown) => daemon.reloadFailed(error as Error),
    ).finally(() => void daemon.reloadKeys('permit'));
  };
  const onCrash = (error: unknown): void => {
    log.fatal({ err: error }, 'uncaught error; stopping with the relay released');
    stopWith(EXIT_FAILURE, 'uncaught error');
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onHup);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  try {
    await daemon.start();
  } catch (error) {
    // One line naming the cause, no stack trace: the operator fixes a file, not the code.
    const failure = startupFailure(error);
    log.fatal({ code: (error as Partial<DaemonError>).code, reason: failure.line, exitCode: failure.code }, 'start-up failed');
    process.stderr.write(`${failure.line}\n`);
    settle(failure.code);
  }
  const code = await done;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  process.off('SIGHUP', onHup);
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  // The daemon only watches the token; whoever opened it closes it.
  if (deps.token === undefined) await token?.close();
  log.flush();
  return code;
}

export function registerRun(program: Command, deps: RunDeps): void {
  program
    .command('run')
    .description('run the appliance daemon on the configured serial ports (or sim: ports)')
    .requiredOption('--config <file>', 'JSON configuration file')
    .action(async (options: { config: string }) => {
      process.exitCode = await runDaemon(options.config, deps);
    });
}
