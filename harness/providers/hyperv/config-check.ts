// Refuses a Hyper-V config that cannot give a meaningful cell, before anything is created.
//
// Generation 2 is refused as a usage error, not a skip and not a fail: hyperv(4) says in its
// CAVEATS that "Generation 2 Virtual Machines are currently not supported.", so a Generation 2
// cell would only ever show that the harness was asked for something the manual rules out.
// Nothing about the guest is learnt from it (so not fail), and it is not a check that does not
// apply to one cell (so not skip): the config itself is wrong, and the fix is in the config.
import { UsageError } from '../../core/errors.ts';
import type { HypervConfig } from './config.ts';

export const GENERATION_2_CAVEAT = 'Generation 2 Virtual Machines are currently not supported.';

export function checkHypervConfig(config: HypervConfig): void {
  const field = `hypervisors[name=${config.name}].generation`;
  if (config.generation === 2)
    throw new UsageError(
      `${field}: 2 is refused: hyperv(4) CAVEATS says "${GENERATION_2_CAVEAT}" Fix: set generation: 1 (or leave it out; 1 is the default).`,
    );
  if (config.generation !== 1)
    throw new UsageError(`${field}: ${config.generation} is not a Hyper-V generation. Fix: set generation: 1.`);
}
