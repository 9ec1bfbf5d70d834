// TEST DOUBLE: a provider that boots nothing. It hands runCell a Machine whose console is a
// plain file the test writes to (a panic line, say), so every way a cell can end is mapped to
// the four states in milliseconds. The real QEMU provider is tested for real elsewhere
// (test/spine, test/faults); this never replaces those.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BootSpec, Machine, Provider } from '../../../harness/providers/provider.ts';
import type { HostKv, Offers } from '../../../harness/core/offers.ts';

export interface FakeProviderScript {
  /** What boot() does: nothing (the guest comes up), throws, or waits for the signal. */
  boot?: { throws: Error } | { hangs: true } | { consoleThenThrow: [string, Error] };
  offers?: Partial<Offers>;
  hostKv?: HostKv;
}

export interface FakeProvider extends Provider {
  /** Machines booted and stopped, to check nothing is left running. */
  readonly booted: number;
  readonly stopped: number;
  /** Writes to the live machine's console (e.g. a kernel panic). */
  console(text: string): void;
}

export const FAKE_OFFERS: Offers = { family: 'qemu', accel: 'tcg', interfaces: [], virtio: ['net', 'rng'], kvStore: null, nics: [{ mac: '52:54:00:00:00:01' }] };

export function fakeProvider(script: FakeProviderScript = {}): FakeProvider {
  let booted = 0;
  let stopped = 0;
  let consoleLog: string | null = null;
  const p: FakeProvider = {
    family: 'qemu',
    get booted() {
      return booted;
    },
    get stopped() {
      return stopped;
    },
    console(text: string) {
      if (!consoleLog) throw new Error('fake provider: no machine booted');
      appendFileSync(consoleLog, text);
    },
    async boot(spec: BootSpec, signal: AbortSignal): Promise<Machine> {
      mkdirSync(spec.artifactsDir, { recursive: true });
      consoleLog = join(spec.artifactsDir, 'console.log');
      writeFileSync(consoleLog, 'fake guest: booting\nfake guest: ready\n');
      const b = script.boot;
      if (b && 'throws' in b) throw b.throws;
      if (b && 'consoleThenThrow' in b) {
        appendFileSync(consoleLog, b.consoleThenThrow[0]);
        throw b.consoleThenThrow[1];
      }
      if (b && 'hangs' in b)
        await new Promise((_, reject) => {
          if (signal.aborted) reject(new Error('aborted'));
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
      booted++;
      let stoppedThis = false;
      return {
        ssh: { host: '127.0.0.1', port: 1, user: 'root', privateKeyPath: '/dev/null', hostKey: null },
        consoleLog,
        offers: { ...FAKE_OFFERS, ...script.offers },
        hostKv: script.hostKv,
        bootToSshMs: 1,
        artifacts: [{ kind: 'console', path: 'console.log' }],
        async stop() {
          if (!stoppedThis) stopped++;
          stoppedThis = true;
        },
      };
    },
  };
  return p;
}
