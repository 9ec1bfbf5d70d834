// The provider contract (syzkaller vm/'s shape): boot a guest, hand back a running machine,
// stop it. Each hypervisor family lives in its own folder next to this file.
import type { Artifact } from '../core/results.ts';
import type { HostControl, HostKv, Offers } from '../core/offers.ts';
import type { Shell, SshEndpoint } from '../core/shell.ts';
import type { GuestImage } from '../images/guest-image.ts';
import type { Timeouts } from '../core/timeouts.ts';

/** What every hypervisor config has, whatever its family (its own fields: its folder's config.ts). */
export interface HypervisorConfigBase {
  name: string;
  /** The family: the `family` of a registered ProviderPlugin (plugin.ts). */
  provider: string;
  /** Guest memory; every family has one (used to choose how many cells fit at once). */
  memoryMiB?: number;
  /** per-suite (when absent): each suite gets a fresh guest where the provider can restore one
   *  (Machine.restoreFresh), else the suites share it; per-cell: the suites always share one. */
  snapshots?: 'per-suite' | 'per-cell';
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
  /** Save the guest's state once it is ready, so `restoreFresh` can hand out fresh guests
   *  (a cell running more than one suite with snapshots per suite). */
  freshPerSuite?: boolean;
  /** With `freshPerSuite`: runs once in the guest before its state is saved, so every restored
   *  guest has it (a probe built in the guest, say). Its failure is logged, not fatal. */
  prepareFresh?(sh: Shell): Promise<void>;
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
  /** The connection that confirmed the guest answers, handed on rather than closed: one
   *  connection per guest life. The caller owns it from here. */
  shell?: Shell;
  /** A fresh guest (the state saved at readiness, nothing carried over) over a new connection;
   *  present when boot() was asked for `freshPerSuite` and could save. Close the old connection
   *  first: it dies with the restore. `coldBoot`: the guest then boots again from its disks. */
  restoreFresh?(opts?: { coldBoot?: boolean }): Promise<Shell>;
  /** Milliseconds from the start of boot() to the guest answering on SSH. */
  bootToSshMs: number;
  artifacts: Artifact[];
  /** stop() throws the guest away at once (its disks are scratch): asking the guest to power
   *  itself off first would only cost time. */
  discardsGuestOnStop?: boolean;
  /** Powers the guest off (with a deadline, then force) and removes everything boot() made
   *  but the artifacts. Safe to call twice. */
  stop(): Promise<void>;
}

export interface Provider<C extends HypervisorConfig = HypervisorConfig> {
  family: Offers['family'];
  /** Throws BootError when the guest does not come up, InfraError when the host breaks.
   *  Honours `signal`: on abort it tears down what it started and rejects. */
  boot(spec: BootSpec<C>, signal: AbortSignal): Promise<Machine>;
  /** What the config alone says the guest will be offered, before any boot (the family, its
   *  virtio devices...): a cell whose second suite could not run anyway saves no fresh state. */
  offersBeforeBoot?(config: C): Partial<Offers>;
  /** The factor every wait grows by for this config (2 under TCG, say); 1 when absent. */
  slowdown?(config: HypervisorConfig, kernel: string | null): Promise<number>;
  /** Releases what the provider keeps between the cells of a run (a nested Xen host, a dom0
   *  connection). Called once when the run ends; a later boot() starts afresh. */
  close?(): Promise<void>;
}
