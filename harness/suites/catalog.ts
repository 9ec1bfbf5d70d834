// Every suite pvconform knows, by name. A suite folder under suites/ exports `checks`.
import type { Check } from '../core/checks.ts';

const SUITES: Record<string, () => Promise<{ checks: Check[] }>> = {
  'virtio.4': () => import('../../suites/virtio.4/index.ts'),
  'pvbus.4': () => import('../../suites/pvbus.4/index.ts'),
  'hostctl.8': () => import('../../suites/hostctl.8/index.ts'),
  'hyperv.4': () => import('../../suites/hyperv.4/index.ts'),
  'xen.4': () => import('../../suites/xen.4/index.ts'),
  'xenbus.4': () => import('../../suites/xenbus.4/index.ts'),
  'xen.4-host': () => import('../../suites/xen.4-host/index.ts'),
};

export function suiteNames(): string[] {
  return Object.keys(SUITES);
}

export async function suiteChecks(name: string): Promise<Check[] | null> {
  const load = SUITES[name];
  return load ? (await load()).checks : null;
}

export async function allChecks(): Promise<Check[]> {
  const out: Check[] = [];
  for (const name of suiteNames()) out.push(...((await suiteChecks(name)) ?? []));
  return out;
}
