import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AisLineDecoder,
  encodeAbm,
  encodeBbm,
  formatChecksum,
  FragmentAssembler,
  joinApplicationData,
  NmeaError,
  parseAbk,
  parseAbm,
  parseBbm,
  parseSentence,
  toAbmMessage,
  toBbmMessage,
  toGpsdJson,
  xorChecksum,
  type AbmFragment,
  type BbmFragment,
} from '../../nmea/index.js';
import { CORPUS } from '../corpus.js';
import { createRng } from '../../bench/sim/rng.js';

/** Deterministic PRNG so a failure reproduces from the seed. */
function rng(seed: number): () => number {
  const r = createRng(seed);
  return () => r.next();
}

const ALPHABET = '!$*,\\0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ`abcdefghijklmnopqrstuvw~\u00ff\t ';

/** One random edit; half the time the checksum is repaired so the mutation reaches the layers behind framing. */
function mutate(line: string, r: () => number): string {
  const pick = (s: string): string => s.charAt(Math.floor(r() * s.length));
  const at = Math.floor(r() * (line.length + 1));
  let out: string;
  switch (Math.floor(r() * 8)) {
    case 0:
      out = line.slice(0, at) + pick(ALPHABET) + line.slice(at + 1);
      break;
    case 1:
      out = line.slice(0, at) + line.slice(at + 1);
      break;
    case 2:
      out = line.slice(0, at) + pick(ALPHABET) + line.slice(at);
      break;
    case 3:
      out = line.slice(0, at);
      break;
    case 4: {
      const f = line.split(',');
      const k = Math.floor(r() * f.length);
      f[k] = String(Math.floor(r() * 12));
      out = f.join(',');
      break;
    }
    case 5:
      out = line + line.slice(at);
      break;
    case 6: {
      const f = line.split(',');
      f.splice(Math.floor(r() * f.length), 1);
      out = f.join(',');
      break;
    }
    default:
      out = line.replace(/,(\d)\*/, () => `,${Math.floor(r() * 8)}*`);
  }
  if (r() < 0.5) {
    const star = out.lastIndexOf('*');
    const start = Math.max(out.lastIndexOf('!', star), out.lastIndexOf('$', star));
    if (star > start && start >= 0) out = out.slice(0, star + 1) + formatChecksum(xorChecksum(out, start + 1, star)) + out.slice(star + 3);
  }
  return out;
}

describe.skipIf(CORPUS === undefined)('fuzz: mutated corpus lines through framing, assembly and decoding', () => {
  it('raises only typed NmeaErrors over 120 000 mutated lines and keeps the assembler within its cap', () => {
    const files = ['gpsd/sample.aivdm', 'gpsd/ais-nmea-type6-fid55.log', 'libais/test.aivdm', 'libais/typeexamples.nmea', 'libais/tagblock.nmea'];
    const corpus = files.flatMap((f) =>
      readFileSync(resolve(CORPUS!, f), 'latin1')
        .split('\n')
        .filter((l) => l.includes('!') || l.includes('$')),
    );
    const r = rng(0x5eed);
    const decoder = new AisLineDecoder({ maxPending: 16, timeoutMs: 2000 });
    let messages = 0;
    let errors = 0;
    for (let k = 0; k < 120_000; k++) {
      const original = corpus[Math.floor(r() * corpus.length)]!;
      let line = mutate(original, r);
      if (r() < 0.3) line = mutate(line, r);
      const result = decoder.push(line, k);
      for (const { message, assembled } of result.messages) {
        toGpsdJson(message, { scaled: r() < 0.5, bits: assembled.bits });
        messages++;
      }
      errors += result.errors.length;
      if (decoder.pending > 16) throw new Error(`assembler holds ${decoder.pending} incomplete messages, cap 16`);
    }
    // Both paths were exercised: mutations that still decode and mutations that are rejected.
    expect(messages).toBeGreaterThan(10_000);
    expect(errors).toBeGreaterThan(10_000);
  });
});

describe('fuzz: mutated ABM, BBM and ABK sentences', () => {
  it('raise only typed NmeaErrors over 30 000 mutated lines', () => {
    const r = rng(0xab3);
    const seeds: string[] = ['AIABK,244670500,A,6,2,0', 'AIABK,,,8,5,3'].map((b) => `$${b}*${formatChecksum(xorChecksum(b))}`);
    for (let k = 0; k < 20; k++) {
      const bytes = new Uint8Array(k * 5).map((_, j) => (j * 37 + k) & 0xff);
      const bits = joinApplicationData({ dac: k * 17, fid: k, data: bytes, dataBits: bytes.length * 8 });
      seeds.push(...encodeBbm({ channel: 0, messageId: 8, seqId: k % 10, bits }));
      if (bits.bitLength <= 936) seeds.push(...encodeAbm({ destMmsi: 244_000_000 + k, channel: 3, messageId: 6, seqId: k % 4, bits }));
    }
    const abm = new FragmentAssembler<AbmFragment>({ maxPending: 8 });
    const bbm = new FragmentAssembler<BbmFragment>({ maxPending: 8 });
    for (let k = 0; k < 30_000; k++) {
      const line = mutate(seeds[Math.floor(r() * seeds.length)]!, r);
      try {
        const s = parseSentence(line);
        if (s.formatter === 'ABM') {
          const done = abm.push(parseAbm(s), k);
          if (done !== undefined) toAbmMessage(done);
        } else if (s.formatter === 'BBM') {
          const done = bbm.push(parseBbm(s), k);
          if (done !== undefined) toBbmMessage(done);
        } else parseAbk(s);
      } catch (e) {
        if (!(e instanceof NmeaError)) throw e;
      }
      if (abm.pending > 8 || bbm.pending > 8) throw new Error('assembler above its cap');
    }
  });
});
