/**
 * npm run bench:crypto — medians (ms, one core) of the mIBC primitives and their wire sizes.
 *
 * Method: each operation is warmed up, then timed in 15 samples; a sample runs the operation in a batch lasting
 * ≥ 25 ms and records the mean per call; the median sample is reported with the p10–p90 spread. Fixed-base tables
 * and precomputed G2 lines are built during warm-up (their one-time cost is reported separately). The machine is
 * shared, so run it more than once (`--rounds N` repeats everything and prints the median over rounds).
 */
import { cpus } from 'node:os';
import {
  decapsulate, decodePublicParams, encapsulate, extractDecryptionKey, extractSigningKey, groupOpen, groupSeal,
  GROUP_TAG_BYTES, KEM_CIPHERTEXT_BYTES, mmsiIdentity, PARAMS_BYTES, prepareDecryptor, prepareSigner,
  prepareVerifier, setup, sign, SIGNATURE_BYTES, verify, WRAPPED_GROUP_KEY_BYTES,
} from '../crypto/index.js';
import { writeResults } from './results.js';

const SAMPLES = 15;
const BATCH_MS = 25;

function measure(f: () => unknown): { median: number; p10: number; p90: number } {
  const warmEnd = performance.now() + 100;
  let n = 0;
  while (performance.now() < warmEnd || n < 3) {
    f();
    n++;
  }
  const xs: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < BATCH_MS || calls === 0) {
      f();
      calls++;
      t = performance.now();
    }
    xs.push((t - t0) / calls);
  }
  xs.sort((a, b) => a - b);
  const at = (q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;
  return { median: at(0.5), p10: at(0.1), p90: at(0.9) };
}

const once = (f: () => unknown) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

function round(): Map<string, { median: number; p10: number; p90: number }> {
  const { params, masterSecret } = setup();
  const pp = decodePublicParams(params);
  const id = mmsiIdentity(237000001, 202647);
  const sk = extractSigningKey(pp, masterSecret, id);
  const dk = extractDecryptionKey(pp, masterSecret, id);
  const report = new Uint8Array(21).fill(0x5a);
  const signer = prepareSigner(pp, sk, id);
  const verifier = prepareVerifier(pp, id);
  const decryptor = prepareDecryptor(pp, dk, id);
  const full = signer.sign(report);
  const compact = signer.sign(report, { form: 'compact' });
  const { ciphertext } = encapsulate(pp, id);
  const gk = new Uint8Array(16).fill(7);
  const nonce = { keyId: 1, mmsi: 237000001, utcSeconds: 1_795_000_000, counter: 0 };
  const sealed = groupSeal(gk, nonce, report);
  let mmsi = 200000000;
  const r = new Map<string, { median: number; p10: number; p90: number }>();
  r.set('setup (PKG: s, s·P1, s·P2)', measure(() => setup()));
  r.set('params decode + validate', measure(() => decodePublicParams(params)));
  r.set('extract signing key (G1)', measure(() => extractSigningKey(pp, masterSecret, id)));
  r.set('extract decryption key (G2)', measure(() => extractDecryptionKey(pp, masterSecret, id)));
  r.set('sign, full h (prepared signer)', measure(() => signer.sign(report)));
  r.set('sign, compact h (prepared signer)', measure(() => signer.sign(report, { form: 'compact' })));
  r.set('sign, full h (one-shot, key decoded)', measure(() => sign(pp, sk, id, report)));
  r.set('verify cold, full h', measure(() => verify(pp, id, report, full)));
  r.set('verify cold, compact h', measure(() => verify(pp, id, report, compact)));
  r.set('verify cached sender, full h', measure(() => verifier.verify(report, full)));
  r.set('verify cached sender, compact h', measure(() => verifier.verify(report, compact)));
  r.set('prepareVerifier (new sender)', measure(() => prepareVerifier(pp, mmsiIdentity(mmsi++, 1)).destroy()));
  r.set('SK-KEM encapsulate', measure(() => encapsulate(pp, id)));
  r.set('SK-KEM decapsulate (prepared)', measure(() => decryptor.decapsulate(ciphertext)));
  r.set('SK-KEM decapsulate (one-shot)', measure(() => decapsulate(pp, dk, id, ciphertext)));
  r.set('AEAD seal, 21-byte report', measure(() => groupSeal(gk, nonce, report)));
  r.set('AEAD open, 21-byte report', measure(() => groupOpen(gk, nonce, sealed)));
  signer.destroy();
  verifier.destroy();
  decryptor.destroy();
  return r;
}

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Math.max(1, Number(process.argv[roundsArg + 1]) || 1) : 1;
console.log(`mibc-ais crypto bench — node ${process.version}, ${cpus()[0]?.model ?? 'cpu?'}, ${rounds} round(s)`);

