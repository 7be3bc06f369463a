import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('mibc-ais command line', () => {
  it('reports the package version', () => {
    const out = execFileSync('npx', ['tsx', 'cli/main.ts', '--version'], { encoding: 'utf8' });
    expect(out.trim()).toBe(pkg.version);
  });
});
