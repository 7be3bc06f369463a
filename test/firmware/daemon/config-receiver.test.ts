/** The daemon configuration's `receiver` section: the verifier cache bound (firmware/keyring.ts `VerifierCache`). */
import { describe, expect, it } from 'vitest';
import { DaemonError, keysNeedingRestart, parseConfig } from '../../../firmware/daemon/index.js';
import { DEFAULT_VERIFIER_CACHE } from '../../../firmware/keyring.js';

const minimal = {
  ports: { ship: { path: '/dev/ttyAMA0' }, radio: { path: '/dev/ttyAMA2' } },
  topology: 'attached',
  mode: 2,
  status: { port: 8099 },
};

describe('daemon configuration: receiver', () => {
  it('defaults the verifier cache to the receiver default and takes a configured bound', () => {
    expect(parseConfig(minimal).receiver.verifierCache).toBe(DEFAULT_VERIFIER_CACHE);
    expect(parseConfig({ ...minimal, receiver: { verifierCache: 4096 } }).receiver.verifierCache).toBe(4096);
  });

  it('refuses a bound that is not a positive integer, and a change needs a restart', () => {
    for (const bad of [0, -1, 1.5, '64', 1_000_000]) {
      expect(() => parseConfig({ ...minimal, receiver: { verifierCache: bad } })).toThrow(DaemonError);
    }
    expect(keysNeedingRestart(parseConfig(minimal), parseConfig({ ...minimal, receiver: { verifierCache: 64 } }))).toEqual(['receiver']);
  });
});
