import { describe, expect, it } from 'vitest';
import { KeyChain, chainStep, deriveKey, verifyDisclosedKey } from '../../../firmware/amortised/index.js';
import { seeds } from './_harness.js';

const base = { mmsi: 235_009_876, gen: 0 as const, keyBytes: 8 };

describe('key chain', () => {
  const chain = KeyChain.generate(base, seeds('chain-test')(), 1000, 100);
  const id = chain.id;

  it('links every key to the previous one by F_i', () => {
    for (let i = 1000; i < 1100; i++) expect(chainStep(id, i, chain.key(i))).toEqual(chain.key(i - 1));
  });

  it('verifies a disclosed key against an older trusted key, within the step bound only', () => {
    const trusted = { index: 999, key: chain.key(999) };
    expect(verifyDisclosedKey(id, 1050, chain.key(1050), trusted, 64)).toBe(true);
    expect(verifyDisclosedKey(id, 1099, chain.key(1099), trusted, 64)).toBe(false);
    expect(verifyDisclosedKey(id, 1099, chain.key(1099), trusted, 100)).toBe(true);
  });

  it('rejects a wrong key, a key at the wrong index, another ship or another generation', () => {
    const trusted = { index: 1010, key: chain.key(1010) };
    const forged = chain.key(1011).slice();
    forged[0] = (forged[0] ?? 0) ^ 1;
    expect(verifyDisclosedKey(id, 1011, forged, trusted, 8)).toBe(false);
    expect(verifyDisclosedKey(id, 1012, chain.key(1011), trusted, 8)).toBe(false);
    expect(verifyDisclosedKey({ ...id, mmsi: id.mmsi + 1 }, 1011, chain.key(1011), trusted, 8)).toBe(false);
    expect(verifyDisclosedKey({ ...id, gen: 1 }, 1011, chain.key(1011), trusted, 8)).toBe(false);
    expect(verifyDisclosedKey({ ...id, salt: new Uint8Array(8) }, 1011, chain.key(1011), trusted, 8)).toBe(false);
    expect(verifyDisclosedKey(id, 1010, chain.key(1010), trusted, 8)).toBe(false);
  });

  it('derives earlier keys and refuses to go up or too far', () => {
    expect(deriveKey(id, 1090, chain.key(1090), 1080, 10)).toEqual(chain.key(1080));
    expect(() => deriveKey(id, 1080, chain.key(1080), 1090, 10)).toThrow(expect.objectContaining({ code: 'AMORTISED_CHAIN' }));
    expect(() => deriveKey(id, 1090, chain.key(1090), 1000, 10)).toThrow(expect.objectContaining({ code: 'AMORTISED_CHAIN' }));
  });

  it('is a function of the seed and wipes on retirement', () => {
    const again = KeyChain.generate(base, seeds('chain-test')(), 1000, 100);
    expect(again.key(1042)).toEqual(chain.key(1042));
    again.wipe();
    expect(again.key(1042).every((b) => b === 0)).toBe(true);
  });
});
