/**
 * The secure pipeline the daemon runs (`mibc-ais run`): key files named in the config's `keys` section, loaded once
 * per start; mode 1 needs none. The permit/token path installs the same keys from a card (firmware/permit-keys.ts).
 */
import { AppliancePipeline } from '../firmware/appliance-pipeline.js';
import { DaemonError, type DaemonConfig, type PipelineFactory } from '../firmware/daemon/index.js';
import { createPlainPipeline } from '../firmware/daemon/index.js';
import { loadGroupKeys, loadIdentity, loadParams } from './filters.js';

export const createAppliancePipeline: PipelineFactory = (config: DaemonConfig) => {
  const k = config.keys;
  if (k.params === undefined) {
    if (config.mode === 1) return createPlainPipeline();
    throw new DaemonError('PIPELINE_INIT', `mode ${config.mode} needs keys.params (and keys.key, keys.pseudoKey or keys.groupKeys)`);
  }
  const params = loadParams(k.params);
  return new AppliancePipeline(
    {
      // The radio side is a transponder or radio module: it takes BBM/ABM and knows its own-ship sentences as VDO.
      tx: { mode: config.mode, topology: config.topology, emit: 'bbm', ownShip: 'vdo' },
      rx: { policy: config.policies.forwardUnverified === 'drop' ? 'drop' : 'flag' },
    },
    {
      params,
      ...(k.key === undefined ? {} : { identity: loadIdentity(params, k.key) }),
      ...(k.pseudoKey === undefined ? {} : { pseudo: loadIdentity(params, k.pseudoKey) }),
      ...(k.groupKeys === undefined ? {} : { groupKeys: loadGroupKeys(k.groupKeys) }),
    },
  );
};
