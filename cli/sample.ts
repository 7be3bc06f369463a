/**
 * `mibc-ais sample` (hidden): prints generated own-ship VDM traffic (bench/sample-traffic.ts) so `make run` can
 * show the codec end to end until the simulator exists.
 */
import { Command } from 'commander';
import { sampleTraffic } from '../bench/sample-traffic.js';
import { intArg } from './args.js';

export function sampleCommand(): Command {
  return new Command('sample')
    .description('print generated own-ship AIS traffic as VDM sentences (demo input for `decode`)')
    .option('-r, --rounds <n>', 'rounds of position reports', intArg('--rounds', 1, 1000), 3)
    .action((opts: { rounds: number }) => {
      if (!Number.isInteger(opts.rounds) || opts.rounds < 1 || opts.rounds > 10_000) throw new RangeError('--rounds: expected 1..10000');
      process.stdout.write(`${sampleTraffic(opts.rounds).sentences.join('\r\n')}\r\n`);
    });
}
