/**
 * Memory samples of the soaked daemon and what the soak concludes from them (docs/memory.md): per component, the
 * least-squares slope over the samples after warm-up (MB/h) and the plateau (the largest sample after warm-up).
 */
import { readFileSync } from 'node:fs';
import type { MemoryStatus } from '../firmware/daemon/memory.js';

export const COMPONENTS = ['rss', 'heapUsed', 'heapTotal', 'external', 'arrayBuffers', 'wasm'] as const;
export type Component = (typeof COMPONENTS)[number];

export interface MemorySample {
  /** Seconds since the load started. */
  readonly t: number;
  /** MB (2^20 bytes) per component. */
  readonly mb: Record<Component, number>;
}

const MB = 2 ** 20;

/** RSS from /proc (the kernel's count, which is what MemoryMax limits), the rest from the daemon's status JSON. */
export function sample(pid: number, t: number, m: MemoryStatus): MemorySample {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return {
    t,
    mb: {
      rss: (Number(kb?.[1] ?? NaN) * 1024) / MB,
      heapUsed: m.heapUsedBytes / MB,
      heapTotal: m.heapTotalBytes / MB,
      external: m.externalBytes / MB,
      arrayBuffers: m.arrayBuffersBytes / MB,
      wasm: m.wasmBytes / MB,
    },
  };
}

/** Least-squares slope of y over t (t in s), in units per hour; 0 with fewer than two distinct times. */
export function slopePerHour(points: readonly { t: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.t - mt) * (p.y - my);
    sxx += (p.t - mt) ** 2;
  }
  return sxx === 0 ? 0 : (sxy / sxx) * 3600;
}

export interface ComponentSummary {
  slopeMbPerHour: number;
  /** Over the second half of the samples: whether growth early in the run has levelled off. */
  lateSlopeMbPerHour: number;
  plateauMb: number;
  firstMb: number;
  lastMb: number;
}

export function summarise(samples: readonly MemorySample[]): Record<Component, ComponentSummary> {
  return Object.fromEntries(
    COMPONENTS.map((c) => {
      const ys = samples.map((s) => s.mb[c]);
      const points = samples.map((s) => ({ t: s.t, y: s.mb[c] }));
      return [c, {
        slopeMbPerHour: slopePerHour(points),
        lateSlopeMbPerHour: slopePerHour(points.slice(Math.floor(points.length / 2))),
        plateauMb: Math.max(...ys),
        firstMb: ys[0] ?? NaN,
        lastMb: ys.at(-1) ?? NaN,
      }];
    }),
  ) as Record<Component, ComponentSummary>;
}

/** MemoryMax of the shipped systemd unit, in MB. */
export function unitMemoryMaxMb(unitPath: string): number {
  const m = /^MemoryMax=(\d+)([KMG])?$/m.exec(readFileSync(unitPath, 'utf8'));
  if (m === null) throw new Error(`${unitPath} sets no MemoryMax`);
  // systemd reads a bare number as bytes.
  const scale = { '': 1 / MB, K: 1 / 1024, M: 1, G: 1024 }[(m[2] ?? '') as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * scale;
}

/** The node options of the shipped unit's ExecStart (between `node` and the script), so the soak runs what the unit runs. */
export function unitNodeFlags(unitPath: string): string[] {
  const m = /^ExecStart=\S*node((?:\s+--\S+)*)\s+\S+\.js\s/m.exec(readFileSync(unitPath, 'utf8'));
  if (m === null) throw new Error(`${unitPath} has no ExecStart of the form "node [--flags] main.js ..."`);
  return (m[1] ?? '').trim().split(/\s+/).filter((f) => f !== '');
}

/** The unit's `Environment=KEY=VALUE` settings (allocator tuning among them), so the soak's daemon runs with them too. */
export function unitEnvironment(unitPath: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of readFileSync(unitPath, 'utf8').matchAll(/^Environment=([A-Za-z_][A-Za-z0-9_]*)=(\S*)$/gm)) {
    env[m[1] as string] = m[2] as string;
  }
  return env;
}
