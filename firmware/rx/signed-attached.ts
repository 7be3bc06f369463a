/**
 * Kind 2, signed attached (modes 2 and 3, docs/envelope.md §2): the signature follows a plain report sent on its
 * own; it is matched against every recent plain report held under its signer (one pairing for all of them). The
 * vouched report is shown again directly before its `V`, and the status names it by digest, so a forged copy shown
 * earlier cannot pass for the verified one (docs/display-output.md).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeSignedAttached } from '../bodies.js';
import { Kind } from '../envelope.js';
import { epochOf } from '../epoch.js';
import { signedMessage } from '../signed-message.js';
import { formatStatus, Result } from '../status.js';
import type { KindHandler } from './context.js';
import { Reject } from './reject.js';

export const signedAttached: KindHandler = (ctx, { source, ext, body, second, nowMs }, out) => {
  const b = decodeSignedAttached(body, ext);
  const signer = b.signer ?? source;
  const epoch = epochOf(second, ctx.keys.params.epochSeconds);
  const window = ctx.options.freshnessWindowS;
  // A ship vouches only for reports under its own identity (mode 3: its pseudo-MMSI), so only those are candidates.
  const candidates = ctx.held
    .of(signer)
    .filter((h) => !h.verified && Math.abs(h.receivedSecond - second) <= window)
    .reverse(); // newest first: the signature usually follows its report within a second or two
  if (candidates.length === 0) throw new Reject('NO_MATCHING_REPORT', `no recent plain report from ${signer} for this signature`);
  const msgs = candidates.map((h) =>
    signedMessage({ kind: Kind.SignedAttached, source: h.message.mmsi, signer, destination: 0, second, content: h.bits.bytes, contentBits: h.bits.bitLength }),
  );
  const h = candidates[ctx.verifyAny(ext ? 'pseudo-mmsi' : 'mmsi', signer, epoch, msgs, b.signature)];
  if (h === undefined) throw new Reject('BAD_SIGNATURE', 'attached signature matches no recent report');
  ctx.replay.accept(source, Kind.SignedAttached, second, sha256(b.signature).subarray(0, 16), Math.floor(nowMs / 1000));
  h.verified = true;
  // A sender that just left amortised mode: its signature settles the report, so no later amortised F follows.
  if (h.amortisedId !== undefined) ctx.forgetAmortised(h.amortisedId);
  ctx.counters.verified++;
  ctx.counters.forwarded++;
  // With the drop policy this is the report's first showing; with flag it went out on arrival marked U and is
  // repeated here, so that the V directly follows the very report it vouches for.
  out.push(...h.lines, formatStatus({ result: Result.Verified, mode: ext ? 3 : 2, source, identity: signer, messageType: h.message.type, second, report: h.digest }));
};
