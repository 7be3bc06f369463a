/**
 * `npm run bench:envelope`: what securing costs on the VHF link. For each mode and topology, one own-ship report is
 * secured as BBM/ABM sentences; the table gives the slots of the secured messages against the plain report's, the
 * messages and the sentences per report. Slots follow ITU-R M.1371-5 Tables 55/58 (firmware/capacity.ts).
 * Writes bench/results/envelope.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { decodePublicParams, extractDecryptionKey, extractSigningKey, setup } from '../crypto/index.js';
import { slotsForPlainBits } from '../firmware/capacity.js';
import { epochOf } from '../firmware/epoch.js';
import { GroupKeyRing, identityOf, OwnIdentity, type SystemParams } from '../firmware/keyring.js';
import type { Mode } from '../firmware/pipeline.js';
import { SecureTx, type Topology } from '../firmware/secure-tx.js';
import { MemoryNonceStore } from '../hal/nonce-store-sim.js';
import { encodeAis, type AisMessage } from '../nmea/index.js';

const NOW_MS = Date.UTC(2026, 10, 24, 12);
const OWN = 244_123_456;
const PEER = 211_000_001;
const PSEUDO = 970_000_123;

const position: AisMessage = {
  type: 1, repeat: 0, mmsi: OWN, status: 0, turn: -128, speed: 123, accuracy: true, lon: 2_400_000, lat: 31_800_000,
  course: 2240, heading: 215, second: 33, maneuver: 0, spare: 0, raim: false, radio: 34017,
};
const staticVoyage: AisMessage = {
  type: 5, repeat: 0, mmsi: OWN, ais_version: 0, imo: 9_134_270, callsign: '3FOF8  ', shipname: 'EVER DIADEM         ',
  shiptype: 70, to_bow: 225, to_stern: 70, to_port: 1, to_starboard: 31, epfd: 1, month: 5, day: 15, hour: 14,
  minute: 0, draught: 122, destination: 'NEW YORK            ', dte: 0, spare: 0,
};

const { params: pb, masterSecret } = setup();
const params: SystemParams = { pp: decodePublicParams(pb), epochSeconds: 30 * 24 * 3600 };
const epoch = epochOf(NOW_MS / 1000, params.epochSeconds);
const identity = (kind: 'mmsi' | 'pseudo-mmsi', mmsi: number) => {
  const id = identityOf(kind, mmsi, epoch);
  return new OwnIdentity(params, kind, mmsi, [
    { epoch, signingKey: extractSigningKey(params.pp, masterSecret, id), decryptionKey: extractDecryptionKey(params.pp, masterSecret, id) },
  ]);
};
const keys = {
  params,
  identity: identity('mmsi', OWN),
  pseudo: identity('pseudo-mmsi', PSEUDO),
  groupKeys: (() => {
    const r = new GroupKeyRing();
    r.add({ keyId: 1, key: new Uint8Array(16).fill(7), notBefore: NOW_MS / 1000 - 60, notAfter: NOW_MS / 1000 + 6 * 3600 });
    return r;
  })(),
};

interface Row {
  mode: Mode;
  topology: Topology;
  signature: 'compact' | 'full' | '-';
  report: string;
  plainSlots: number;
  securedSlots: number;
  messages: number;
  sentences: number;
  overhead: number;
}

const rows: Row[] = [];
const cases: [Mode, Topology, 'compact' | 'full' | '-'][] = [
  [2, 'inline', 'compact'],
  [2, 'inline', 'full'],
  [2, 'attached', 'compact'],
  [2, 'attached', 'full'],
  [3, 'inline', 'compact'],
  [4, 'inline', 'compact'],
  [5, 'inline', '-'],
];
for (const report of [position, staticVoyage]) {
  const bits = encodeAis(report);
  const plainSlots = slotsForPlainBits(bits.bitLength);
  for (const [mode, topology, signature] of cases) {
    // Mode 3 hides the ship only on a radio the appliance drives (VDM); it is not available attached or with BBM.
    const tx = new SecureTx(
      { mode, topology, emit: mode === 3 ? 'vdm' : 'bbm', to: PEER, timeTrusted: true, ...(signature === '-' ? {} : { signatureForm: signature }) },
      { ...keys, nonceState: new MemoryNonceStore() },
    );
    const lines = tx.secure(bits, OWN, report.type, NOW_MS);
    const securedSlots = tx.counters.slots + (topology === 'attached' ? plainSlots : 0);
    rows.push({
      mode, topology, signature, report: `type ${report.type} (${bits.bitLength} bits)`, plainSlots, securedSlots,
      messages: tx.counters.messages, sentences: lines.length, overhead: securedSlots / plainSlots,
    });
  }
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
console.log('mode  topology  signature  report               plain slots  secured slots  msgs 6/8  sentences  × plain');
for (const r of rows) {
  console.log(
    `${pad(r.mode, 4)}  ${r.topology.padEnd(8)}  ${r.signature.padEnd(9)}  ${r.report.padEnd(19)}  ${pad(r.plainSlots, 11)}  ${pad(r.securedSlots, 13)}  ${pad(r.messages, 8)}  ${pad(r.sentences, 9)}  ${pad(r.overhead.toFixed(2), 7)}`,
  );
}
console.log('secured slots include the plain report itself in the attached topology (it still goes out).');
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/envelope.json', JSON.stringify({ measuredAt: new Date().toISOString(), rows }, null, 2));
