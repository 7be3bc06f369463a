/** A decode worker (cli/decode-parallel.ts): decodes the blocks it is sent, in order (cli/decode-block.ts). */
import { parentPort } from 'node:worker_threads';
import { decodeBlock, type BlockJob } from './decode-block.js';

const port = parentPort;
if (port === null) throw new Error('cli/decode-worker.ts runs as a worker thread only');
port.on('message', (job: BlockJob) => {
  const r = decodeBlock(job);
  port.postMessage(r, [r.out.buffer as ArrayBuffer]);
});
