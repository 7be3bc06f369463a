/**
 * Kind 4, SK-KEM to one recipient (mode 4, docs/envelope.md §2): signed by the sender, decrypted with this vessel's
 * identity key; carries a report or a mode-5 group-key hand-out, installed only as the group policy allows.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CryptoError, groupOpen } from '../../crypto/index.js';
import { AEAD_TAG_BYTES, decodeGroupKeyGrant, decodeKem, kemSignedPart, KemPurpose } from '../bodies.js';
import { Kind } from '../envelope.js';
import { epochOf } from '../epoch.js';
import { kemAssociatedData } from '../kem-binding.js';
import { signedMessage } from '../signed-message.js';
import { formatStatus, Result } from '../status.js';
import type { KindHandler } from './context.js';
import { Reject } from './reject.js';
import { decodeReport, toNmeaBits } from './report.js';

export const kem: KindHandler = (ctx, { source, destination, body, second, channel, nowMs }, out) => {
  const id = ctx.keys.identity;
  if (id === undefined || destination === undefined) throw new Reject('NO_KEY', 'mode 4 message but no own identity key');
  const b = decodeKem(body);
  const epoch = epochOf(second, ctx.keys.params.epochSeconds);
  const part = kemSignedPart(b);
  // Authenticate before decrypting: SK-KEM alone says nothing about who sent it.
  const msg = signedMessage({ kind: Kind.Kem, source, signer: source, destination, second, content: part, contentBits: part.length * 8 });
  if (!ctx.verify('mmsi', source, epoch, msg, b.signature)) throw new Reject('BAD_SIGNATURE', 'mode 4 sender signature does not verify');
  if (!id.hasEpoch(epoch)) throw new Reject('NO_KEY', `no decryption key for epoch ${epoch}`);
  ctx.spendPairing();
  const key = id.decryptor(epoch).decapsulate(b.kemCiphertext);
  let content: Uint8Array;
  try {
    // Bound to sender, recipient, second, purpose and KEM ciphertext: re-signed by another key holder, it does not open.
    const aad = kemAssociatedData({ sender: source, recipient: destination, second, purpose: b.purpose, fill: b.fill, kemCiphertext: b.kemCiphertext });
    content = groupOpen(key, { keyId: 0, mmsi: destination, utcSeconds: second, counter: 0 }, b.sealed, { aad, tagLength: AEAD_TAG_BYTES });
  } catch (e) {
    if (e instanceof CryptoError) throw new Reject('BAD_TAG', 'mode 4 content does not open');
    throw e;
  } finally {
    key.fill(0);
  }
  ctx.replay.accept(source, Kind.Kem, second, sha256(b.signature).subarray(0, 16), Math.floor(nowMs / 1000));
  if (b.purpose === KemPurpose.GroupKey) {
    // Installed only as the group policy allows (docs/group-keys.md): default deny.
    const installed = ctx.groupKeys.install(decodeGroupKeyGrant(content), { signer: source, destination, ownMmsi: id.mmsi, second });
    if (!installed.ok) throw new Reject(installed.reason, installed.detail);
    if (!installed.repeated) ctx.counters.keysInstalled++;
    ctx.groupKeyInstalled(installed.key, source);
    out.push(formatStatus({ result: Result.KeyInstalled, mode: 4, source, identity: source, second, reason: `KEY_${installed.key.keyId}` }));
    return;
  }
  const report = toNmeaBits({ bytes: content, fill: b.fill });
  const message = decodeReport(report);
  // Refused, not shown with both identities: a display plots a report at the MMSI it names (docs/envelope.md §2).
  if (message.mmsi !== source) throw new Reject('WRONG_SENDER', `mode 4 report of ${message.mmsi} sent by ${source}`);
  ctx.counters.decrypted++;
  ctx.emit(report, channel, { result: Result.Decrypted, mode: 4, source, identity: source, messageType: message.type, second }, out);
};
