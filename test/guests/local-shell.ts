// A Shell on this machine (sh -c, cp): lets the probe's build-and-run path run for real here, on
// Linux standing in for the guest's OS. Only for commands that are safe on the test host.
import { spawn } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import type { ExecResult, Shell } from '../../harness/core/shell.ts';

export function localShell(): Shell & { commands: string[] } {
  const commands: string[] = [];
  return {
    commands,
    exec(command, options) {
      commands.push(command);
      const started = Date.now();
      return new Promise<ExecResult>((resolve, reject) => {
        const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], timeout: options?.timeoutMs ?? 60_000 });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code, ...(signal ? { signal } : {}), stdout, stderr, durationMs: Date.now() - started }));
        child.stdin.on('error', () => {}); // a command that never reads its stdin
        child.stdin.end(options?.stdin ?? '');
      });
    },
    async upload(local, remote) {
      commands.push(`upload ${local} ${remote}`);
      await copyFile(local, remote);
    },
    async close() {},
  };
}
