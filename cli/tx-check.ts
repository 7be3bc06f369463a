/**
 * What `mibc-ais tx` checks before it reads a line, so that an unusable setup stops it with a message naming the cause
 * instead of sending every report plain: a key for each mode's needs, of the right kind, holding the epoch of the
 * clock, made under these system parameters, group keys valid now, a destination for
 * mode 4, nonce state for mode 5, and messages large enough for the mode.
 */
import { epochOf } from '../firmware/epoch.js';
import { type GroupKeyRing, type IdentityKind, type OwnIdentity, type SystemParams } from '../firmware/keyring.js';
import type { Mode } from '../firmware/pipeline.js';
import { capacityProblem, type TxOptions } from '../firmware/secure-tx.js';

export type TxSetupCode = 'USAGE' | 'NO_KEY' | 'NO_SENDING_KEY' | 'KEY_KIND' | 'KEY_EXPIRED' | 'KEY_MISMATCH';

export class TxSetupError extends Error {
  constructor(
    readonly code: TxSetupCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TxSetupError';
  }
}

export interface TxSetup {
  readonly options: Pick<TxOptions, 'mode' | 'topology' | 'signatureForm' | 'maxSlotsPerMessage' | 'auth' | 'to'>;
  readonly params: SystemParams;
  readonly identity?: { readonly key: OwnIdentity; readonly path: string };
  readonly pseudo?: { readonly key: OwnIdentity; readonly path: string };
  readonly groupKeys?: { readonly ring: GroupKeyRing; readonly path: string };
  readonly nonceState?: string;
  readonly nowMs: number;
}

/** Throws TxSetupError for the first problem found. */
export function checkTxSetup(s: TxSetup): void {
  const { mode } = s.options;
  if (mode === 4 && s.options.to === undefined) throw new TxSetupError('USAGE', 'mode 4 encrypts to one vessel: give its MMSI with --to');
  if (mode === 5 && s.nonceState === undefined) {
    throw new TxSetupError('USAGE', 'mode 5 needs --nonce-state FILE: the record of nonces used, so that no run repeats one');
  }
  const capacity = capacityProblem(s.options);
  if (capacity !== undefined) throw new TxSetupError('USAGE', `--max-slots ${s.options.maxSlotsPerMessage} cannot carry the mode: ${capacity}`);
  const second = Math.floor(s.nowMs / 1000);
  if (mode === 2 || mode === 4) checkIdentity(s.identity, 'mmsi', '--key', mode, s.params, second);
  if (mode === 3) checkIdentity(s.pseudo, 'pseudo-mmsi', '--pseudo-key', mode, s.params, second);
  if (mode === 5) {
    if (s.groupKeys === undefined || s.groupKeys.ring.size === 0) throw new TxSetupError('NO_KEY', 'mode 5 needs the group keys (--group-keys)');
    if (s.groupKeys.ring.forSending(second) === undefined) {
      throw new TxSetupError(
        'NO_SENDING_KEY',
        `group keys ${s.groupKeys.path}: none may be sent with at ${new Date(second * 1000).toISOString()} (expired, not yet valid, or read-only under the group policy)`,
      );
    }
  }
}

function checkIdentity(
  id: { key: OwnIdentity; path: string } | undefined,
  kind: IdentityKind,
  option: string,
  mode: Mode,
  params: SystemParams,
  second: number,
): void {
  if (id === undefined) throw new TxSetupError('NO_KEY', `mode ${mode} needs ${kind === 'mmsi' ? 'the vessel\'s identity keys' : 'pseudo-MMSI keys'} (${option})`);
  const { key, path } = id;
  if (key.kind !== kind) throw new TxSetupError('KEY_KIND', `${option} ${path} holds ${key.kind} keys; mode ${mode} signs with ${kind} keys`);
  const epoch = epochOf(second, params.epochSeconds);
  if (!key.hasEpoch(epoch)) {
    const held = key.epochs;
    throw new TxSetupError(
      'KEY_EXPIRED',
      `${option} ${path} holds epochs ${held[0]}..${held[held.length - 1]}; the clock (${new Date(second * 1000).toISOString()}) is in epoch ${epoch}`,
    );
  }
  try {
    // Preparing the signer checks the key against the identity and these parameters (crypto/blmq.ts).
    key.signer(epoch);
  } catch (cause) {
    throw new TxSetupError(
      'KEY_MISMATCH',
      `${option} ${path}: the key for epoch ${epoch} does not belong to ${kind} ${key.mmsi} under these system parameters (a key from another PKG, or corrupted): ${(cause as Error).message}`,
      { cause },
    );
  }
}
