/** A PKG directory for tests: real files in a temp dir, seeded randomness, a fixed clock and the cheapest scrypt. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_SCRYPT_LOG_N, Pkg, setupPkg, type PkgEnv } from '../../provisioning/pkg/index.js';
import { NOW_MS, seededRandom } from '../firmware/_pkg.js';

export const PASSPHRASE = 'correct horse battery staple';
export const AUTHORITY_MMSI = 2_371_000;

export interface PkgDir {
  readonly root: string;
  readonly dir: string;
  readonly env: PkgEnv & { set(ms: number): void };
  open(): Promise<Pkg>;
  remove(): void;
}

export function testEnv(seed: string, startMs = NOW_MS): PkgEnv & { set(ms: number): void } {
  let now = startMs;
  return { now: () => now, random: seededRandom(seed), set: (ms) => (now = ms) };
}

export async function makePkgDir(seed = 'pkg dir'): Promise<PkgDir> {
  const root = mkdtempSync(join(tmpdir(), 'mibc-pkg-'));
  const dir = join(root, 'pkg');
  const env = testEnv(seed);
  await setupPkg({ dir, passphrase: PASSPHRASE, scryptLogN: MIN_SCRYPT_LOG_N, authorityMmsi: AUTHORITY_MMSI }, env);
  return { root, dir, env, open: () => Pkg.open(dir, PASSPHRASE, env), remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** The code of a rejected promise's typed error, or 'OK'. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    throw e;
  }
}
