// What is on a dom0 before and after a cell: its domains, XenStore's /local/domain children and
// the folders the harness made. The difference is what a cell leaked.
import type { Dom0 } from './dom0.ts';
import { CELLS_DIR } from './staging.ts';
import { sq } from './quote.ts';

export interface Dom0Inventory {
  /** `name (id)` from `xl list`. */
  domains: string[];
  /** Domain ids under /local/domain in XenStore. */
  xenstoreDomains: string[];
  /** Cell folders under the harness's state directory. */
  cellDirs: string[];
  /** Loop devices in use (`losetup -a`): the block hotplug script makes one per file disk. */
  loopDevices: string[];
  /** Back-end nodes: `vbd/<domid>`, `vif/<domid>` under /local/domain/0/backend. */
  backends: string[];
  /** vif network interfaces in dom0. */
  vifs: string[];
}

export async function takeInventory(dom0: Dom0): Promise<Dom0Inventory> {
  const domains = (await dom0.domains()).map((d) => `${d.name} (${d.id})`);
  const xenstoreDomains = (await dom0.xsList('/local/domain')) ?? [];
  const dirs = await dom0.run(`ls -1 ${sq(CELLS_DIR)} 2>/dev/null || true`, 10_000);
  const loops = await dom0.run('losetup -a 2>/dev/null || true', 10_000);
  const backends: string[] = [];
  for (const kind of ['vbd', 'vif']) for (const id of (await dom0.xsList(`/local/domain/0/backend/${kind}`)) ?? []) backends.push(`${kind}/${id}`);
  const nets = await dom0.run('ls -1 /sys/class/net 2>/dev/null || true', 10_000);
  const lines = (text: string) => text.split('\n').filter(Boolean);
  return {
    domains,
    xenstoreDomains,
    cellDirs: lines(dirs.stdout),
    loopDevices: lines(loops.stdout).map((l) => l.split(':')[0]),
    backends,
    vifs: lines(nets.stdout).filter((n) => /^vif\d/.test(n)),
  };
}

/** Everything present in `after` that was not in `before`, one line each. */
export function leaks(before: Dom0Inventory, after: Dom0Inventory): string[] {
  const added = (a: string[], b: string[]) => b.filter((x) => !a.includes(x));
  return [
    ...added(before.domains, after.domains).map((d) => `domain ${d} still exists`),
    ...added(before.xenstoreDomains, after.xenstoreDomains).map((id) => `XenStore still has /local/domain/${id}`),
    ...added(before.cellDirs, after.cellDirs).map((d) => `dom0 still has ${CELLS_DIR}/${d}`),
    ...added(before.loopDevices, after.loopDevices).map((d) => `loop device ${d} is still attached`),
    ...added(before.backends, after.backends).map((b) => `XenStore still has /local/domain/0/backend/${b}`),
    ...added(before.vifs, after.vifs).map((v) => `interface ${v} still exists`),
  ];
}

export function formatInventory(label: string, inv: Dom0Inventory): string {
  return [
    `# ${label}`,
    `domains: ${inv.domains.join(', ') || '(none)'}`,
    `/local/domain: ${inv.xenstoreDomains.join(', ') || '(none)'}`,
    `${CELLS_DIR}: ${inv.cellDirs.join(', ') || '(empty)'}`,
    `loop devices: ${inv.loopDevices.join(', ') || '(none)'}`,
    `backends: ${inv.backends.join(', ') || '(none)'}`,
    `vifs: ${inv.vifs.join(', ') || '(none)'}`,
  ].join('\n');
}
