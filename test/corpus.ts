/**
 * Locates the shared test corpus (../shared/corpus, see its SOURCES.md) without copying it into the repository:
 * `$MIBC_CORPUS`, else `<repo>/../shared/corpus` (a checkout next to shared/), else `<repo>/../../shared/corpus`
 * (a worktree one level deeper). Suites that need it use `describe.skipIf(CORPUS === undefined)`.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function find(): string | undefined {
  const candidates = [process.env['MIBC_CORPUS'], resolve(repo, '../shared/corpus'), resolve(repo, '../../shared/corpus')];
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(resolve(c, 'SOURCES.md')));
}

export const CORPUS: string | undefined = find();
export const REPO = repo;
export const NO_CORPUS = 'shared corpus not found (set MIBC_CORPUS or check out ../shared/corpus); corpus tests skipped';
if (CORPUS === undefined) console.warn(NO_CORPUS);
