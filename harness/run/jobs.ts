// How many cells to run at once when --jobs is not given: one per core (a TCG guest keeps about
// one core busy), no more than the free memory holds with a margin for the host, never more than
// there are cells. Cells share nothing but the image cache (each has its own overlays, QMP
// socket, slirp port and scratch folder), so they can run side by side.
import { availableParallelism, freemem } from 'node:os';
import type { HypervisorConfig } from '../config/schema.ts';

const HOST_RESERVE_MIB = 1024;
/** QEMU's own resident memory beside the guest's RAM, plus a saved machine state's page cache. */
const PER_CELL_OVERHEAD_MIB = 256;

export interface JobsChoice {
  jobs: number;
  why: string;
}

export function defaultJobs(cells: Array<{ hypervisor: HypervisorConfig }>, cores = availableParallelism(), freeMiB = Math.floor(freemem() / 2 ** 20)): JobsChoice {
  const perCell = Math.max(0, ...cells.map((c) => c.hypervisor.memoryMiB ?? 512)) + PER_CELL_OVERHEAD_MIB;
  const byMemory = Math.max(1, Math.floor((freeMiB - HOST_RESERVE_MIB) / perCell));
  const jobs = Math.max(1, Math.min(cores, byMemory, cells.length));
  return { jobs, why: `${cores} cores, ${(freeMiB / 1024).toFixed(1)} GiB free (${perCell} MiB a cell), ${cells.length} cells` };
}
