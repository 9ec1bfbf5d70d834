// The guest x hypervisor matrix every report shows: one cell per guest and hypervisor config,
// with its results counted by state and coloured by the worst of them.
import { STATES, worst, type CheckResult, type State } from '../core/results.ts';
import type { PlanFile } from '../run-dir/read.ts';

import { BOOT_CHECK } from '../core/results.ts';

export interface MatrixCell {
  id: string;
  guest: string;
  hypervisor: string;
  counts: Record<State, number>;
  worst: State | null;
  /** Results the plan promised for this cell that are not in the file (an interrupted run);
   *  0 when there is no plan to tell. */
  notRun: number;
}

export interface Matrix {
  guests: string[];
  hypervisors: string[];
  cells: MatrixCell[];
  totals: Record<State, number>;
}

export function zeroCounts(): Record<State, number> {
  return { pass: 0, fail: 0, skip: 0, error: 0 };
}

/** Results counted by state. */
export function countStates(results: Iterable<{ state: State }>): Record<State, number> {
  const counts = zeroCounts();
  for (const r of results) counts[r.state]++;
  return counts;
}

export function suiteOf(checkId: string): string {
  const slash = checkId.indexOf('/');
  return slash < 0 ? checkId : checkId.slice(0, slash);
}

/** The results a planned cell should produce: its boot check and every planned check of its suites. */
export function expectedChecks(plan: PlanFile, cellSuites: string[]): string[] {
  return [BOOT_CHECK, ...plan.checks.filter((c) => cellSuites.includes(suiteOf(c)))];
}

/** Cells in plan order (then first appearance in the results); guests and hypervisors likewise. */
export function buildMatrix(results: CheckResult[], plan: PlanFile | null): Matrix {
  const cells = new Map<string, MatrixCell & { seen: Set<string> }>();
  const add = (id: string, guest: string, hypervisor: string) => {
    let c = cells.get(id);
    if (!c) {
      c = { id, guest, hypervisor, counts: zeroCounts(), worst: null, notRun: 0, seen: new Set() };
      cells.set(id, c);
    }
    return c;
  };
  for (const c of plan?.cells ?? []) add(c.id, c.guest, c.hypervisor);
  for (const r of results) {
    const c = add(r.cell, r.guest, r.hypervisor);
    c.counts[r.state]++;
    c.seen.add(r.check);
  }
  const out: MatrixCell[] = [];
  for (const c of cells.values()) {
    const planned = plan?.cells.find((p) => p.id === c.id);
    const notRun = plan && planned ? expectedChecks(plan, planned.suites).filter((id) => !c.seen.has(id)).length : 0;
    const states = STATES.filter((s) => c.counts[s] > 0);
    out.push({ id: c.id, guest: c.guest, hypervisor: c.hypervisor, counts: c.counts, worst: worst(states), notRun });
  }
  const unique = (xs: string[]) => [...new Set(xs)];
  return {
    guests: unique(out.map((c) => c.guest)),
    hypervisors: unique(out.map((c) => c.hypervisor)),
    cells: out,
    totals: countStates(results),
  };
}

export function cellAt(m: Matrix, guest: string, hypervisor: string): MatrixCell | undefined {
  return m.cells.find((c) => c.guest === guest && c.hypervisor === hypervisor);
}

/** One letter per state, so a report reads without colour. */
export const STATE_LETTER: Record<State, string> = { pass: 'P', fail: 'F', skip: 'S', error: 'E' };
