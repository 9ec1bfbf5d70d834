// A human-readable view of an attach tree: a summary, then every device indented under its parent,
// with the things the kernel saw but did not configure shown in place.
import type { AttachTree, Device, Unconfigured } from './types.ts';

function deviceLine(d: Device): string {
  const parts = [d.name];
  if (d.locator) parts.push(d.locator);
  if (d.product) parts.push(`"${d.product}"`);
  return parts.join(' ') + (d.description ? `: ${d.description}` : '');
}

function unconfiguredLine(u: Unconfigured): string {
  const where = u.locator ? ` ${u.locator}` : '';
  const what = u.description ? `: ${u.description}` : '';
  return `"${u.what}"${where}${what} (not configured)`;
}

function summary(tree: AttachTree): string[] {
  const lines = [`${tree.os} ${tree.release ?? '(release unknown: no banner in the buffer)'}`];
  if (tree.banner) lines.push(`banner: ${tree.banner}`);
  if (tree.bootsInBuffer > 1) lines.push(`boots in the buffer: ${tree.bootsInBuffer} (showing the last, from line ${tree.firstLine})`);
  const hv = tree.hypervisors.map((h) => (h.version ? `${h.name} ${h.version}` : h.name));
  lines.push(`hypervisors: ${hv.length ? hv.join(', ') : 'none shown'}`);
  if (tree.paravirtKernelOn) lines.push(`paravirtualized kernel on: ${tree.paravirtKernelOn}`);
  if (tree.xen) {
    const x = tree.xen;
    lines.push(`xen: features ${x.features ?? '?'}, ${x.grantFrames ?? '?'} grant table frames, event channel ${x.eventChannel ?? '?'}`);
  }
  if (tree.xenbus) lines.push(`xenbus: event channel ${tree.xenbus.eventChannel}`);
  for (const v of tree.virtio) {
    const child = v.child ? `${v.child} (${v.driver})` : 'no driver attached';
    lines.push(`virtio: ${v.name} ${v.class ?? 'unknown class'} -> ${child}${v.interrupt ? `, ${v.interrupt}` : ''}`);
  }
  return lines;
}

export function renderTree(tree: AttachTree): string {
  const names = new Set(tree.devices.map((d) => d.name));
  const children = new Map<string, Device[]>();
  for (const d of tree.devices) {
    const key = d.parent ?? '';
    children.set(key, [...(children.get(key) ?? []), d]);
  }
  const unconfigured = new Map<string, Unconfigured[]>();
  for (const u of tree.unconfigured) unconfigured.set(u.parent, [...(unconfigured.get(u.parent) ?? []), u]);

  const out = [...summary(tree), ''];
  const seen = new Set<string>();
  const walk = (name: string, depth: number): void => {
    const pad = '  '.repeat(depth);
    for (const d of children.get(name) ?? []) {
      if (seen.has(d.name)) continue; // a re-attached name: show it once
      seen.add(d.name);
      out.push(pad + deviceLine(d));
      walk(d.name, depth + 1);
    }
    for (const u of unconfigured.get(name) ?? []) out.push(pad + unconfiguredLine(u));
  };
  // Roots: "root", no parent, or a parent that never attached itself (Linux's bus names).
  const roots = [...new Set([...children.keys(), ...unconfigured.keys()])].filter((p) => !names.has(p));
  for (const root of roots) {
    if (root && root !== 'root') {
      out.push(`${root} (a bus the log names but never attaches)`);
      walk(root, 1);
    } else walk(root, 0);
  }
  return out.join('\n') + '\n';
}
