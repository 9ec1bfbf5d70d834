// One dom0 the provider works on: reached over SSH (a real host, or the nested host it booted),
// probed once, with the guests' bridge and address pool. Shared by the cells of a run.
import { resolve } from 'node:path';
import { join } from 'node:path';
import { InfraError, describe } from '../../core/errors.ts';
import type { XenConfig } from './config.ts';
import type { SshEndpoint } from '../../core/shell.ts';
import { connectSsh, SshTrustError } from '../../transport/ssh.ts';
import { resolveXenHost } from '../../../vm-images/xen-host/image.ts';
import { Dom0 } from './dom0.ts';
import { AddressPool, ensureBridge } from './guest-network.ts';
import { NestedXenHost } from './nested-host.ts';
import { CELLS_DIR, IMAGE_CACHE } from './staging.ts';
import { sq } from './quote.ts';
import { ExitCleanup } from './exit-cleanup.ts';

/** A nested host runs under TCG: every wait on it is this many times longer. */
export const NESTED_SLOWNESS = 3;

export interface SessionOptions {
  /** Where the nested host's console goes (the run's artifacts). */
  artifactsRoot: string;
  /** Limit for reaching dom0 over SSH (per attempt and overall). */
  connectMs: number;
  connectDeadlineMs: number;
  nestedBootMs: number;
  snapshot: boolean;
  log(message: string): void;
  signal?: AbortSignal;
}

export class HostSession {
  readonly pool = new AddressPool();
  readonly bootMs: number;
  private readonly exitCleanup: ExitCleanup | null;

  private constructor(
    readonly dom0: Dom0,
    readonly endpoint: SshEndpoint,
    readonly nested: NestedXenHost | null,
    readonly xenVersion: string,
    started: number,
  ) {
    this.bootMs = Date.now() - started;
    this.exitCleanup = nested ? null : new ExitCleanup(endpoint);
  }

  /** Undoes `command`'s worth of dom0 state if the harness dies before the returned function
   *  is called (Ctrl-C in the middle of a cell). Not needed on the nested host. */
  onExit(what: string, command: string): () => void {
    return this.exitCleanup ? this.exitCleanup.register(what, command) : () => {};
  }

  get slowness(): number {
    return this.dom0.slowness;
  }

  /** A key that tells hosts apart: sessions are shared per key. */
  static keyOf(config: XenConfig): string {
    return config.host === 'nested' ? 'nested' : `${config.host.user}@${config.host.address}:${config.host.port}`;
  }

  static async open(config: XenConfig, opts: SessionOptions): Promise<HostSession> {
    const started = Date.now();
    let nested: NestedXenHost | null = null;
    let endpoint: SshEndpoint;
    if (config.host === 'nested') {
      const image = await resolveXenHost();
      nested = await NestedXenHost.start({
        image,
        consoleLog: join(opts.artifactsRoot, 'xen-host-console.log'),
        bootTimeoutMs: opts.nestedBootMs,
        snapshot: opts.snapshot,
        log: opts.log,
        signal: opts.signal,
      });
      opts.log(`nested Xen host ${nested.restored ? 'restored from its saved state' : 'booted'} in ${(nested.startMs / 1000).toFixed(1)} s`);
      endpoint = nested.endpoint;
    } else {
      const h = config.host;
      endpoint = { host: h.address, port: h.port, user: h.user, privateKeyPath: resolve(h.privateKey), hostKey: h.hostKey };
    }
    const where = `${endpoint.user}@${endpoint.host}:${endpoint.port}`;
    try {
      // One deadline, no hidden retries past it: an unreachable host is reported as such.
      const sh = await connectSsh(endpoint, { deadline: Date.now() + opts.connectDeadlineMs, connectTimeoutMs: opts.connectMs, signal: opts.signal });
      const dom0 = new Dom0(sh, config.host === 'nested' ? `nested Xen host (${where})` : `Xen host ${where}`, nested ? NESTED_SLOWNESS : 1);
      const { xenVersion } = await dom0.probe();
      await ensureBridge(dom0);
      await dom0.must(`mkdir -p ${sq(CELLS_DIR)} ${sq(IMAGE_CACHE)}`, 10_000, 'creating the harness folders');
      return new HostSession(dom0, endpoint, nested, xenVersion, started);
    } catch (e) {
      const why = nested ? `; ${await nested.whyDown()}` : '';
      await nested?.stop();
      if (e instanceof SshTrustError) throw e;
      if (e instanceof InfraError) throw new InfraError(`${describe(e)}${why}`);
      throw new InfraError(`cannot use the Xen host ${where}: ${describe(e)}${why}`);
    }
  }

  /** The dom0 connection is gone or the nested host died: this session cannot serve more cells. */
  get broken(): boolean {
    return (this.nested !== null && !this.nested.running) || this.dom0.closed;
  }

  async close(): Promise<void> {
    this.exitCleanup?.close();
    await this.dom0.close().catch(() => {});
    await this.nested?.stop();
  }
}
