// What a Linux guest shows of its virtio devices, printed by one command: sysfs read with shell
// builtins only (`read`, globs, `${x##*/}`), so the listing forks nothing; the boot messages
// (`dmesg`, the only fork) come last. Under TCG each fork costs milliseconds, and the old way,
// a loop forking per device for every check, cost a check 100-200 ms.
import type { VirtioDevice } from '../../harness/core/guest-adapter.ts';
import { VIRTIO_DEVICE_IDS } from '../../harness/core/guest-adapter.ts';

export const DMESG_SECTION = '=== dmesg';

/** One line per fact: `dev <name> <id> <features>`, `bind <name> <driver>`, `block <dev> <disk>
 *  <sectors>`, `net <dev> <ifname> <mac>`, `scsihost <dev> <host> <proc_name>`, `port <dev>
 *  <port>`, `rng <available...>`, `node <name>`; then the boot messages. */
export const LINUX_FACTS_COMMAND = [
  'V=/sys/bus/virtio/devices',
  'for d in $V/*; do [ -r "$d/device" ] || continue; read id < "$d/device"; f=-; [ -r "$d/features" ] && read f < "$d/features"; echo "dev ${d##*/} $id $f"; done',
  'for b in /sys/bus/virtio/drivers/*/virtio*; do [ -e "$b" ] || continue; x=${b%/*}; echo "bind ${b##*/} ${x##*/}"; done',
  'for b in $V/*/block/*; do [ -r "$b/size" ] || continue; read s < "$b/size"; x=${b%/block/*}; echo "block ${x##*/} ${b##*/} $s"; done',
  'for n in $V/*/net/*; do [ -r "$n/address" ] || continue; read a < "$n/address"; x=${n%/net/*}; echo "net ${x##*/} ${n##*/} $a"; done',
  'for h in $V/*/host*; do [ -e "$h" ] || continue; p=-; q=/sys/class/scsi_host/${h##*/}/proc_name; [ -r "$q" ] && read p < "$q"; x=${h%/host*}; echo "scsihost ${x##*/} ${h##*/} $p"; done',
  'for p in $V/*/virtio-ports/*; do [ -e "$p" ] || continue; x=${p%/virtio-ports/*}; echo "port ${x##*/} ${p##*/}"; done',
  'r=-; [ -r /sys/class/misc/hw_random/rng_available ] && read r < /sys/class/misc/hw_random/rng_available; echo "rng $r"',
  'for c in hvc0 hwrng; do [ -c /dev/$c ] && echo "node $c"; done',
  `echo '${DMESG_SECTION}'`,
  'dmesg',
].join('\n');

export interface LinuxVirtioFacts {
  devices: VirtioDevice[];
  /** Per virtio device name: its negotiated feature bits. */
  features: Map<string, string>;
  /** Per virtio device name: block disks (name, size in 512-byte sectors). */
  blocks: Map<string, Array<{ disk: string; sectors: number }>>;
  /** Per virtio device name: network interfaces. */
  nets: Map<string, Array<{ ifname: string; mac: string }>>;
  /** Per virtio device name: SCSI hosts and the driver that registered them. */
  scsiHosts: Map<string, Array<{ host: string; procName: string }>>;
  /** Per virtio device name: console ports. */
  ports: Map<string, string[]>;
  /** Hardware RNGs the kernel knows (rng_available), empty when none. */
  rngAvailable: string[];
  /** Character devices present among those the checks write or read (hvc0, hwrng). */
  nodes: Set<string>;
}

export interface LinuxFacts {
  virtio: LinuxVirtioFacts;
  bootMessages: string;
}

const push = <T>(m: Map<string, T[]>, k: string, v: T) => m.set(k, [...(m.get(k) ?? []), v]);

export function parseLinuxFacts(output: string): LinuxFacts {
  const at = output.indexOf(`${DMESG_SECTION}\n`);
  const head = at >= 0 ? output.slice(0, at) : output;
  const bootMessages = at >= 0 ? output.slice(at + DMESG_SECTION.length + 1) : '';
  const facts: LinuxVirtioFacts = { devices: [], features: new Map(), blocks: new Map(), nets: new Map(), scsiHosts: new Map(), ports: new Map(), rngAvailable: [], nodes: new Set() };
  const ids = new Map<string, number>();
  const drivers = new Map<string, string>();
  for (const line of head.split('\n')) {
    const [kind, ...w] = line.trim().split(/\s+/);
    if (kind === 'dev' && w.length >= 2 && /^(0x[0-9a-fA-F]+|\d+)$/.test(w[1])) {
      ids.set(w[0], Number(w[1]));
      if (w[2] && w[2] !== '-') facts.features.set(w[0], w[2]);
    } else if (kind === 'bind' && w.length === 2) drivers.set(w[0], w[1]);
    else if (kind === 'block' && w.length === 3) push(facts.blocks, w[0], { disk: w[1], sectors: Number(w[2]) });
    else if (kind === 'net' && w.length === 3) push(facts.nets, w[0], { ifname: w[1], mac: w[2] });
    else if (kind === 'scsihost' && w.length === 3) push(facts.scsiHosts, w[0], { host: w[1], procName: w[2] });
    else if (kind === 'port' && w.length === 2) push(facts.ports, w[0], w[1]);
    else if (kind === 'rng') facts.rngAvailable = w.filter((x) => x !== '-');
    else if (kind === 'node' && w.length === 1) facts.nodes.add(w[0]);
  }
  for (const [name, deviceId] of ids)
    facts.devices.push({ name, deviceId, class: VIRTIO_DEVICE_IDS[deviceId] ?? 'other', driver: drivers.get(name) ?? null, detail: `${name} (virtio device id ${deviceId})` });
  facts.devices.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return { virtio: facts, bootMessages };
}
