// TEST ONLY: the throwaway guest OS's adapter: no virtio devices; its "boot messages" are uname's.
import type { GuestAdapter } from '../../../harness/core/guest-adapter.ts';

export const throwawayAdapter: GuestAdapter = {
  os: 'throwaway-os',
  virtioDevices: async () => [],
  bootMessages: async (sh) => (await sh.exec('uname -a')).stdout,
  driverFor: (cls) => `throwaway-${cls}`,
};
