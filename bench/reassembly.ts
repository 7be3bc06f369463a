/**
 * `npx tsx bench/reassembly.ts`: receiver CPU an attacker buys with forged fragments (docs/envelope.md §3). Each group
 * is first filled to its caps with forged fragments 0 and later chunks under one MMSI and group id; then every further
 * forged fragment 1 makes the reassembler check every combination against the commitments (the worst case per
 * message). No signature is checked here: a forged chunk that matches no commitment never reaches a pairing.
 */
import { decodeEnvelopeMessage, Kind } from '../firmware/envelope.js';
import { fragmentBody } from '../firmware/fragmenter.js';
import { MAX_HEADS, maxVariants, Reassembler } from '../firmware/reassembler.js';

const ROUNDS = 400;
const body = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

console.log('fragments  combinations per message  µs per forged message (worst case)');
for (const len of [90, 150, 200]) {
  const messages = (seed: number) => fragmentBody(Kind.SignedInline, false, body(len, seed), 3, { messageType: 8 }).map(decodeEnvelopeMessage);
  const count = messages(0).length;
  const r = new Reassembler();
  for (let s = 0; s < MAX_HEADS; s++) r.push({ source: 1 }, messages(s)[0]!, 0);
  for (let s = 0; s < 4; s++) for (let i = 2; i < count; i++) r.push({ source: 1 }, messages(100 + s)[i]!, 0);
  const forged = Array.from({ length: ROUNDS }, (_, s) => messages(5000 + s)[1]!);
  const t = performance.now();
  for (const m of forged) r.push({ source: 1 }, m, 0);
  const combos = MAX_HEADS * Array.from({ length: count - 2 }, (_, i) => maxVariants(i + 2, count)).reduce((a, b) => a * b, 1);
  console.log(`${String(count).padStart(9)}  ${String(combos).padStart(23)}  ${(((performance.now() - t) / ROUNDS) * 1000).toFixed(0).padStart(34)}`);
}
