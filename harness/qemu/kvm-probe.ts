// Does KVM actually run a guest here? /dev/kvm existing is not enough: on this kind of host it
// is a PVM module that opens fine but runs a normal kernel ~1000x slower than TCG (lab.md §5).
// So the decisive test is timed: boot the real guest kernel under KVM and wait a few seconds
// for "Linux version" on the serial console, which TCG prints in ~0.6 s.
import { constants, openSync, closeSync, statSync, readFileSync, readdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { removeOnCleanup } from '../core/cleanup.ts';
import { QemuProcess } from './process.ts';

export interface KvmVerdict {
  usable: boolean;
  /** One line: why. */
  reason: string;
  facts: {
    devKvm: 'missing' | 'not a char device' | 'no access' | 'opens';
    cpuFlags: string[];
    modules: string[];
    bootProbeMs?: number;
  };
}

const PROBE_LIMIT_MS = 3_000;

function hostFacts(): KvmVerdict['facts'] {
  let devKvm: KvmVerdict['facts']['devKvm'] = 'missing';
  try {
    if (!statSync('/dev/kvm').isCharacterDevice()) devKvm = 'not a char device';
    else {
      try {
        closeSync(openSync('/dev/kvm', constants.O_RDWR));
        devKvm = 'opens';
      } catch {
        devKvm = 'no access';
      }
    }
  } catch {
    devKvm = 'missing';
  }
  let cpuFlags: string[] = [];
  try {
    const flags = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    cpuFlags = flags.split(/\s+/).filter((f) => f === 'vmx' || f === 'svm');
  } catch {
    /* not Linux */
  }
  let modules: string[] = [];
  try {
    modules = readdirSync('/sys/module').filter((m) => /^kvm(_|$)/.test(m));
  } catch {
    /* no sysfs */
  }
  return { devKvm, cpuFlags, modules };
}

/** Boots `kernel` under KVM; resolves with the ms until "Linux version" appeared, or null. */
function timedKernelBoot(kernel: string, limitMs: number): Promise<{ ms: number | null; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pvconform-kvm-probe-'));
  const unRemove = removeOnCleanup(dir);
  const log = join(dir, 'serial.log');
  const started = Date.now();
  const qemu = QemuProcess.start({
    what: 'KVM probe QEMU',
    args: ['-accel', 'kvm', '-machine', 'pc', '-cpu', 'qemu64', '-m', '256', '-nodefaults', '-no-user-config', '-display', 'none',
      '-serial', `file:${log}`, '-no-reboot', '-kernel', kernel, '-append', 'console=ttyS0 earlyprintk=serial,ttyS0 panic=-1'],
  });
  return new Promise((resolve) => {
    let done = false;
    const finish = (ms: number | null) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      // The probe's guest has nothing to save: straight to SIGKILL.
      void qemu.stop({ quitMs: 0, termMs: 0 }).then(() => {
        rmSync(dir, { recursive: true, force: true });
        unRemove();
        resolve({ ms, stderr: qemu.stderrTail(2) });
      });
    };
    const poll = setInterval(() => {
      try {
        if (readFileSync(log, 'utf8').includes('Linux version')) return finish(Date.now() - started);
      } catch {
        /* not created yet */
      }
      if (Date.now() - started > limitMs) finish(null);
    }, 50);
    void qemu.exited.then(() => setTimeout(() => finish(null), 20));
  });
}

let cached: Promise<KvmVerdict> | null = null;

/** The verdict is the same for the whole process: probe once. */
export function probeKvm(kernel: string | null): Promise<KvmVerdict> {
  cached ??= doProbe(kernel);
  return cached;
}

async function doProbe(kernel: string | null): Promise<KvmVerdict> {
  const facts = hostFacts();
  const hint = `CPU flags: ${facts.cpuFlags.join(' ') || 'no vmx/svm'}; modules: ${facts.modules.join(' ') || 'none'}`;
  if (facts.devKvm !== 'opens') return { usable: false, reason: `/dev/kvm ${facts.devKvm === 'missing' ? 'is missing' : facts.devKvm === 'no access' ? 'cannot be opened read-write' : 'is not a character device'} (${hint})`, facts };
  if (!kernel || !existsSync(kernel))
    return { usable: false, reason: `/dev/kvm opens, but there is no guest kernel to probe it with (build one: pvconform images build linux-ref); assuming unusable (${hint})`, facts };
  const { ms, stderr } = await timedKernelBoot(kernel, PROBE_LIMIT_MS);
  facts.bootProbeMs = ms ?? undefined;
  if (ms !== null) return { usable: true, reason: `a guest kernel printed "Linux version" under KVM after ${ms} ms (${hint})`, facts };
  const qemuSaid = stderr ? `; QEMU said: ${stderr.split('\n').slice(-2).join(' / ')}` : '';
  return {
    usable: false,
    reason: `/dev/kvm is present but does not run a guest: no "Linux version" within ${PROBE_LIMIT_MS / 1000} s under KVM (TCG prints it in ~0.6 s)${qemuSaid} (${hint})`,
    facts,
  };
}
