// pvconform doctor --config F: for each guest and hypervisor config of a matrix file, can this
// host run it, and if not, why (no KVM, no image, no network to the mirror, no nested Xen host,
// an unreachable dom0 or Windows host). Each hypervisor family answers for its own configs
// (ProviderPlugin.cannotRun); each image recipe names where its media come from. Nothing boots
// but the KVM probe.
import type { GuestConfig, HypervisorConfig, MatrixConfig } from '../../config/schema.ts';
import { NoImageError } from '../../images/guest-image.ts';
import { resolveImage } from '../../images/resolve.ts';
import { recipeFor } from '../../images/registry.ts';
import { providerPlugin } from '../../providers/registry.ts';

export interface CellVerdict {
  guest: string;
  hypervisor: string;
  ok: boolean;
  /** Why not, one reason per missing thing; for a runnable cell, how it will run. */
  reasons: string[];
}

/** Whether a mirror answers over HTTPS (a HEAD request with a deadline). */
async function mirrorProblem(url: string): Promise<string | null> {
  try {
    const r = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
    return r.ok || r.status === 403 || r.status === 405 ? null : `HTTP ${r.status}`;
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return cause ?? (e as Error).message;
  }
}

async function guestProblems(g: GuestConfig, mirrors: Map<string, Promise<string | null>>): Promise<string[]> {
  const name = g.image ?? g.name;
  try {
    await resolveImage(name);
    return [];
  } catch (e) {
    if (!(e instanceof NoImageError)) return [`image ${name}: ${(e as Error).message}`];
    const out = [e.message];
    const mirror = recipeFor(name)?.mediaSource?.(name);
    if (mirror) {
      if (!mirrors.has(mirror)) mirrors.set(mirror, mirrorProblem(mirror));
      const why = await mirrors.get(mirror)!;
      if (why) out.push(`no network to the mirror: ${mirror} does not answer from here (${why}), so the image cannot be built here (or pass --mirror to images build)`);
    }
    return out;
  }
}

/** Every guest x hypervisor pair of the matrix, in plan order. */
export async function diagnoseMatrix(matrix: MatrixConfig): Promise<CellVerdict[]> {
  const mirrors = new Map<string, Promise<string | null>>();
  const guests = await Promise.all(matrix.guests.map((g) => guestProblems(g, mirrors)));
  const hypervisors = await Promise.all(matrix.hypervisors.map(async (h: HypervisorConfig) => (await providerPlugin(h.provider).cannotRun?.(h)) ?? []));
  return matrix.guests.flatMap((g, gi) =>
    matrix.hypervisors.map((h, hi) => {
      const reasons = [...guests[gi], ...hypervisors[hi]];
      return { guest: g.name, hypervisor: h.name, ok: reasons.length === 0, reasons: reasons.length ? reasons : [`can run here (${h.provider})`] };
    }),
  );
}
