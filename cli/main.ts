#!/usr/bin/env node
/** `mibc-ais` command line (DESIGN.md §4): the composition root that wires the layers into subcommands. */
import { Command } from 'commander';
import { showRanges } from './args.js';
import { benchCommand } from './bench.js';
import { decodeCommand } from './decode.js';
import { deviceKeyCommand } from './device.js';
import { rxCommand, txCommand } from './filters.js';
import { pkgCommand } from './pkg.js';
import { sampleCommand } from './sample.js';
import { appliancePipelineFactory } from './run-pipeline.js';
import { registerRun } from './run.js';

const program = new Command()
  .name('mibc-ais')
  .description('Secure AIS appliance (identity-based authentication and encryption) and authority key tools')
  .version('0.1.0')
  .addCommand(decodeCommand())
  .addCommand(txCommand())
  .addCommand(rxCommand())
  .addCommand(pkgCommand())
  .addCommand(deviceKeyCommand())
  .addCommand(benchCommand())
  .addCommand(sampleCommand(), { hidden: true });

registerRun(program, appliancePipelineFactory());
showRanges(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // A typed failure (a file, a key, a device) is the user's to fix: one line. Anything else is a bug: full stack.
  if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string') {
    process.stderr.write(`mibc-ais: ${(error as Error & { code: string }).code}: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
