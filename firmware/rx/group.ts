/** Kind 3, group-encrypted (mode 5, docs/envelope.md §2): AES-EAX under a group key of the slot the body names. */
import { CryptoError, groupOpen } from '../../crypto/index.js';
import { AEAD_TAG_BYTES, decodeGroup, groupHeader } from '../bodies.js';
import { Kind } from '../envelope.js';
import { Result } from '../status.js';
import type { KindHandler } from './context.js';
import { Reject } from './reject.js';
import { decodeReport, toNmeaBits } from './report.js';

export const group: KindHandler = (ctx, { source, body, second, channel, nowMs }, out) => {
  const b = decodeGroup(body);
  const keys = ctx.groupKeys.forSlot(b.keySlot, second);
  if (keys.length === 0) throw new Reject('NO_GROUP_KEY', `no group key for slot ${b.keySlot} at ${second}`);
  const sealed = new Uint8Array(b.ciphertext.length + AEAD_TAG_BYTES);
  sealed.set(b.ciphertext);
  sealed.set(b.tag, b.ciphertext.length);
  for (const k of keys) {
    let plain: Uint8Array;
    try {
      // The sender's instance byte is part of the nonce: appliances sharing an MMSI never share a nonce.
      plain = groupOpen(k.key, { keyId: k.keyId, mmsi: source, instance: b.instance, utcSeconds: second, counter: b.counter }, sealed, { aad: groupHeader(b), tagLength: AEAD_TAG_BYTES });
    } catch (e) {
      if (e instanceof CryptoError) continue;
      throw e;
    }
    const report = toNmeaBits({ bytes: plain, fill: b.fill });
    const message = decodeReport(report);
    if (message.mmsi !== source) throw new Reject('WRONG_SENDER', `group member ${source} sent a report of ${message.mmsi}`);
    ctx.replay.accept(source, Kind.Group, second, b.tag, Math.floor(nowMs / 1000));
    ctx.counters.decrypted++;
    ctx.emit(report, channel, { result: Result.Decrypted, mode: 5, source, identity: source, messageType: message.type, second }, out);
    return;
  }
  throw new Reject('BAD_TAG', 'no group key opens this message');
};
