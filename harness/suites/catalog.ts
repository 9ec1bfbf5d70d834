// Every suite pvconform knows, by name. A suite folder under suites/ exports `checks`.
import type { Check } from '../core/checks.ts';

const SUITES: Record<string, () => Promise<{ checks: Check[] }>> = {
  'virtio.4': () => import('../../suites/virtio.4/index.ts'),
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
