/** Regenerates test/crypto/vectors/mibc-v1.json (npm run vectors:crypto). Review the diff before committing. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { buildVectors, VECTORS_FILE } from './_vectors.js';

const path = fileURLToPath(VECTORS_FILE);
mkdirSync(dirname(path), { recursive: true });
writeFileSync(path, JSON.stringify(buildVectors(), null, 1) + '\n');
console.log(`wrote ${path}`);
