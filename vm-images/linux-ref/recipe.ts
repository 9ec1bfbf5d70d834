// What goes into the Linux reference guest: Debian packages only (lab.md §1).
// Bump RECIPE_VERSION whenever the way the image is assembled changes, so caches rebuild.
export const RECIPE_VERSION = 3;

/** The kernel: the cloud flavour's virtio drivers are modules we load ourselves; it can also be
 *  a Xen PV/PVH domU (CONFIG_XEN_PV=y). */
export const KERNEL_META_PACKAGE = 'linux-image-cloud-amd64';

export const USERLAND_PACKAGES = [
  'busybox-static',
  'dropbear-bin',
  'openssh-sftp-server',
  // dropbear's shared libraries
  'libc6',
  'libcrypt1',
  'libtomcrypt1',
  'libtommath1',
  'libgmp10',
  'zlib1g',
];

/** Loaded by /init in this order, each unless `pvconform.nomod` names it. */
export const MODULES = [
  'virtio_pci',
  'virtio_net',
  'virtio_blk',
  'virtio_console',
  'virtio_balloon',
  'virtio-rng',
  'virtio_scsi',
  'sd_mod',
  'qemu_fw_cfg',
  'vmw_vsock_virtio_transport',
  // The harness's NIC when a config withholds virtio-net
  'vmxnet3',
  // Xen domU front ends and xenfs (for XenStore from a PV/PVH domU)
  'xen-netfront',
  'xen-blkfront',
  'xenfs',
];
