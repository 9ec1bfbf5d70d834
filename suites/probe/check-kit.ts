// Small shared pieces of the OpenBSD/NetBSD suites: citations, verdicts, the per-hypervisor
// expectation every check states, and fresh key names.
import { randomBytes } from 'node:crypto';
import type { Check, Verdict } from '../../harness/core/checks.ts';
import type { Citation } from '../../harness/core/results.ts';

/** Where a check runs, as its expectation table names it: one of the registered families'
 *  `expectationCells` ('qemu/kvm', 'qemu/tcg', 'xen'...; test/suites/definitions.test.ts checks). */
export type HypervisorCell = string;

/** A check with its expected result on each kind of hypervisor, for readers of the definition and
 *  `pvconform checks` (the verdict itself is computed, never looked up here). */
export interface DocumentedCheck extends Check {
  expected: Partial<Record<HypervisorCell, string>>;
}

const MAN_FILES: Record<string, string> = {
  'pvbus.4': 'man/pvbus.4.openbsd.txt',
  'hyperv.4': 'man/hyperv.4.openbsd.txt',
  'xen.4': 'man/xen.4.openbsd.txt',
  'xenbus.4': 'man/xenbus.4.netbsd.txt',
  'virtio.4': 'man/virtio.4.netbsd.txt',
};

/** A sentence of a page in man/ (test/suites/definitions.test.ts checks it is there). */
export function man(page: string, sentence: string): Citation {
  const file = MAN_FILES[page];
  if (!file) throw new Error(`no copy of ${page} in man/`);
  return { kind: 'man', page, file, sentence };
}

/** A fact from the source, where the page is silent (or, for hostctl.8, not in man/). */
export function source(fact: string, where: string): Citation {
  return { kind: 'source', fact, where };
}

export const pass = (message: string): Verdict => ({ state: 'pass', message });
export const fail = (message: string): Verdict => ({ state: 'fail', message });
export const skip = (message: string): Verdict => ({ state: 'skip', message });

/** A key name no earlier run used: Hyper-V's Guest pool never lets a key be written twice. */
export function freshName(prefix = 'pvconform'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** The one pollUntil (harness/core/wait.ts), where the suites import it from. */
export { pollUntil } from '../../harness/core/wait.ts';