{
  const { params, masterSecret } = setup();
  const pp = decodePublicParams(params);
  const id = mmsiIdentity(237000001, 1);
  const sk = extractSigningKey(pp, masterSecret, id);
  console.log('one-time costs (ms, first call): ' + [
    `g table ${once(() => pp.gComb).toFixed(0)}`,
    `P1 table ${once(() => pp.P1Comb).toFixed(0)}`,
    `s·P1 table ${once(() => pp.sP1Comb).toFixed(0)}`,
    `prepareSigner ${once(() => prepareSigner(pp, sk, id).destroy()).toFixed(0)}`,
  ].join(', '));
}

const all: Array<Map<string, { median: number; p10: number; p90: number }>> = [];
for (let i = 0; i < rounds; i++) all.push(round());
const names = [...(all[0] as Map<string, unknown>).keys()];
const TARGETS: Record<string, number> = {
  'sign, full h (prepared signer)': 0.8,
  'sign, compact h (prepared signer)': 0.8,
  'verify cached sender, full h': 3.8,
  'verify cached sender, compact h': 3.8,
};
console.log('\n| operation | median ms | p10–p90 | target |');
console.log('|---|---:|---|---|');
const operations: { name: string; medianMs: number; p10Ms: number; p90Ms: number; targetMs?: number }[] = [];
for (const name of names) {
  const ms = all.map((m) => m.get(name)!).sort((a, b) => a.median - b.median);
  const mid = ms[ms.length >> 1]!;
  operations.push({ name, medianMs: mid.median, p10Ms: mid.p10, p90Ms: mid.p90, ...(TARGETS[name] === undefined ? {} : { targetMs: TARGETS[name] }) });
  const target = TARGETS[name];
  const verdict = target === undefined ? '' : `≤ ${target} ${mid.median <= target ? 'met' : 'MISSED'}`;
  const digits = mid.median < 0.1 ? 4 : 3;
  console.log(`| ${name} | ${mid.median.toFixed(digits)} | ${mid.p10.toFixed(digits)}–${mid.p90.toFixed(digits)} | ${verdict} |`);
}
console.log('\n| wire object | bytes |');
console.log('|---|---:|');
console.log(`| BLMQ signature h ‖ S, full h | ${SIGNATURE_BYTES.full} |`);
console.log(`| BLMQ signature h ‖ S, compact h | ${SIGNATURE_BYTES.compact} |`);
console.log(`| SK-KEM ciphertext U ‖ V | ${KEM_CIPHERTEXT_BYTES} |`);
console.log(`| group AEAD, 21-byte report (ciphertext ‖ ${GROUP_TAG_BYTES}-byte tag) | ${21 + GROUP_TAG_BYTES} |`);
console.log(`| wrapped group key | ${WRAPPED_GROUP_KEY_BYTES} |`);
console.log(`| public params | ${PARAMS_BYTES} |`);
writeResults('crypto', {
  rounds,
  operations,
  wireBytes: {
    signatureFull: SIGNATURE_BYTES.full, signatureCompact: SIGNATURE_BYTES.compact, kemCiphertext: KEM_CIPHERTEXT_BYTES,
    groupAeadReport: 21 + GROUP_TAG_BYTES, wrappedGroupKey: WRAPPED_GROUP_KEY_BYTES, params: PARAMS_BYTES,
  },
});
