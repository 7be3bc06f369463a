/**
 * The wire-format vectors (docs/wire-format.md §14): the project's code reproduces them byte for byte, and its
 * receiver accepts (or refuses, with the stated reason) every message vector.
 */
import { readFileSync } from 'node:fs';
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { decodePublicParams } from '../../crypto/index.js';
import { GroupKeyRing, OwnIdentity } from '../../firmware/keyring.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { parseStatus } from '../../firmware/status.js';
import { buildWireVectors, WIRE_VECTORS_FILE, type MessageVector } from './build-wire.js';

type Vectors = ReturnType<typeof buildWireVectors>;
const file = JSON.parse(readFileSync(WIRE_VECTORS_FILE, 'utf8')) as Vectors;

describe('wire-v2 vectors', () => {
  it('are reproduced byte for byte by the project (npm run vectors:wire)', () => {
    expect(JSON.parse(JSON.stringify(buildWireVectors()))).toEqual(file);
  });

  it('carry the envelope version the code speaks', () => {
    expect(file.version).toBe(2);
    for (const v of file.messages) expect(v.sentences.some((l) => l.includes(','))).toBe(true);
  });

  const params = { pp: decodePublicParams(hexToBytes(file.params)), epochSeconds: file.epochSeconds };
  const receiver = () => {
    const r = file.receiver;
    const bob = new OwnIdentity(params, 'mmsi', r.mmsi, [{ epoch: r.epoch, signingKey: new Uint8Array(48), decryptionKey: hexToBytes(r.decryptionKey) }]);
    const ring = new GroupKeyRing();
    for (const k of r.groupKeys) ring.add({ ...k, key: hexToBytes(k.key) });
    return new SecureRx({}, { params, identity: bob, groupKeys: ring });
  };

  it.each(file.messages.filter((v) => !v.name.includes('grant')).map((v) => [v.name, v] as const))('the project receiver: %s', (_n, v: MessageVector) => {
    const rx = receiver();
    const statuses = v.sentences.flatMap((l) => rx.push(l, v.now * 1000)).filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l)!).filter((s) => s.result !== 'U');
    if (v.expect.ok) expect(statuses.map((s) => [s.result, s.identity])).toEqual([[v.kind === 3 || v.kind === 4 ? 'D' : 'V', v.expect.signer]]);
    else expect(statuses.map((s) => [s.result, s.reason])).toEqual([['F', v.expect.reason]]);
  });
});
