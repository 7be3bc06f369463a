/**
 * Mode 1 only (the paper's §3: everything forwarded unaltered), behind the Pipeline seam. It is what `mibc-ais run`
 * drives until the secure pipeline is plugged into the CLI, and the cost floor the daemon's measurements are taken
 * against. It refuses modes 2–5 instead of pretending to secure anything: the daemon then raises MODE_UNAVAILABLE.
 */
import type { Mode, Pipeline, PipelineCounters, PipelineOutput } from '../pipeline.js';

export class PlainPipeline implements Pipeline {
  #shipIn = 0;
  #radioIn = 0;

  get mode(): Mode {
    return 1;
  }

  setMode(mode: Mode): void {
    if (mode !== 1) throw new RangeError(`mode ${mode} needs the secure pipeline; this build forwards in mode 1 only`);
  }

  /** Own-ship traffic is the appliance's safety traffic: it goes before anything else on the radio port. */
  fromShip(line: string): PipelineOutput[] {
    this.#shipIn += 1;
    return [{ side: 'radio', line, priority: 'safety' }];
  }

  fromRadio(line: string): PipelineOutput[] {
    this.#radioIn += 1;
    return [{ side: 'ship', line, priority: 'normal' }];
  }

  tick(): PipelineOutput[] {
    return [];
  }

  bypass(line: string): PipelineOutput[] {
    return [{ side: 'radio', line, priority: 'safety' }];
  }

  /** Mode 1 is plain by definition. */
  plainAllowed(): boolean {
    return true;
  }

  /** Mode 1 uses no time. */
  setTimeTrusted(): void {}

  counters(): PipelineCounters {
    return { shipIn: this.#shipIn, radioIn: this.#radioIn };
  }
}

export function createPlainPipeline(): Pipeline {
  return new PlainPipeline();
}
