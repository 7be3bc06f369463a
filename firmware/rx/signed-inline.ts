/** Kind 1, signed inline (modes 2 and 3, docs/envelope.md §2): the report travels inside the signed body. */
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeSignedInline } from '../bodies.js';
import { Kind } from '../envelope.js';
import { epochOf } from '../epoch.js';
import { signedMessage } from '../signed-message.js';
import { Result } from '../status.js';
import type { KindHandler } from './context.js';
import { Reject } from './reject.js';
import { decodeReport, toNmeaBits } from './report.js';

export const signedInline: KindHandler = (ctx, { source, ext, body, second, channel, nowMs }, out) => {
  const b = decodeSignedInline(body, ext);
  const signer = b.signer ?? source;
  const report = toNmeaBits(b.report);
  const message = decodeReport(report);
  // A ship vouches only for its own reports: the report's MMSI must be the identity that signed it.
  if (message.mmsi !== signer) throw new Reject('WRONG_SENDER', `report of ${message.mmsi} signed by ${signer}`);
  const epoch = epochOf(second, ctx.keys.params.epochSeconds);
  const msg = signedMessage({ kind: Kind.SignedInline, source, signer, destination: 0, second, content: report.bytes, contentBits: report.bitLength });
  if (!ctx.verify(ext ? 'pseudo-mmsi' : 'mmsi', signer, epoch, msg, b.signature)) throw new Reject('BAD_SIGNATURE', 'signature does not verify');
  ctx.replay.accept(source, Kind.SignedInline, second, sha256(b.signature).subarray(0, 16), Math.floor(nowMs / 1000));
  ctx.counters.verified++;
  ctx.emit(report, channel, { result: Result.Verified, mode: ext ? 3 : 2, source, identity: signer, messageType: message.type, second }, out);
};
