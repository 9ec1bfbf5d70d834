// The host's shutdown request for one domU, as `xl shutdown` makes it (it writes "poweroff" to
// the guest's control/shutdown; xen(4)'s driver watches that node, guest-facts.md §5.2), and
// what the host sees afterwards: the guest clearing the node, the domain going, and why.
import type { HostControl, ShutdownObservation } from '../../core/offers.ts';
import { oneLine, type Dom0 } from './dom0.ts';
import type { GuestConsole } from './guest-console.ts';
import type { LiveDomain } from './live-domain.ts';
import { sq } from './quote.ts';

/** libxl's shutdown reason codes (SHUTDOWN_* in Xen's public sched.h). */
const REASONS: Record<string, ShutdownObservation['outcome']> = { '0': 'powered off', '1': 'rebooted', '3': 'crashed' };

export class XlShutdown implements HostControl {
  constructor(
    private readonly dom0: Dom0,
    private readonly domain: LiveDomain,
    private readonly console: GuestConsole,
    /** Tells the machine its domain is gone, so stop() does not wait for it. */
    private readonly onStopped: () => void,
  ) {}

  async requestShutdown(deadlineMs: number): Promise<ShutdownObservation> {
    await this.console.sync();
    const from = this.console.length;
    const t0 = Date.now();
    const r = await this.dom0.xl('shutdown', [this.domain.name]);
    const obs: ShutdownObservation = {
      requested: r.code === 0,
      requestDetail: `xl shutdown ${this.domain.name}: exit ${r.code}; ${oneLine(r.stdout + r.stderr)}`,
      acknowledgedMs: null,
      stoppedMs: null,
      outcome: 'still running',
      consoleAfter: '',
    };
    while (obs.requested && Date.now() - t0 < deadlineMs) {
      const row = (await this.dom0.domains()).find((d) => d.name === this.domain.name);
      if (!row || /[sc]/.test(row.state.replace(/-/g, ''))) {
        obs.stoppedMs = Date.now() - t0;
        obs.outcome = row?.state.includes('c') ? 'crashed' : await this.reason();
        break;
      }
      if (obs.acknowledgedMs === null && (await this.dom0.xsRead(`/local/domain/${this.domain.domid}/control/shutdown`)) === '') obs.acknowledgedMs = Date.now() - t0;
      await new Promise((res) => setTimeout(res, 250));
    }
    // A shut-down domain lingers until xl's monitor applies on_poweroff (destroy): let it go.
    if (obs.stoppedMs !== null) {
      const until = Date.now() + 10_000;
      while (Date.now() < until && (await this.dom0.domid(this.domain.name)) !== null) await new Promise((res) => setTimeout(res, 250));
    }
    await this.console.sync();
    obs.consoleAfter = this.console.since(from);
    if (obs.stoppedMs !== null) this.onStopped();
    return obs;
  }

  /** xl's per-domain log says "Domain N has shut down, reason code R". */
  private async reason(): Promise<ShutdownObservation['outcome']> {
    for (let i = 0; i < 8; i++) {
      const r = await this.dom0.run(`cat ${sq(`/var/log/xen/xl-${this.domain.name}.log`)} 2>/dev/null`, 10_000);
      const m = /has shut down, reason code (\d+)/.exec(r.stdout);
      if (m) return REASONS[m[1]] ?? 'gone';
      await new Promise((res) => setTimeout(res, 250));
    }
    return 'gone';
  }
}
