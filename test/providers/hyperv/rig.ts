// Shared set-up for the Hyper-V provider tests: the Hyper-V host TEST DOUBLE, a stand-in guest
// sshd behind it, throw-away keys, a run directory, and a BootSpec for one cell. Everything is
// removed in the test's teardown.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { HypervConfig } from '../../../harness/providers/hyperv/config.ts';
import type { BootSpec } from '../../../harness/providers/provider.ts';
import type { GuestImage } from '../../../harness/images/guest-image.ts';
import { HypervProvider, type HypervProviderOptions } from '../../../harness/providers/hyperv/provider.ts';
import { HypervHostDouble } from '../../doubles/hyperv-host/hyperv-host-double.ts';
import { GuestSshdDouble } from '../../doubles/hyperv-host/guest-sshd.ts';
import { keyDir, type KeyDir, type KeyPair } from '../../doubles/hyperv-host/keys.ts';

export const IMAGE_DIR = 'C:\\pvconform\\images';
export const BASE_VHDX = `${IMAGE_DIR}\\linux-ref.vhdx`;

export interface Rig {
  host: HypervHostDouble;
  guest: GuestSshdDouble;
  keys: KeyDir;
  clientKey: KeyPair;
  hostKey: KeyPair;
  config: HypervConfig;
  runDir: string;
  logs: string[];
  spec(overrides?: Partial<BootSpec<HypervConfig>>): BootSpec<HypervConfig>;
  provider(options?: HypervProviderOptions): HypervProvider;
}

/** Short waits: the double answers at once. */
export const FAST: HypervProviderOptions = { addressPollMs: 20, jobPollMs: 10, consoleRestartMs: 50, hostConnectWindowMs: 2_000 };

export async function startRig(t: Test): Promise<Rig> {
  const keys = await keyDir();
  let guest: GuestSshdDouble | undefined;
  let host: HypervHostDouble | undefined;
  let runDir: string | undefined;
  // Registered first, so a set-up that fails half way still removes what it made.
  t.teardown(async () => {
    await host?.stop();
    await guest?.stop();
    await keys.remove();
    if (runDir) await rm(runDir, { recursive: true, force: true });
  });
  const hostKey = await keys.make('host_ed25519');
  const clientKey = await keys.make('client_ed25519');
  const guestHostKey = await keys.make('guest_host_ed25519');
  const guestClientKey = await keys.make('guest_client_ed25519');
  guest = await GuestSshdDouble.start(guestHostKey.private, guestClientKey.public);
  host = await HypervHostDouble.start({ hostKey: hostKey.private, authorizedKey: clientKey.public, guestSshPort: guest.port });
  host.model.files.add(BASE_VHDX.toLowerCase());
  runDir = await mkdtemp(join(tmpdir(), 'pvconform-hyperv-run-'));

  const config: HypervConfig = {
    name: 'hv-double',
    provider: 'hyperv',
    host: { address: '127.0.0.1', port: host.port, user: 'pvconform', privateKey: clientKey.path, hostKey: hostKey.public },
    generation: 1,
    switchName: 'Default Switch',
    memoryMiB: 1024,
    cpus: 2,
    imageDir: IMAGE_DIR,
  };
  const image: GuestImage = {
    name: 'linux-ref',
    os: 'linux',
    release: 'test',
    boot: { kind: 'disk', disk: '/nonexistent/linux-ref.qcow2', format: 'qcow2' },
    ssh: { user: 'root', privateKeyPath: guestClientKey.path, hostKey: guestHostKey.public },
  };
  const logs: string[] = [];
  const rig: Rig = {
    host,
    guest,
    keys,
    clientKey,
    hostKey,
    config,
    runDir,
    logs,
    spec: (overrides = {}) => ({
      cellId: 'linux-ref@hv-double',
      image,
      hypervisor: config,
      workDir: join(runDir, 'work'),
      artifactsDir: join(runDir, 'cells', 'linux-ref@hv-double'),
      runDir,
      timeouts: { bootMs: 8_000, connectMs: 2_000, commandMs: 5_000, shutdownMs: 2_000, scale: 1 },
      log: (m) => logs.push(m),
      ...overrides,
    }),
    provider: (options = {}) => new HypervProvider({ ...FAST, ...options }),
  };
  return rig;
}
