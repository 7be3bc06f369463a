/**
 * The secure pipeline the daemon runs (`mibc-ais run`), from the config's `keys` section, loaded once per start:
 * a key permit (installed with S-63's checks against the key set installed before, keys unwrapped with this
 * appliance's device key) and/or plain key files. Mode 1 needs none. The installed keys' validity feeds the
 * daemon's KEY_EXPIRED / KEY_EXPIRES_SOON alarms. The group policy (who may hand out group keys,
 * docs/group-keys.md) is the permit's, or `keys.groupPolicy`; without either no group-key hand-out is ever installed.
 *
 * Every failure here is a configuration failure — a restart cannot fix it — and is thrown as a DaemonError whose
 * code says which (KEYS_INVALID, PERMIT_REFUSED, STATE_UNUSABLE): `mibc-ais run` exits 78 on it with one line.
 * The permit comes from `keys.permit` or, with a `token` section, from the key token (user PIN from a systemd
 * credential). With a token, every card inserted later is read again and a newer permit replaces the running keys
 * (`reloadKeys`, the daemon swaps pipelines); the same permit again installs nothing.
 * The installed key set is kept in the state directory (hal FileKeyStore: 0600, temp file + fsync + rename), written
 * before the pipeline uses it, so the next start's rollback check compares against it.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { equalBytes } from '@noble/ciphers/utils.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { AppliancePipeline } from '../firmware/appliance-pipeline.js';
import { createPlainPipeline, DaemonError, type DaemonConfig, type KeyReloader, type KeyValidity, type PipelineFactory } from '../firmware/daemon/index.js';
import { epochOf } from '../firmware/epoch.js';
import { DeviceSecretFileSchema, hexToBytes, KeyFileError, parseKeyFile, RootKeyFileSchema } from '../firmware/keyfile.js';
import { VerifierCache, type GroupKeyRing, type OwnIdentity, type SystemParams } from '../firmware/keyring.js';
import { keysFromPermit, PermitKeysError } from '../firmware/permit-keys.js';
import {
  decodeKeySet, deviceKeyFromSecret, EMPTY_KEY_SET, encodeKeySet, installPermit, KeySetCodecError, type KeySet, type PermitWarning,
} from '../firmware/permit/index.js';
import {
  CredentialError, DEFAULT_UTC_TOLERANCE_MS, FileKeyStore, KeyStoreMissingError, readCredential, TokenError, waitForToken, type KeyStore, type KeyToken,
} from '../hal/index.js';
import { FileNonceStore } from '../hal/nonce-store-file.js';
import type { NonceStore } from '../hal/nonce-store.js';
import { loadGroupKeys, loadGroupPolicy, loadIdentity, loadParams, readBytes, readText } from './filters.js';

/**
 * Received secured messages dated before start-up + this are refused (the replay cache's start-up barrier): a
 * message the previous run accepted is dated at most its stop time plus the senders' and our clock error (the
 * cross-check's 2-s bound), and the start is later than the stop. Costs the messages of the ~3 s around a restart.
 */
export const RESTART_BARRIER_S = Math.ceil(DEFAULT_UTC_TOLERANCE_MS / 1000) + 1;

/** The key store name of the installed key set in the state directory. */
export const INSTALLED_KEYS_NAME = 'installed-keys';

/** The file of mode 5's nonce high-water marks in the state directory (docs/modes.md §3). */
export const NONCE_STATE_NAME = 'group-nonces';

interface PermitInstall {
  /** False when the permit installed exactly the key set already installed. */
  readonly changed: boolean;
  readonly set: KeySet;
  readonly refused: readonly PermitWarning[];
  readonly identity: OwnIdentity | undefined;
  readonly pseudo: OwnIdentity | undefined;
  readonly groupKeys: GroupKeyRing;
}

