/**
 * A throw-away authority, receiver and genuine-message pool for fuzzing the receive path: deterministic keys from a
 * seed, a receiver with an identity (mode 4) and a group key (mode 5), and secured messages of every mode from a few
 * senders, made at `startMs` by the project's own transmitter.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { decodePublicParams, extractDecryptionKey, extractSigningKey, setup } from '../../crypto/index.js';
import { epochOf } from '../../firmware/epoch.js';
import { GroupKeyRing, identityOf, OwnIdentity, type IdentityKind, type SystemParams } from '../../firmware/keyring.js';
import type { Mode } from '../../firmware/pipeline.js';
import { SecureRx, type RxKeys, type RxOptions } from '../../firmware/secure-rx.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { encodeAis } from '../../nmea/index.js';
import type { RxFuzzConfig } from './rx-cases.js';

function seeded(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) out.set(sha256(new TextEncoder().encode(`${seed}/${counter++}`)).subarray(0, n - off), off);
    return out;
  };
}

export const FUZZ_RECEIVER = 211_000_001;
const SENDERS = [244_123_456, 244_000_002, 0, 999_999_999];

export interface RxFuzzFixture {
  readonly config: RxFuzzConfig;
  readonly receiver: (i: number) => SecureRx;
  /** The receiver's keys (for a whole appliance under fuzz) and a sender's transmitter for fresh genuine traffic. */
  readonly keys: RxKeys;
  readonly sender: () => SecureTx;
}

export function rxFuzzFixture(seed: string, startMs: number, options: Partial<RxOptions> = {}): RxFuzzFixture {
  const { params: paramsBytes, masterSecret } = setup(seeded(seed));
  const params: SystemParams = { pp: decodePublicParams(paramsBytes), epochSeconds: 30 * 24 * 3600 };
  const epoch = epochOf(Math.floor(startMs / 1000), params.epochSeconds);
  const identity = (mmsi: number, kind: IdentityKind = 'mmsi') => {
    const id = identityOf(kind, mmsi, epoch);
    return new OwnIdentity(params, kind, mmsi, [
      { epoch, signingKey: extractSigningKey(params.pp, masterSecret, id), decryptionKey: extractDecryptionKey(params.pp, masterSecret, id) },
    ]);
  };
  const groupKeys = () => {
    const r = new GroupKeyRing();
    r.add({ keyId: 7, key: seeded(`${seed}/group`)(16), notBefore: startMs / 1000 - 3600, notAfter: startMs / 1000 + 3600 * 24 });
    return r;
  };
  const own = identity(FUZZ_RECEIVER);
  const genuine: string[][] = [];
  const modes: [Mode, 'inline' | 'attached'][] = [[2, 'inline'], [2, 'attached'], [3, 'inline'], [4, 'inline']];
  for (const mmsi of SENDERS) {
    for (const [mode, topology] of modes) {
      const tx = new SecureTx(
        { mode, topology, emit: 'vdm', ownShip: 'any', to: FUZZ_RECEIVER, timeTrusted: true },
        { params, identity: identity(mmsi), pseudo: identity(900_000_000 + (mmsi % 1_000_000), 'pseudo-mmsi'), groupKeys: groupKeys() },
        seeded(`${seed}/nonce/${mmsi}/${mode}`),
      );
      const report = encodeAis({
        type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed: 123, accuracy: true, lon: 2_400_000, lat: 31_800_000,
        course: 2240, heading: 215, second: 12, maneuver: 0, spare: 0, raim: false, radio: 34017,
      });
      const lines = tx.secure(report, mmsi, 1, startMs);
      if (lines.length > 0) genuine.push(lines);
    }
  }
  return {
    config: { dac: 0, fi: 58, known: [FUZZ_RECEIVER, ...SENDERS], genuine },
    receiver: (i) => new SecureRx({ policy: i % 2 === 0 ? 'flag' : 'drop', ...options }, { params, identity: own, groupKeys: groupKeys() }),
    keys: { params, identity: own, groupKeys: groupKeys() },
    sender: () => new SecureTx({ mode: 2, emit: 'vdm', ownShip: 'any', timeTrusted: true }, { params, identity: identity(SENDERS[0] as number) }, seeded(`${seed}/sender`)),
  };
}
