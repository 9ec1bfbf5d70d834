// Pure judgements for the xen.4-host checks: what was observed in, a verdict out. Kept apart
// from the I/O so each can be tested with plain values.
import type { Verdict } from '../../harness/core/checks.ts';
import type { ShutdownObservation } from '../../harness/core/offers.ts';
import type { StoreReply } from './guest-store.ts';

export type Pairs = Array<[key: string, value: string]>;

/** The guest's writes, then dom0's reads of the same keys under the guest's home. */
export function judgeHostReads(home: string, writes: Array<{ key: string; reply: StoreReply }>, props: Pairs, seen: Record<string, string | null>): Verdict {
  const refused = writes.filter((w) => !w.reply.ok);
  if (refused.length) return { state: 'fail', message: `the guest could not set ${refused.map((w) => `${w.key} (${w.reply.error})`).join(', ')}` };
  const wrong = props.filter(([k, v]) => seen[k] !== v);
  if (wrong.length)
    return {
      state: 'fail',
      message: `dom0 does not see what the guest set under ${home}/: ${wrong.map(([k, v]) => `${k}: expected ${JSON.stringify(v)}, dom0 read ${seen[k] === null ? 'nothing' : JSON.stringify(seen[k])}`).join('; ')}`,
    };
  return { state: 'pass', message: `dom0 read all ${props.length} properties under ${home}/ as the guest set them (${props.map(([k]) => k).join(', ')})` };
}

export function judgeGuestRead(key: string, expected: string, reply: StoreReply): Verdict {
  if (!reply.ok) return { state: 'fail', message: `dom0 wrote ${key}, but the guest's read failed: ${reply.error}` };
  if (reply.value !== expected) return { state: 'fail', message: `dom0 wrote ${JSON.stringify(expected)} to ${key}; the guest read ${JSON.stringify(reply.value)}` };
  return { state: 'pass', message: `the guest read ${key} = ${JSON.stringify(expected)} as dom0 wrote it` };
}

/** A write outside the guest's home: refused with EACCES, and nothing appears on the host. */
export function judgeRefusedWrite(path: string, reply: StoreReply, hostSees: string | null): Verdict {
  if (reply.ok) return { state: 'fail', message: `the guest's write to ${path} was accepted${hostSees !== null ? ` and dom0 now reads ${JSON.stringify(hostSees)} there` : ''}; xenstored should refuse it` };
  if (hostSees !== null) return { state: 'fail', message: `the write to ${path} reported ${reply.error}, yet dom0 reads ${JSON.stringify(hostSees)} there` };
  if (reply.error !== 'EACCES') return { state: 'fail', message: `the write to ${path} failed with ${reply.error}, not EACCES` };
  return { state: 'pass', message: `the guest's write to ${path} was refused with EACCES and dom0 has no such node` };
}

/** `xl shutdown`: the guest must clear control/shutdown or power off, and power off cleanly. */
export function judgeShutdown(obs: ShutdownObservation, deadlineMs: number, guestLine: string | null): Verdict {
  const after = obs.consoleAfter.trim().split('\n').slice(-3).join(' / ') || 'nothing';
  if (!obs.requested) return { state: 'fail', message: `the host's shutdown request did not go through: ${obs.requestDetail}` };
  const ack = obs.acknowledgedMs !== null ? `acknowledged after ${(obs.acknowledgedMs / 1000).toFixed(1)} s` : 'acknowledgement not seen';
  if (obs.outcome === 'still running')
    return { state: 'fail', message: `the guest was still running ${(deadlineMs / 1000).toFixed(0)} s after xl shutdown (${ack}); console after the request: ${after}` };
  if (obs.outcome !== 'powered off')
    return { state: 'fail', message: `asked to power off, the guest ${obs.outcome} after ${((obs.stoppedMs ?? 0) / 1000).toFixed(1)} s; console: ${after}` };
  if (guestLine !== null && !obs.consoleAfter.includes(guestLine))
    return { state: 'fail', message: `the guest powered off but did not log "${guestLine}" on its console first; console: ${after}` };
  return { state: 'pass', message: `the guest powered off ${((obs.stoppedMs ?? 0) / 1000).toFixed(1)} s after xl shutdown (${ack}); console: ${after}` };
}
