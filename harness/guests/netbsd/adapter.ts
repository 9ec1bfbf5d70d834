// NetBSD: virtio drivers from sys/dev/pci (guest-facts.md §8.2; ld is the disk), sudo from pkgsrc
// or su to become root (the base system has no doas).
import { createBsdAdapter } from '../openbsd/bsd-adapter.ts';
import { shq } from '../../../suites/probe/shell-quote.ts';
import type { ProbeGuest } from '../../../suites/probe/guest-ops.ts';

export const NETBSD_VIRTIO_DRIVERS = {
  net: 'vioif',
  blk: 'ld',
  scsi: 'vioscsi',
  console: 'viocon',
  balloon: 'viomb',
  rng: 'viornd',
} as const;

export const netbsdAdapter: ProbeGuest = createBsdAdapter({
  os: 'netbsd',
  bootOs: 'NetBSD',
  drivers: NETBSD_VIRTIO_DRIVERS,
  elevations: ['sudo', 'su'],
  // NetBSD su has no -s: the user is created with /bin/sh, and words after the login name go to it.
  suAs: (user, command) => `su ${shq(user)} -c ${shq(command)}`,
});
