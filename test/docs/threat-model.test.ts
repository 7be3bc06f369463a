/**
 * docs/threat-model.md names a test for every claim. This keeps the names true: each reference must point at an
 * existing test file that holds a test whose name starts with the quoted text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'threat-model.md'), 'utf8');

/** `file` › “name” and any further › “name” that follows on the same reference. */
function references(text: string): { file: string; name: string }[] {
  const out: { file: string; name: string }[] = [];
  for (const m of text.matchAll(/`(test\/[^`]+\.test\.ts)`((?:[^`|]*?›\s*“[^”]+”)+)/g)) {
    const file = m[1] as string;
    for (const n of (m[2] as string).matchAll(/›\s*“([^”]+)”/g)) out.push({ file, name: n[1] as string });
  }
  return out;
}

/** The titles of it()/test() calls in a file, with escapes undone. */
function titles(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/\b(?:it|test)(?:\.each\([^)]*\))?\(\s*(['"`])((?:\\.|(?!\1).)*)\1/gs)) {
    out.push((m[2] as string).replace(/\\(.)/g, '$1'));
  }
  return out;
}

describe('docs/threat-model.md', () => {
  const refs = references(doc);

  it('names tests for its claims', () => {
    expect(refs.length).toBeGreaterThan(50);
  });

  it('every named test exists under that name', () => {
    const missing: string[] = [];
    for (const { file, name } of refs) {
      const path = join(root, file);
      if (!existsSync(path)) {
        missing.push(`${file} (no such file)`);
        continue;
      }
      if (!titles(readFileSync(path, 'utf8')).some((t) => t.startsWith(name))) missing.push(`${file} › “${name}”`);
    }
    expect(missing).toEqual([]);
  });

  it('leaves no placeholder rows', () => {
    expect(doc).not.toMatch(/^[A-Z_]+_ROWS$/m);
  });
});
