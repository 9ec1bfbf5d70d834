// The hypervisor families this harness knows: one line per folder, each registering itself.
import './qemu/plugin.ts';
import './xen/plugin.ts';
import './hyperv/plugin.ts';
