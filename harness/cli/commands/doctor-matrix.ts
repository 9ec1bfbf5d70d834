// pvconform doctor --config F: for each guest and hypervisor config of a matrix file, can this
// host run it, and if not, why (no KVM, no image, no network to the mirror, no nested Xen host,
// an unreachable dom0 or Windows host). Answers without booting anything but the KVM probe.
import { connect } from 'node:net';
import type { GuestConfig, HypervisorConfig, MatrixConfig } from '../../config/schema.ts';
import { NoImageError } from '../../images/guest-image.ts';
import { resolveImage } from '../../images/resolve.ts';
import { isBsdImageName } from '../../images/recipes/bsd-images.ts';
import type { KvmVerdict } from '../../providers/qemu/kvm-probe.ts';
import { findCachedXenHost } from '../../../vm-images/xen-host/build.ts';
import { DEFAULT_OPENBSD_MIRROR } from '../../../vm-images/openbsd/release.ts';
import { DEFAULT_NETBSD_MIRROR } from '../../../vm-images/netbsd/release.ts';

export interface CellVerdict {
  guest: string;
  hypervisor: string;
  ok: boolean;
  /** Why not, one reason per missing thing; for a runnable cell, how it will run. */
  reasons: string[];
}

export interface HostFacts {
  qemu: string | null;
  kvm: KvmVerdict | null;
}

/** Opens a TCP connection with a deadline: null when it connects, else what went wrong. */
export function tcpProblem(host: string, port: number, timeoutMs = 3_000): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (why: string | null) => {
      sock.destroy();
      resolve(why);
    };
    sock.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    sock.once('connect', () => done(null));
    sock.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}

/** Whether the release's mirror answers over HTTPS (a HEAD request with a deadline). */
async function mirrorProblem(url: string): Promise<string | null> {
  try {
    const r = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
    return r.ok || r.status === 403 || r.status === 405 ? null : `HTTP ${r.status}`;
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return cause ?? (e as Error).message;
  }
}

async function guestProblems(g: GuestConfig, mirrorCache: Map<string, Promise<string | null>>): Promise<string[]> {
  const name = g.image ?? g.name;
  try {
    await resolveImage(name);
    return [];
  } catch (e) {
    if (!(e instanceof NoImageError)) return [`image ${name}: ${(e as Error).message}`];
    const out = [e.message];
    if (isBsdImageName(name)) {
      const mirror = name.startsWith('openbsd-') ? DEFAULT_OPENBSD_MIRROR : DEFAULT_NETBSD_MIRROR;
      if (!mirrorCache.has(mirror)) mirrorCache.set(mirror, mirrorProblem(mirror));
      const why = await mirrorCache.get(mirror)!;
      if (why) out.push(`no network to the mirror: ${mirror} does not answer from here (${why}), so the image cannot be built here (or pass --mirror to images build)`);
    }
    return out;
  }
}

async function hypervisorProblems(h: HypervisorConfig, host: HostFacts): Promise<string[]> {
  const out: string[] = [];
  if (h.provider === 'qemu') {
    if (!host.qemu) out.push('no QEMU: qemu-system-x86_64 not found (apt-get install qemu-system-x86)');
    const kvmOk = host.kvm?.usable ?? false;
    const why = host.kvm?.reason ?? 'not probed';
    if (h.hyperv && !kvmOk) out.push(`no KVM: Hyper-V enlightenments need KVM (${why})`);
    else if (h.accel === 'kvm' && !kvmOk) out.push(`no KVM: accel is kvm (${why})`);
  } else if (h.provider === 'xen') {
    if (h.host === 'nested') {
      if (!host.qemu) out.push('no QEMU: the nested Xen host runs under qemu-system-x86_64');
      if (!(await findCachedXenHost())) out.push('no nested Xen host image: build it with `pvconform images build xen-host` (xl runs inside it)');
    } else {
      const why = await tcpProblem(h.host.address, h.host.port);
      if (why) out.push(`no dom0: ${h.host.address}:${h.host.port} does not answer SSH from here (${why}); xl is checked there when a run connects`);
    }
  } else {
    const why = await tcpProblem(h.host.address, h.host.port);
    if (why) out.push(`no Hyper-V host: ${h.host.address}:${h.host.port} does not answer SSH from here (${why})`);
  }
  return out;
}

/** Every guest x hypervisor pair of the matrix, in plan order. */
export async function diagnoseMatrix(matrix: MatrixConfig, host: HostFacts): Promise<CellVerdict[]> {
  const mirrors = new Map<string, Promise<string | null>>();
  const guests = await Promise.all(matrix.guests.map((g) => guestProblems(g, mirrors)));
  const hypervisors = await Promise.all(matrix.hypervisors.map((h) => hypervisorProblems(h, host)));
  const out: CellVerdict[] = [];
  matrix.guests.forEach((g, gi) =>
    matrix.hypervisors.forEach((h, hi) => {
      const reasons = [...guests[gi], ...hypervisors[hi]];
      const how = h.provider === 'qemu' ? `QEMU ${host.kvm?.usable && h.accel !== 'tcg' ? 'KVM' : 'TCG'}${h.hyperv ? ' with Hyper-V enlightenments' : ''}` : h.provider === 'xen' ? `Xen ${h.type} domU on ${h.host === 'nested' ? 'the nested host' : h.host.address}` : `Hyper-V generation ${h.generation} on ${h.host.address}`;
      out.push({ guest: g.name, hypervisor: h.name, ok: reasons.length === 0, reasons: reasons.length ? reasons : [how] });
    }),
  );
  return out;
}
