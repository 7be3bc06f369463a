/**
 * `mibc-ais bench`: the simulated sea with the appliance at every ship (bench/link). `bench demo` is what `make run`
 * shows; `bench link` runs the measurements of `make bench` and writes bench/results/link.json and link.svg.
 */
import { Command } from 'commander';
import { pino } from 'pino';
import { intArg as intIn, intListArg, probabilityArg as fraction } from './args.js';
import { ShipTable, startStatusServer } from '../firmware/daemon/index.js';
import { runDemo, DEFAULT_DEMO } from '../bench/link/demo.js';
import { runMeasurements, DEFAULT_MEASURE } from '../bench/link/measure.js';

export function benchCommand(): Command {
  const bench = new Command('bench').description('simulated traffic through the real appliance pipelines: the demo and the link measurements');
  bench
    .command('demo')
    .description('60 simulated seconds: signed merchant ships, a blue-force group, a pseudonym, plain yachts and a spoofer')
    .option('--seed <n>', 'seed of the simulation', intIn('--seed', 0, 2 ** 31), DEFAULT_DEMO.seed)
    .option('--seconds <n>', 'simulated seconds', intIn('--seconds', 10, 600), DEFAULT_DEMO.seconds)
    .option('--ships <n>', 'Class A ships (10 Class B yachts come on top)', intIn('--ships', 8, 400), DEFAULT_DEMO.classA)
    .option('--loss <p>', 'probability that a slot is lost at a receiver', fraction('--loss'), DEFAULT_DEMO.slotLossP)
    .option('--serve <port>', "then serve the status page of what the coast station's display was shown on 127.0.0.1:<port> (0: any free port) until interrupted", intIn('--serve', 0, 65_535))
    .action(async (o: { seed: number; seconds: number; ships: number; loss: number; serve?: number }) => {
      const ships = o.serve === undefined ? undefined : new ShipTable();
      runDemo({ seed: o.seed, seconds: o.seconds, classA: o.ships, slotLossP: o.loss, ...(ships === undefined ? {} : { onCoastDisplay: (line, nowMs) => ships.push(line, nowMs) }) });
      if (ships !== undefined && o.serve !== undefined) await serveDemo(o.serve, ships);
    });
  bench
    .command('link')
    .description('slots, channel load, verification under slot loss, false accepts, latency and CPU per mode (make bench)')
    .option('--seed <n>', 'seed of the simulation', intIn('--seed', 0, 2 ** 31), DEFAULT_MEASURE.seed)
    .option('--seconds <n>', 'simulated seconds per run', intIn('--seconds', 10, 600), DEFAULT_MEASURE.seconds)
    .option('--ships <list>', 'ship counts of the ship sweep', intListArg('--ships', 10, 2000), DEFAULT_MEASURE.shipCounts)
    .option('--out <dir>', 'where the JSON and SVG results go', DEFAULT_MEASURE.outDir)
    .action((o: { seed: number; seconds: number; ships: number[]; out: string }) => {
      runMeasurements({ seed: o.seed, seconds: o.seconds, shipCounts: o.ships, outDir: o.out });
    });
  return bench;
}

/** The demo's status page: the coast station's ships, after the run (the run itself is simulated time, not wall time). */
async function serveDemo(port: number, ships: ShipTable): Promise<void> {
  const server = await startStatusServer({
    port,
    status: () => ({ state: 'demo', ready: true, health: 'healthy', mode: 'coast station view', relay: 'none', alarms: [], keys: [], counters: {}, pipeline: {} }),
    ships: () => ships.snapshot(),
    logger: pino({ level: 'silent' }),
  });
  console.log(`\nstatus page of the coast station: http://127.0.0.1:${server.port}/  (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
}
