// What a cell made on a real dom0 must not outlive a Ctrl-C. Exit handlers run synchronously
// (core/cleanup.ts), so the undo is one blocking `ssh` with the same pinned host key and a
// short limit. The nested host needs none of this: its whole machine is killed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { onCleanup, removeOnCleanup } from '../../core/cleanup.ts';
import { pinnedHostKey } from '../../transport/host-key.ts';
import type { SshEndpoint } from '../../core/shell.ts';

const ALIAS = 'pvconform-dom0';

export class ExitCleanup {
  private readonly dir: string;
  private readonly unRemove: () => void;

  constructor(private readonly endpoint: SshEndpoint) {
    this.dir = mkdtempSync(join(tmpdir(), 'pvconform-dom0-'));
    this.unRemove = removeOnCleanup(this.dir);
    const key = pinnedHostKey(endpoint);
    if (key) writeFileSync(join(this.dir, 'known_hosts'), `${ALIAS} ${key.type} ${key.blob.toString('base64')}\n`);
  }

  /** Runs `command` on dom0 if the process exits before the returned function is called. */
  register(what: string, command: string): () => void {
    return onCleanup(what, () => void this.runSync(command));
  }

  /** The blocking `ssh` the exit handler makes; its exit status (null when ssh could not run). */
  runSync(command: string): number | null {
    const e = this.endpoint;
    const r = spawnSync(
      'ssh',
      ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${join(this.dir, 'known_hosts')}`, '-o', `HostKeyAlias=${ALIAS}`, '-o', 'ConnectTimeout=5', '-i', e.privateKeyPath, '-p', String(e.port), `${e.user}@${e.host}`, command],
      { timeout: 15_000, stdio: 'ignore' },
    );
    return r.status;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
    this.unRemove();
  }
}