async function readInstalled(store: KeyStore, where: string): Promise<KeySet> {
  let bytes: Uint8Array;
  try {
    bytes = await store.read(INSTALLED_KEYS_NAME);
  } catch (error) {
    if (error instanceof KeyStoreMissingError) return EMPTY_KEY_SET; // first install on this appliance
    throw new DaemonError('STATE_UNUSABLE', `installed key set in ${where}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return decodeKeySet(bytes);
  } catch (error) {
    // Refused, not reset: starting from an empty set would reopen the rollback check.
    if (error instanceof KeySetCodecError) throw new DaemonError('STATE_UNUSABLE', `installed key set in ${where} is corrupt: ${error.message}`, { cause: error });
    throw error;
  }
}

/** The permit's bytes and where they came from (for messages). */
interface PermitBytes {
  readonly bytes: Uint8Array;
  readonly where: string;
}

/**
 * Reads the permit from the token with the PIN of the configured credential. A wrong or blocked PIN and an unusable
 * credential are configuration errors (exit 78): a restart loop would only burn the card's PIN tries. No card, no
 * reader or an unreadable card is TOKEN_UNAVAILABLE (exit 1): a restart may find the card.
 */
async function permitFromToken(config: DaemonConfig, token: KeyToken | undefined): Promise<PermitBytes> {
  const t = config.token!;
  const where = t.kind === 'hid' ? 'HID token' : `card in ${t.reader ?? 'the first PC/SC reader'}`;
  if (token === undefined) throw new DaemonError('TOKEN_UNAVAILABLE', `no ${where}: the token could not be opened`);
  if (!(await waitForToken(token, t.waitMs))) throw new DaemonError('TOKEN_UNAVAILABLE', `no ${where} within ${t.waitMs} ms`);
  let pin: string;
  try {
    pin = readCredential(t.pinCredential);
  } catch (error) {
    if (error instanceof CredentialError) throw new DaemonError('KEYS_INVALID', `token PIN: ${error.message}`, { cause: error });
    throw error;
  }
  try {
    return { bytes: await token.readPermit(pin), where };
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    const config = error.code === 'TOKEN_PIN_WRONG' || error.code === 'TOKEN_PIN_BLOCKED' || error.code === 'TOKEN_PROTOCOL';
    throw new DaemonError(config ? 'KEYS_INVALID' : 'TOKEN_UNAVAILABLE', `${where}: ${error.message}`, { cause: error });
  }
}

async function installFromPermit(config: DaemonConfig, params: SystemParams, nowS: number, storeFor: (dir: string) => KeyStore, permit: PermitBytes): Promise<PermitInstall> {
  const k = config.keys;
  const dir = config.state?.dir as string; // required with keys.permit by the config schema
  const store = storeFor(dir);
  const secret = parseKeyFile(DeviceSecretFileSchema, readText(k.deviceKey as string, 'device key'), `device key ${k.deviceKey}`);
  privateFile(k.deviceKey as string, 'device key');
  const root = parseKeyFile(RootKeyFileSchema, readText(k.authority as string, 'authority'), `authority ${k.authority}`);
  const before = await readInstalled(store, dir);
  const result = installPermit(permit.bytes, before, {
    device: deviceKeyFromSecret(hexToBytes(secret.secretKey)),
    rootPublicKey: hexToBytes(root.rootPublicKey),
    now: nowS,
  });
  if (!result.ok) throw new DaemonError('PERMIT_REFUSED', `key permit ${permit.where}: ${result.error.message}`, { cause: result.error });
  const encoded = encodeKeySet(result.keys);
  const changed = !equalBytes(encoded, encodeKeySet(before));
  if (changed) {
    try {
      await store.write(INSTALLED_KEYS_NAME, encoded);
    } catch (error) {
      throw new DaemonError('STATE_UNUSABLE', `installed key set in ${dir} cannot be written: ${(error as Error).message}`, { cause: error });
    }
  }
  const refused = result.warnings.filter((w) => w.code === 'KEY_EXPIRED');
  return { changed, set: result.keys, refused, ...keysFromPermit(params, result.keys) };
}

/** A secret another local user could have read is not used: it may have leaked (as the key store refuses it). */
function privateFile(path: string, what: string): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new DaemonError('KEYS_INVALID', `${what} ${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); it must be 0600`);
}

/**
 * Signs and verifies one test message with the identity's key of the current epoch (if it has one): a key extracted
 * by another PKG, or for another epoch's parameters, fails here with its name, not later as every receiver's F.
 */
function selfTest(params: SystemParams, id: OwnIdentity | undefined, what: string, nowS: number): void {
  if (id === undefined) return;
  const epoch = epochOf(nowS, params.epochSeconds);
  if (!id.hasEpoch(epoch)) return; // expiry is the alarms' business (KEY_EXPIRED), not a start-up failure
  const msg = utf8ToBytes(`mibc-ais start-up self-test ${id.kind} ${id.mmsi} ${epoch}`);
  let ok: boolean;
  let reason = 'its test signature does not verify';
  try {
    ok = new VerifierCache(params, 1).get(id.kind, id.mmsi, epoch).verify(msg, id.signer(epoch).sign(msg));
  } catch (error) {
    // The signer checks its key against the identity and parameters when it is prepared.
    ok = false;
    reason = (error as Error).message;
  }
  if (!ok) throw new DaemonError('KEYS_INVALID', `${what} (${id.kind} ${id.mmsi}) does not match the system parameters (a key of another PKG?): ${reason}`);
}

/** Configuration-class errors of key loading, as DaemonErrors with one-line messages. */
function asStartupError(error: unknown): unknown {
  if (error instanceof DaemonError) return error;
  if (error instanceof KeyFileError) return new DaemonError('KEYS_INVALID', error.message, { cause: error });
  if (error instanceof PermitKeysError) return new DaemonError('PERMIT_REFUSED', error.message, { cause: error });
  return error;
}

export interface PipelineFactoryOptions {
  /** UTC ms; the permit's validity and the self-test's epoch are decided with it. */
  now?: () => number;
  /** The key store of a state directory; FileKeyStore by default. */
  keyStore?: (dir: string) => KeyStore;
  /** Mode 5's nonce marks in a state directory; FileNonceStore (`group-nonces`) by default. */
  nonceStore?: (dir: string) => NonceStore;
}

/** The factory for `registerRun`, the reloader of newer permits, and the validity of the keys installed last (for the alarms). */
export function appliancePipelineFactory(options: PipelineFactoryOptions = {}): { createPipeline: PipelineFactory; reloadKeys: KeyReloader; keyValidity: () => readonly KeyValidity[] } {
  const now = options.now ?? Date.now;
  const storeFor = options.keyStore ?? ((dir: string) => new FileKeyStore(dir));
  const noncesFor = options.nonceStore ?? ((dir: string) => new FileNonceStore(join(dir, NONCE_STATE_NAME)));
  let validity: KeyValidity[] = [];
  const permitOf = async (config: DaemonConfig, token: KeyToken | undefined): Promise<PermitBytes | undefined> => {
    if (config.token !== undefined) return permitFromToken(config, token);
    const path = config.keys.permit;
    return path === undefined ? undefined : { bytes: readBytes(path, 'permit'), where: path };
  };
  const build = async (config: DaemonConfig, token: KeyToken | undefined, reload: boolean) => {
    const k = config.keys;
    if (k.params === undefined) {
      if (config.mode === 1) return createPlainPipeline();
      throw new DaemonError('KEYS_INVALID', `mode ${config.mode} needs keys.params and keys (a permit, or key files)`);
    }
    const nowS = Math.floor(now() / 1000);
    const params = loadParams(k.params);
    const permit = await permitOf(config, token);
    const fromPermit = permit === undefined ? undefined : await installFromPermit(config, params, nowS, storeFor, permit);
    if (reload && fromPermit?.changed !== true) return undefined;
    validity = [
      ...(fromPermit?.set.keys ?? []).map((key) => ({ kind: key.kind, identity: key.identity, notAfter: key.notAfter })),
      // Records the permit carried but that had already expired: not installed, alarmed until a new permit comes.
      ...(fromPermit?.refused ?? []).map((w) => ({ kind: w.kind, identity: w.identity, notAfter: w.notAfter, installed: false })),
    ];
    const identity = k.key === undefined ? fromPermit?.identity : loadIdentity(params, k.key);
    const pseudo = k.pseudoKey === undefined ? fromPermit?.pseudo : loadIdentity(params, k.pseudoKey);
    // One ring for both halves: keys a hand-out installs are the ones the sending half may use (as the policy allows).
    const groupKeys =
      k.groupKeys === undefined && k.groupPolicy === undefined && fromPermit !== undefined
        ? fromPermit.groupKeys
        : loadGroupKeys(k.groupKeys, k.groupPolicy === undefined ? { groups: fromPermit?.set.groups ?? [] } : loadGroupPolicy(k.groupPolicy));
    selfTest(params, identity, k.key === undefined ? 'the permit\'s signing key' : `key ${k.key}`, nowS);
    selfTest(params, pseudo, k.pseudoKey === undefined ? 'the permit\'s pseudonym key' : `key ${k.pseudoKey}`, nowS);
    return new AppliancePipeline(
      {
        // The radio side is a transponder or radio module: it takes BBM/ABM and knows its own-ship sentences as VDO.
        tx: { mode: config.mode, topology: config.topology, emit: 'bbm', ownShip: 'vdo' },
        rx: {
          policy: config.policies.forwardUnverified === 'drop' ? 'drop' : 'flag',
          acceptFromSecond: nowS + RESTART_BARRIER_S,
          verifierCache: config.receiver.verifierCache,
        },
        plainFallback: config.policies.plainFallback,
        display: { policy: config.policies.displayStatuses },
      },
      {
        params,
        ...(identity === undefined ? {} : { identity }),
        ...(pseudo === undefined ? {} : { pseudo }),
        groupKeys,
        // Mode 5 keeps its nonce marks in the state directory; without one it refuses to send (NO_NONCE_STATE).
        ...(config.state === undefined ? {} : { nonceState: noncesFor(config.state.dir) }),
      },
    );
  };
  const createPipeline: PipelineFactory = async (config, token) => {
    try {
      return (await build(config, token, false))!;
    } catch (error) {
      throw asStartupError(error);
    }
  };
  const reloadKeys: KeyReloader = async (config, token) => {
    if (config.token === undefined && config.keys.permit === undefined) return undefined;
    try {
      return await build(config, token, true);
    } catch (error) {
      throw asStartupError(error);
    }
  };
  return { createPipeline, reloadKeys, keyValidity: () => validity };
}
