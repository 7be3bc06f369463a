/** Regenerates test/vectors/wire-v2.json (npm run vectors:wire). Review the diff before committing. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildWireVectors, WIRE_VECTORS_FILE } from './build-wire.js';

const path = fileURLToPath(WIRE_VECTORS_FILE);
writeFileSync(path, JSON.stringify(buildWireVectors(), null, 1) + '\n');
console.log(`wrote ${path}`);
