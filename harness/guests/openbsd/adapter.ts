// OpenBSD: virtio drivers from sys/dev/pv (guest-facts.md §7), doas to become root.
import { createBsdAdapter } from './bsd-adapter.ts';
import { shq } from '../../../suites/probe/shell-quote.ts';
import type { ProbeGuest } from '../../../suites/probe/guest-ops.ts';

/** virtio(4) classes to OpenBSD drivers (vmmci, vmd's control device, has no class of its own). */
export const OPENBSD_VIRTIO_DRIVERS = {
  net: 'vio',
  blk: 'vioblk',
  scsi: 'vioscsi',
  console: 'viocon',
  balloon: 'viomb',
  rng: 'viornd',
} as const;

export const openbsdAdapter: ProbeGuest = createBsdAdapter({
  os: 'openbsd',
  bootOs: 'OpenBSD',
  drivers: OPENBSD_VIRTIO_DRIVERS,
  elevations: ['doas', 'su'],
  // OpenBSD su: -s picks the shell; words after the login name go to that shell.
  suAs: (user, command) => `su -s /bin/sh ${shq(user)} -c ${shq(command)}`,
});
