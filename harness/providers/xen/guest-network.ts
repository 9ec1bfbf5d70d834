// The guests' network on a dom0: a host-only bridge the harness owns, a static address per
// guest (given on its kernel command line) and a MAC in Xen's OUI. Guests are reached through
// dom0 (SshEndpoint.via), so the bridge needs no uplink and touches no other network.
import { createHash } from 'node:crypto';
import type { Dom0 } from './dom0.ts';

export const BRIDGE = 'pvcbr0';
const NET = '10.99.0';
export const PREFIX_LEN = 24;
export const GATEWAY = `${NET}.1`;
const FIRST_HOST = 10;
const LAST_HOST = 250;

/** Creates the bridge with dom0's address on it, unless it is already there. */
export async function ensureBridge(dom0: Dom0): Promise<void> {
  const script = [
    `if [ ! -e /sys/class/net/${BRIDGE}/bridge ]; then`,
    `  ip link add name ${BRIDGE} type bridge || brctl addbr ${BRIDGE} || exit 1`,
    'fi',
    `ip addr show dev ${BRIDGE} | grep -q 'inet ${GATEWAY}/' || ip addr add ${GATEWAY}/${PREFIX_LEN} dev ${BRIDGE} || exit 1`,
    `ip link set ${BRIDGE} up`,
  ].join('\n');
  await dom0.must(script, 15_000, `setting up the guest bridge ${BRIDGE}`);
}

/** Hands out guest addresses on one host; a released address may be given again. */
export class AddressPool {
  private readonly used = new Set<number>();

  take(): string {
    for (let h = FIRST_HOST; h <= LAST_HOST; h++)
      if (!this.used.has(h)) {
        this.used.add(h);
        return `${NET}.${h}`;
      }
    throw new Error(`no free guest address left on ${NET}.0/${PREFIX_LEN}`);
  }

  release(address: string): void {
    this.used.delete(Number(address.split('.').pop()));
  }
}

/** A stable MAC per (cell, address) in Xen's 00:16:3e range. */
export function xenMac(cellId: string, address: string): string {
  const h = createHash('sha256').update(`${cellId}\n${address}`).digest();
  return ['00', '16', '3e', h[0].toString(16).padStart(2, '0'), h[1].toString(16).padStart(2, '0'), h[2].toString(16).padStart(2, '0')].join(':');
}

/** What linux-ref's /init reads: `pvconform.ip=A/N,GW`. */
export function ipKernelArg(address: string): string {
  return `pvconform.ip=${address}/${PREFIX_LEN},${GATEWAY}`;
}
