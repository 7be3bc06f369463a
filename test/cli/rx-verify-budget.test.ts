/** `mibc-ais rx --verify-budget`: on by default; off checks a recorded file at one fixed time without refusals. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runRx } from '../../cli/filters.js';
import { DEFAULT_VERIFY_BUDGET } from '../../firmware/rx/verify-budget.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { encodeAis } from '../../nmea/index.js';
import { epochAt, NOW_MS, paramsFile, seededRandom, testPkg } from '../firmware/_pkg.js';

const MMSI = 244_123_456;
const REPORTS = DEFAULT_VERIFY_BUDGET.perSourceBurst + 4;
let params: string;
let lines: string[];

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'mibc-rx-budget-'));
  const pkg = testPkg('cli rx budget');
  params = join(dir, 'params.json');
  writeFileSync(params, JSON.stringify(paramsFile(pkg)));
  const tx = new SecureTx({ mode: 2, emit: 'vdm', ownShip: 'any' }, { params: pkg.params, identity: pkg.identity(MMSI, [epochAt(NOW_MS, pkg.params)]) }, seededRandom('cli rx budget'));
  lines = [];
  for (let i = 0; i < REPORTS; i++) {
    const bits = encodeAis({ type: 1, repeat: 0, mmsi: MMSI, status: 0, turn: 0, speed: 100 + i, accuracy: true, lon: 1_000, lat: 2_000, course: 0, heading: 0, second: i, maneuver: 0, spare: 0, raim: false, radio: 0 });
    lines.push(...tx.secure(bits, MMSI, 1, NOW_MS));
  }
});

async function rx(verifyBudget: 'on' | 'off') {
  const output = new PassThrough();
  const errors = new PassThrough();
  output.resume();
  errors.resume();
  return runRx({ params, policy: 'flag', window: 30, dac: 0, fi: 58, verifyBudget }, { input: Readable.from(lines.map((l) => `${l}\n`)), output, errors, now: () => NOW_MS });
}

describe('mibc-ais rx --verify-budget', () => {
  it('refuses checks past one sender\'s burst at one instant by default (BUDGET_SOURCE)', async () => {
    const r = await rx('on');
    expect(r.counters.verified).toBe(DEFAULT_VERIFY_BUDGET.perSourceBurst);
    expect(r.counters.rejected.BUDGET_SOURCE).toBe(REPORTS - DEFAULT_VERIFY_BUDGET.perSourceBurst);
  });

  it('verifies every report of a recorded file at one fixed time with --verify-budget off', async () => {
    const r = await rx('off');
    expect(r.counters.verified).toBe(REPORTS);
    expect(r.counters.rejected.BUDGET_SOURCE ?? 0).toBe(0);
  });
});
