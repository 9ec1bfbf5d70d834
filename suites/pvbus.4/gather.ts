// The probe runs pvbus(4)'s checks share: one as root (reads, bounds, a write on each minor), one
// per unprivileged user. Each runs once per connection.
import type { CheckContext } from '../../harness/core/checks.ts';
import type { Shell } from '../../harness/core/shell.ts';
import { pvbusProbe, readGuestFile } from '../probe/gather.ts';
import type { UserRole } from '../probe/guest-ops.ts';
import type { PvbusReport } from '../probe/report.ts';
import { readableKey, writableKey } from '../probe/pvbus-facts.ts';
import { freshName } from '../probe/check-kit.ts';

const rootRuns = new WeakMap<Shell, Promise<PvbusReport>>();

/** Where no store is offered the key is never found anyway: the calls show ENXIO (or EPERM). */
const NO_STORE_KEY = 'pvconform/no-store';

/** The root run: TYPE on every node, KVREAD of a key the store has, KVWRITE of a fresh key on both
 *  descriptors (on a store: data/<fresh> on Xen, Guest/<fresh> on Hyper-V). */
export function rootReport(ctx: CheckContext): Promise<PvbusReport> {
  let p = rootRuns.get(ctx.sh);
  if (!p) {
    const store = ctx.offers.kvStore;
    const key = (store && readableKey(store, ctx.offers)) ?? NO_STORE_KEY;
    const write = (store && writableKey(store, freshName())) ?? NO_STORE_KEY;
    p = pvbusProbe(ctx, { key, write: { key: write, value: 'pvconform' }, cache: false, label: 'pvbus-root' });
    rootRuns.set(ctx.sh, p);
    p.catch(() => rootRuns.delete(ctx.sh));
  }
  return p;
}

/** TYPE and the opens, as an unprivileged user. */
export function userReport(ctx: CheckContext, role: UserRole): Promise<PvbusReport> {
  return pvbusProbe(ctx, { as: role, label: `pvbus-${role}` });
}

export async function installedPageAndHeader(ctx: CheckContext): Promise<{ page: string | null; header: string | null }> {
  return {
    page: await readGuestFile(ctx, '/usr/share/man/man4/pvbus.4'),
    header: await readGuestFile(ctx, '/usr/include/dev/pv/pvvar.h'),
  };
}
