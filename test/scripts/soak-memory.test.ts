import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPONENTS, summarise, unitEnvironment, unitMemoryMaxMb, unitNodeFlags, type MemorySample } from '../../scripts/soak-memory.js';

const UNIT = join(import.meta.dirname, '../../deploy/mibc-ais.service');

function unitWith(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mibc-unit-')), 'x.service');
  writeFileSync(path, text);
  return path;
}

describe('the soak reads the shipped unit', () => {
  it('runs the daemon with the node options of the unit’s ExecStart, and measures against its MemoryMax', () => {
    expect(unitNodeFlags(UNIT)).toContain('--max-semi-space-size=1');
    expect(unitMemoryMaxMb(UNIT)).toBe(256);
    expect(unitNodeFlags(unitWith('ExecStart=/usr/bin/node /opt/x/main.js run\n'))).toEqual([]);
    expect(unitNodeFlags(unitWith('ExecStart=/usr/bin/node --a=1 --b /opt/x/main.js run\n'))).toEqual(['--a=1', '--b']);
    expect(() => unitNodeFlags(unitWith('ExecStart=/bin/true\n'))).toThrow(/ExecStart/);
    expect(unitEnvironment(UNIT)).toMatchObject({ MALLOC_ARENA_MAX: '2', NODE_ENV: 'production' });
    expect(unitEnvironment(unitWith('Environment=A=1\nEnvironmentFile=-/x\n#Environment=B=2\n'))).toEqual({ A: '1' });
  });
});

describe('the soak’s memory summary', () => {
  it('gives the slope over the whole run and over its second half, so growth that levels off shows as such', () => {
    // RSS climbs 4 MB in the first half hour and then stays; heap used is flat throughout.
    const samples: MemorySample[] = Array.from({ length: 361 }, (_, k) => {
      const t = 10 * k;
      const mb = Object.fromEntries(COMPONENTS.map((c) => [c, 10])) as MemorySample['mb'];
      mb.rss = 100 + 4 * Math.min(t, 1800) / 1800;
      return { t, mb };
    });
    const s = summarise(samples);
    expect(s.rss.slopeMbPerHour).toBeGreaterThan(3);
    expect(s.rss.lateSlopeMbPerHour).toBeCloseTo(0, 6);
    expect(s.rss.plateauMb).toBe(104);
    expect(s.heapUsed.slopeMbPerHour).toBe(0);
  });
});
