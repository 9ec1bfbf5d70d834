// The provider contract (syzkaller vm/'s shape): boot a guest, hand back a running machine,
// stop it. Each hypervisor family lives in its own folder next to this file.
import type { Artifact } from '../core/results.ts';
import type { HostControl, HostKv, Offers } from '../core/offers.ts';
import type { SshEndpoint } from '../core/shell.ts';
import type { GuestImage } from '../images/guest-image.ts';
import type { Timeouts } from '../core/timeouts.ts';

/** What every hypervisor config has, whatever its family (its own fields: its folder's config.ts). */
export interface HypervisorConfigBase {
  name: string;
  /** The family: the `family` of a registered ProviderPlugin (plugin.ts). */
  provider: string;
}
type HypervisorConfig = HypervisorConfigBase;

export interface BootSpec<C extends HypervisorConfig = HypervisorConfig> {
  /** `<guest>@<hypervisor>`, unique within a run. */
  cellId: string;
  image: GuestImage;
  hypervisor: C;
  /** Scratch space for this cell; the provider removes what it made there on stop. */
  workDir: string;
  /** Where artifacts (console log...) go; kept after the run. Paths in Artifact are relative
   *  to `runDir`. */
  artifactsDir: string;
  runDir: string;
  timeouts: Timeouts;
  /** The guest config's extra kernel arguments (direct-boot images). */
  extraKernelArgs?: string;
  log(message: string): void;
}

export interface Machine {
  ssh: SshEndpoint;
  /** Absolute path of the live console log. */
  consoleLog: string;
  offers: Offers;
  /** Host half of key/value checks, where the provider can do it. */
  hostKv?: HostKv;
  /** The host's shutdown request, where the provider can make one and watch it. */
  hostControl?: HostControl;
  /** Milliseconds from the start of boot() to the guest answering on SSH. */
  bootToSshMs: number;
  artifacts: Artifact[];
  /** Powers the guest off (with a deadline, then force) and removes everything boot() made
   *  but the artifacts. Safe to call twice. */
  stop(): Promise<void>;
}

export interface Provider<C extends HypervisorConfig = HypervisorConfig> {
  family: Offers['family'];
  /** Throws BootError when the guest does not come up, InfraError when the host breaks.
   *  Honours `signal`: on abort it tears down what it started and rejects. */
  boot(spec: BootSpec<C>, signal: AbortSignal): Promise<Machine>;
  /** The factor every wait grows by for this config (2 under TCG, say); 1 when absent. */
  slowdown?(config: HypervisorConfig, kernel: string | null): Promise<number>;
  /** Releases what the provider keeps between the cells of a run (a nested Xen host, a dom0
   *  connection). Called once when the run ends; a later boot() starts afresh. */
  close?(): Promise<void>;
}
