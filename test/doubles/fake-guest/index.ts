// TEST DOUBLE: a guest that exists only as answers to commands. Its shell can be told to lose
// the connection, time out or hang, and its checks to pass, fail, skip or throw, so runCell's
// mapping to the four states is tested without a VM (the real guest: test/spine, test/faults).
import type { ExecOptions, ExecResult, Shell } from '../../../harness/core/shell.ts';
import type { GuestAdapter } from '../../../harness/core/guest-adapter.ts';
import type { Check, CheckContext, Requirements, Verdict } from '../../../harness/core/checks.ts';
import type { GuestImage } from '../../../harness/images/guest-image.ts';

/** How the fake shell answers one command. */
export type FakeAnswer = Partial<ExecResult> | Error | 'hang';

export interface FakeShell extends Shell {
  readonly commands: string[];
  closed: boolean;
}

export function fakeShell(answer: (command: string) => FakeAnswer = () => ({})): FakeShell {
  const sh: FakeShell = {
    commands: [],
    closed: false,
    async exec(command: string, _options?: ExecOptions): Promise<ExecResult> {
      sh.commands.push(command);
      const a = answer(command);
      if (a instanceof Error) throw a;
      if (a === 'hang') return new Promise<ExecResult>(() => {});
      return { code: 0, stdout: '', stderr: '', durationMs: 1, ...a };
    },
    async upload() {},
    async close() {
      sh.closed = true;
    },
  };
  return sh;
}

export function fakeAdapter(bootMessages: () => Promise<string> = async () => 'fake dmesg\n'): GuestAdapter & { poweredOff: number } {
  const a = {
    os: 'linux' as const,
    poweredOff: 0,
    async virtioDevices() {
      return [];
    },
    bootMessages: (_sh: Shell) => bootMessages(),
    async powerOff() {
      a.poweredOff++;
    },
    driverFor: () => 'none',
  };
  return a;
}

export const FAKE_IMAGE: GuestImage = {
  name: 'fake-guest',
  os: 'linux',
  release: '0',
  boot: { kind: 'kernel', kernel: '/nonexistent/kernel', initrd: '/nonexistent/initrd', append: '' },
  ssh: { user: 'root', privateKeyPath: '/dev/null', hostKey: 'ssh-ed25519 AAAA' },
};

/** A check whose run is the test's function. */
export function fakeCheck(name: string, run: (ctx: CheckContext) => Promise<Verdict>, requires: Requirements = {}): Check {
  return {
    id: `fake/${name}`,
    suite: 'fake',
    title: name,
    citation: { kind: 'source', fact: 'a test double check', where: 'test/doubles/fake-guest' },
    requires,
    os: ['linux'],
    run,
  };
}
