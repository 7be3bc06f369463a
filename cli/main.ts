#!/usr/bin/env node
/** `mibc-ais` command line (DESIGN.md §4): the composition root that wires the layers into subcommands. */
import { Command } from 'commander';

const program = new Command()
  .name('mibc-ais')
  .description('Secure AIS appliance (identity-based authentication and encryption) and authority key tools')
  .version('0.1.0');

// `decode` is a filter run over large logs: its start-up should not pay for loading the pairing library and the
// appliance, so it is the only command loaded when it is the one asked for. Anything else (help included) loads all.
if (process.argv[2] === 'decode') {
  const { decodeCommand } = await import('./decode.js');
  program.addCommand(decodeCommand());
} else {
  const [{ benchCommand }, { decodeCommand }, { deviceKeyCommand }, { rxCommand, txCommand }, { pkgCommand }, { sampleCommand }, { secomCommand }, { appliancePipelineFactory }, { registerRun }] =
    await Promise.all([
      import('./bench.js'), import('./decode.js'), import('./device.js'), import('./filters.js'), import('./pkg.js'),
      import('./sample.js'), import('./secom.js'), import('./run-pipeline.js'), import('./run.js'),
    ]);
  program
    .addCommand(decodeCommand())
    .addCommand(txCommand())
    .addCommand(rxCommand())
    .addCommand(pkgCommand())
    .addCommand(deviceKeyCommand())
    .addCommand(benchCommand())
    .addCommand(secomCommand())
    .addCommand(sampleCommand(), { hidden: true });
  registerRun(program, appliancePipelineFactory());
}

await program.parseAsync(process.argv);
