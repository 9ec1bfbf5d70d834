// What goes into the nested Xen host (lab.md §3): Debian packages only. Bump RECIPE_VERSION
// whenever the way the image is assembled changes, so caches rebuild.
export const RECIPE_VERSION = 2;

/** Resolves to the generic kernel: the cloud flavour has no dom0 support (CONFIG_XEN_DOM0). */
export const KERNEL_META_PACKAGE = 'linux-image-amd64';

export const XEN_VERSION = '4.17';

export const PACKAGES = [
  `xen-hypervisor-${XEN_VERSION}-amd64`,
  `xen-utils-${XEN_VERSION}`,
  'xen-utils-common',
  'xenstore-utils',
  'libxencall1',
  'libxenevtchn1',
  'libxenforeignmemory1',
  'libxengnttab1',
  `libxenmisc${XEN_VERSION}`,
  'libxenstore4',
  'libxentoollog1',
  'libxendevicemodel1',
  'libxenhypfs1',
  'libxentoolcore1',
  'libyajl2',
  'libtinfo6',
  'liblzma5',
  'libuuid1',
  'libzstd1',
  'zlib1g',
  // `xl create` aborts without it: "libgcc_s.so.1 must be installed for pthread_cancel to work".
  'libgcc-s1',
  'libc6',
  'busybox-static',
  // Debian's own vif hotplug scripts are bash, and the point of this host is to be a real dom0.
  'bash',
  'dropbear-bin',
  'libcrypt1',
  'libtomcrypt1',
  'libtommath1',
  'libgmp10',
  // SFTP: the provider stages guest images into dom0 the way it does on a real host.
  'openssh-sftp-server',
  // flock: the block hotplug script's lock (locking.sh) needs it; busybox has none.
  'util-linux',
];

/** Executables copied into dom0 (with their shared-library closure), relative to the unpacked tree. */
export const PROGRAMS = [
  `usr/lib/xen-${XEN_VERSION}/bin/xl`,
  `usr/lib/xen-${XEN_VERSION}/bin/xenstored`,
  `usr/lib/xen-${XEN_VERSION}/bin/xenconsoled`,
  `usr/lib/xen-${XEN_VERSION}/bin/xen-init-dom0`,
  `usr/lib/xen-${XEN_VERSION}/bin/libxl-save-helper`,
  `usr/lib/xen-${XEN_VERSION}/bin/xenconsole`,
  'usr/bin/xenstore',
  'usr/sbin/dropbear',
  'usr/lib/openssh/sftp-server',
  'bin/bash',
  'usr/bin/flock',
];

/** Loaded with dlopen, so no ELF closure finds them. glibc's pthread_cancel needs libgcc_s
 *  (without it `xl create` aborts, rc 134, lab.md §3). */
export const DLOPENED_LIBRARIES = ['libgcc_s.so.1'];

/** Multi-call names of usr/bin/xenstore (it dispatches on argv[0]). */
export const XENSTORE_TOOLS = ['xenstore-read', 'xenstore-write', 'xenstore-ls', 'xenstore-rm', 'xenstore-list', 'xenstore-exists', 'xenstore-chmod', 'xenstore-watch'];

/** dom0 modules, loaded by /init in this order (their dependencies come along). */
export const MODULES = [
  'xen-evtchn',
  'xen-gntdev',
  'xen-gntalloc',
  'xen-privcmd',
  'xenfs',
  // back ends for the domUs' vif and vbd
  'xen-netback',
  'xen-blkback',
  'bridge',
  'loop',
  // the harness reaches dom0 through QEMU's user network
  'virtio_pci',
  'virtio_net',
  'virtio-rng',
];

/** Memory of the QEMU machine and of dom0; the rest is for domUs. dom0's root is its initramfs,
 *  in RAM, and a domU's saved state (fresh guests per suite: xl save, as big as the domU) goes
 *  there: 1024 MiB leaves room for two 256 MiB domUs' saves beside the toolstack. */
export const MACHINE_MEMORY_MIB = 2048;
export const DOM0_MEMORY_MIB = 1024;
export const MACHINE_CPUS = 2;

/** QEMU TCG traps. lab.md §3: SMAP crashes a PV dom0; RDTSCP crashes a PVH domU. Found here:
 *  with XSAVE offered, processes in a PV domU now and then compute wrong results or crash
 *  (md5sum of 700 kB piped in wrong or aborting with "malloc(): unsorted double linked list
 *  corrupted", segfaults in /init, SSH "Integrity error"): about 1 in 12 operations, with
 *  single-threaded TCG too. Without XSAVE the guest cannot enable AVX (new in QEMU 7.2's TCG),
 *  and 0 of 48 went wrong. */
export const QEMU_CPU = 'max,-smap,-rdtscp,-xsave';

export const XEN_ARGS = `console=com1 com1=115200,8n1 dom0_mem=${DOM0_MEMORY_MIB}M,max:${DOM0_MEMORY_MIB}M loglvl=all guest_loglvl=all noreboot`;
export const DOM0_ARGS = 'console=hvc0 earlyprintk=xen';

/** Printed on the console by dom0's /init once the toolstack and SSH are up. */
export const READY_MARKER = 'XEN-HOST-READY';
