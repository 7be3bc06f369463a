/**
 * Kind 2, signed attached (modes 2 and 3, docs/envelope.md §2): the signature follows a plain report sent on its
 * own; it is checked against the recent plain reports held for its signer.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeSignedAttached } from '../bodies.js';
import { Kind } from '../envelope.js';
import { epochOf } from '../epoch.js';
import { signedMessage } from '../signed-message.js';
import { formatStatus, Result, type Status } from '../status.js';
import type { KindHandler } from './context.js';
import { Reject } from './reject.js';

export const signedAttached: KindHandler = (ctx, { source, ext, body, second, nowMs }, out) => {
  const b = decodeSignedAttached(body, ext);
  const signer = b.signer ?? source;
  const epoch = epochOf(second, ctx.keys.params.epochSeconds);
  const window = ctx.options.freshnessWindowS;
  const candidates = ctx.held.of(signer).filter((h) => !h.verified && Math.abs(h.receivedSecond - second) <= window);
  if (candidates.length === 0) throw new Reject('NO_MATCHING_REPORT', `no recent plain report from ${signer} for this signature`);
  // Newest first: the signature usually follows its report within a second or two.
  for (const h of [...candidates].reverse()) {
    const msg = signedMessage({ kind: Kind.SignedAttached, source: h.message.mmsi, signer, destination: 0, second, content: h.bits.bytes, contentBits: h.bits.bitLength });
    if (!ctx.verify(ext ? 'pseudo-mmsi' : 'mmsi', signer, epoch, msg, b.signature)) continue;
    ctx.replay.accept(source, Kind.SignedAttached, second, sha256(b.signature).subarray(0, 16), Math.floor(nowMs / 1000));
    h.verified = true;
    // A sender that just left amortised mode: its signature settles the report, so no later amortised F follows.
    if (h.amortisedId !== undefined) ctx.forgetAmortised(h.amortisedId);
    ctx.counters.verified++;
    const status: Status = { result: Result.Verified, mode: ext ? 3 : 2, source, identity: signer, messageType: h.message.type, second };
    // With the drop policy the report was held back until now; with flag it went out already, marked U.
    if (ctx.options.policy === 'drop') out.push(...h.lines);
    out.push(formatStatus(status));
    return;
  }
  throw new Reject('BAD_SIGNATURE', 'attached signature matches no recent report');
};
