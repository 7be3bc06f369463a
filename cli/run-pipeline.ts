/**
 * The secure pipeline the daemon runs (`mibc-ais run`), from the config's `keys` section, loaded once per start:
 * a key permit (installed with S-63's checks, keys unwrapped with this appliance's device key) and/or plain key files.
 * Mode 1 needs none. The installed keys' validity feeds the daemon's KEY_EXPIRED / KEY_EXPIRES_SOON alarms. The group
 * policy (who may hand out group keys, docs/group-keys.md) is the permit's, or `keys.groupPolicy`; without either no
 * group-key hand-out is ever installed.
 */
import { AppliancePipeline } from '../firmware/appliance-pipeline.js';
import { createPlainPipeline, DaemonError, type DaemonConfig, type KeyValidity, type PipelineFactory } from '../firmware/daemon/index.js';
import { DeviceSecretFileSchema, hexToBytes, parseKeyFile, RootKeyFileSchema } from '../firmware/keyfile.js';
import type { GroupKeyRing, OwnIdentity, SystemParams } from '../firmware/keyring.js';
import { keysFromPermit } from '../firmware/permit-keys.js';
import { deviceKeyFromSecret, EMPTY_KEY_SET, installPermit, type KeySet } from '../firmware/permit/index.js';
import { loadGroupKeys, loadGroupPolicy, loadIdentity, loadParams, readBytes, readText } from './filters.js';

interface PermitInstall {
  readonly set: KeySet;
  readonly identity: OwnIdentity | undefined;
  readonly pseudo: OwnIdentity | undefined;
  readonly groupKeys: GroupKeyRing;
}

function installFromPermit(config: DaemonConfig, params: SystemParams, nowS: number): PermitInstall {
  const k = config.keys;
  const secret = parseKeyFile(DeviceSecretFileSchema, readText(k.deviceKey as string, 'device key'), `device key ${k.deviceKey}`);
  const root = parseKeyFile(RootKeyFileSchema, readText(k.authority as string, 'authority'), `authority ${k.authority}`);
  const result = installPermit(readBytes(k.permit as string, 'permit'), EMPTY_KEY_SET, {
    device: deviceKeyFromSecret(hexToBytes(secret.secretKey)),
    rootPublicKey: hexToBytes(root.rootPublicKey),
    now: nowS,
  });
  if (!result.ok) throw new DaemonError('PIPELINE_INIT', `key permit ${k.permit}: ${result.error.code}: ${result.error.message}`, { cause: result.error });
  return { set: result.keys, ...keysFromPermit(params, result.keys) };
}

/** The factory for `registerRun`, and the validity of the keys it installed last (for the alarms). */
export function appliancePipelineFactory(now: () => number = Date.now): { createPipeline: PipelineFactory; keyValidity: () => readonly KeyValidity[] } {
  let installed: KeySet = EMPTY_KEY_SET;
  const createPipeline: PipelineFactory = (config: DaemonConfig) => {
    const k = config.keys;
    if (k.params === undefined) {
      if (config.mode === 1) return createPlainPipeline();
      throw new DaemonError('PIPELINE_INIT', `mode ${config.mode} needs keys.params and keys (a permit, or key files)`);
    }
    const params = loadParams(k.params);
    const fromPermit = k.permit === undefined ? undefined : installFromPermit(config, params, Math.floor(now() / 1000));
    installed = fromPermit?.set ?? EMPTY_KEY_SET;
    const identity = k.key === undefined ? fromPermit?.identity : loadIdentity(params, k.key);
    const pseudo = k.pseudoKey === undefined ? fromPermit?.pseudo : loadIdentity(params, k.pseudoKey);
    // One ring for both halves: keys a hand-out installs are the ones the sending half may use (as the policy allows).
    const groupKeys =
      k.groupKeys === undefined && k.groupPolicy === undefined && fromPermit !== undefined
        ? fromPermit.groupKeys
        : loadGroupKeys(k.groupKeys, k.groupPolicy === undefined ? { groups: fromPermit?.set.groups ?? [] } : loadGroupPolicy(k.groupPolicy));
    return new AppliancePipeline(
      {
        // The radio side is a transponder or radio module: it takes BBM/ABM and knows its own-ship sentences as VDO.
        tx: { mode: config.mode, topology: config.topology, emit: 'bbm', ownShip: 'vdo' },
        rx: { policy: config.policies.forwardUnverified === 'drop' ? 'drop' : 'flag' },
      },
      {
        params,
        ...(identity === undefined ? {} : { identity }),
        ...(pseudo === undefined ? {} : { pseudo }),
        groupKeys,
      },
    );
  };
  return { createPipeline, keyValidity: () => installed.keys };
}
