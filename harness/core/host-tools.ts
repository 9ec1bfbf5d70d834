// Small probes of this host for `doctor` findings: a tool's version line, or whether it is on PATH.
import { execa } from 'execa';
import { connect } from 'node:net';
import type { HostFinding } from './host-finding.ts';

/** The first line a tool prints for its version, or null when it does not run. */
export async function toolVersion(cmd: string, args: string[]): Promise<string | null> {
  try {
    const r = await execa(cmd, args, { encoding: 'utf8', timeout: 10_000 });
    return (r.stdout || r.stderr).split('\n')[0].trim();
  } catch {
    return null;
  }
}

/** One finding per tool: on PATH, or the Debian package to install. */
export async function toolsOnPath(tools: readonly (readonly [tool: string, debianPackage: string])[]): Promise<HostFinding[]> {
  const out: HostFinding[] = [];
  for (const [tool, pkg] of tools) {
    const found = await toolVersion('sh', ['-c', `command -v ${tool}`]);
    out.push({ what: tool, ok: !!found, detail: found ?? `not found. Fix: apt-get install ${pkg}` });
  }
  return out;
}

/** Opens a TCP connection with a deadline: null when it connects, else what went wrong. */
export function tcpProblem(host: string, port: number, timeoutMs = 3_000): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (why: string | null) => {
      sock.destroy();
      resolve(why);
    };
    sock.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    sock.once('connect', () => done(null));
    sock.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}
