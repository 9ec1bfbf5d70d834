// What a guest OS brings to the harness, from its own folder: its name (the `os` of its images
// and of a check's `os` list), its adapter (loaded only when a cell of that OS runs), and what
// `doctor` checks on this host for it. The folder ends with one `registerGuestOs(...)` line and
// guests/index.ts imports the folder.
import type { GuestAdapter } from '../core/guest-adapter.ts';
import type { HostFinding } from '../core/host-finding.ts';

export interface GuestOsPlugin {
  /** 'linux', 'openbsd'...: lower case, as images and checks name it. */
  os: string;
  adapter(): Promise<GuestAdapter>;
  checkHost?(): Promise<HostFinding[]>;
}
