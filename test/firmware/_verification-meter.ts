/**
 * Meters the signature verifications the receive path actually runs (pairings spent), at the verifier every
 * VerifierCache hands out: `onVerify` is called once per pairing — a test counts them, or charges each to a
 * simulated clock as what it would cost on a slower CPU. Returns the function that removes the meter (afterAll).
 */
import { VerifierCache } from '../../firmware/keyring.js';

export function meterVerifications(onVerify: () => void): () => void {
  const originalGet = VerifierCache.prototype.get;
  VerifierCache.prototype.get = function (this: VerifierCache, ...args: Parameters<VerifierCache['get']>) {
    const v = originalGet.apply(this, args);
    return Object.assign(Object.create(v) as typeof v, {
      verify: (msg: Uint8Array, sig: Uint8Array) => {
        onVerify();
        return v.verify(msg, sig);
      },
      // One pairing however many candidates (an attached signature matched against its held reports).
      verifyAny: (msgs: readonly Uint8Array[], sig: Uint8Array) => {
        onVerify();
        return v.verifyAny(msgs, sig);
      },
    });
  };
  return () => {
    VerifierCache.prototype.get = originalGet;
  };
}
