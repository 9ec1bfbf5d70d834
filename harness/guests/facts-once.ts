// What the checks of one guest life read about the guest (its boot messages, its virtio
// devices) is asked of its adapter once per connection and shared by every check and by the
// cell's own artifacts. A restored guest comes with a new connection, so it is asked again.
// A failure is not kept: the next asker tries again.
import type { GuestAdapter, VirtioDevice } from '../core/guest-adapter.ts';
import type { Shell } from '../core/shell.ts';

export type GuestLifeRef = { guest: GuestAdapter; sh: Shell };

export function oncePerConnection<T>(cache: WeakMap<Shell, Promise<T>>, sh: Shell, gather: () => Promise<T>): Promise<T> {
  let p = cache.get(sh);
  if (!p) {
    p = gather();
    cache.set(sh, p);
    p.catch(() => cache.delete(sh));
  }
  return p;
}

const bootTexts = new WeakMap<Shell, Promise<string>>();
const virtioLists = new WeakMap<Shell, Promise<VirtioDevice[]>>();

/** The kernel's boot messages, read once per guest life. */
export function bootMessagesOnce(life: GuestLifeRef): Promise<string> {
  return oncePerConnection(bootTexts, life.sh, () => life.guest.bootMessages(life.sh));
}

/** Every virtio device the guest sees, listed once per guest life. */
export function virtioDevicesOnce(life: GuestLifeRef): Promise<VirtioDevice[]> {
  return oncePerConnection(virtioLists, life.sh, () => life.guest.virtioDevices(life.sh));
}
