// A domU's paravirtual disks (vbd) and NICs (vif) as both ends see them in XenStore: the guest's
// device/<kind>/<id> (its front end) and dom0's backend/<kind>/<domid>/<id>. Attached means both
// ends are Connected (XenbusStateConnected = 4) and each points at the other.
import type { CheckContext, Verdict } from '../../harness/core/checks.ts';
import { InfraError } from '../../harness/core/errors.ts';
import { onHost } from './on-host.ts';
import { guestStore } from './guest-store.ts';

export type DeviceKind = 'vbd' | 'vif';

const CONNECTED = '4';
/** Front ends of a freshly booted guest may still be connecting (seen here: vbd at 3, then 4). */
const SETTLE_MS = 30_000;

export interface DeviceEnds {
  id: string;
  /** What the guest reads in its own device/<kind>/<id>. */
  guest: { state: string | null; backend: string | null };
  /** What dom0 reads: the same front-end node, and the back end it names. */
  host: { frontState: string | null; backendState: string | null; backendFrontend: string | null };
  /** The back-end path dom0 expects: /local/domain/0/backend/<kind>/<domid>/<id>. */
  expectedBackend: string;
  expectedFrontend: string;
}


/** Reads both ends of every device of `kind`, waiting for them to connect. */
export async function readDeviceEnds(ctx: CheckContext, kind: DeviceKind): Promise<DeviceEnds[]> {
  const host = ctx.hostKv!;
  const store = guestStore(ctx);
  const domidReply = await store.read('domid');
  if (!domidReply.ok) throw new InfraError(`the guest cannot read its own domid: ${domidReply.error}`);
  const domid = domidReply.value.trim();
  // list() gives every node below, relative to the guest's home: keep device/<kind>/<id>.
  const ids = (await onHost(`listing device/${kind}`, () => host.list(`device/${kind}`))).filter((p) => p.split('/').length === 3).map((p) => p.split('/')[2]);
  const out: DeviceEnds[] = [];
  for (const id of ids) {
    const front = `device/${kind}/${id}`;
    const expectedBackend = `/local/domain/0/backend/${kind}/${domid}/${id}`;
    const expectedFrontend = `/local/domain/${domid}/${front}`;
    const until = Date.now() + SETTLE_MS;
    let ends: DeviceEnds;
    for (;;) {
      const gs = await store.read(`${front}/state`);
      const gb = await store.read(`${front}/backend`);
      ends = {
        id,
        guest: { state: gs.ok ? gs.value : null, backend: gb.ok ? gb.value : null },
        host: {
          frontState: await onHost(`reading ${front}/state`, () => host.read(`${front}/state`)),
          backendState: await onHost(`reading ${expectedBackend}/state`, () => host.read(`${expectedBackend}/state`)),
          backendFrontend: await onHost(`reading ${expectedBackend}/frontend`, () => host.read(`${expectedBackend}/frontend`)),
        },
        expectedBackend,
        expectedFrontend,
      };
      const settled = ends.guest.state === CONNECTED && ends.host.backendState === CONNECTED;
      if (settled || Date.now() >= until) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    out.push(ends);
  }
  return out;
}

/** Pass when `want` devices exist and every one is connected at both ends, each naming the other. */
export function judgeDeviceEnds(kind: DeviceKind, want: number, ends: DeviceEnds[]): Verdict {
  if (ends.length !== want) return { state: 'fail', message: `dom0 gave the guest ${want} ${kind} device(s), and ${ends.length} appear under its device/${kind}` };
  const problems: string[] = [];
  for (const e of ends) {
    const p = `device/${kind}/${e.id}`;
    if (e.guest.state !== CONNECTED) problems.push(`${p}/state is ${JSON.stringify(e.guest.state)} as the guest reads it (4, Connected, expected)`);
    if (e.host.frontState !== e.guest.state) problems.push(`${p}/state: the guest reads ${JSON.stringify(e.guest.state)}, dom0 ${JSON.stringify(e.host.frontState)}`);
    if (e.guest.backend !== e.expectedBackend) problems.push(`${p}/backend is ${JSON.stringify(e.guest.backend)}, expected ${e.expectedBackend}`);
    if (e.host.backendState !== CONNECTED) problems.push(`${e.expectedBackend}/state is ${JSON.stringify(e.host.backendState)} (4 expected)`);
    if (e.host.backendFrontend !== e.expectedFrontend) problems.push(`${e.expectedBackend}/frontend is ${JSON.stringify(e.host.backendFrontend)}, expected ${e.expectedFrontend}`);
  }
  if (problems.length) return { state: 'fail', message: problems.join('; ') };
  return { state: 'pass', message: `${ends.length} ${kind} device(s) connected at both ends (${ends.map((e) => `device/${kind}/${e.id} <-> ${e.expectedBackend}`).join(', ')})` };
}

export function formatDeviceEnds(kind: DeviceKind, ends: DeviceEnds[]): string {
  return ends.map((e) => `device/${kind}/${e.id}: guest state=${e.guest.state} backend=${e.guest.backend}; dom0 front state=${e.host.frontState}; ${e.expectedBackend}: state=${e.host.backendState} frontend=${e.host.backendFrontend}`).join('\n') + '\n';
}
