// The host half of hyperv(4)'s key pools, as a HostKv. Keys are named the way hostctl(8) names
// them in the guest, "<pool>/<name>":
//   read/list  "Guest/<k>"    the guest's Guest pool  (Msvm_KvpExchangeComponent.GuestExchangeItems)
//   read/list  "Auto/<k>"     the guest's Auto pool   (...GuestIntrinsicExchangeItems)
//   all four   "External/<k>" the host's items, which the guest reads in its External pool
//                             (Msvm_KvpExchangeComponentSettingData.HostExchangeItems; written
//                             with AddKvpItems / ModifyKvpItems / RemoveKvpItems, Source 0)
// Guest/Parameters is filled by Hyper-V itself and is not offered here.
import { InfraError } from '../../core/errors.ts';
import type { HostKv } from '../../core/offers.ts';
import { asList, type PowerShellHost } from './powershell.ts';
import { parseKvpItems, type KvpItem } from './cim-xml.ts';
import { jobStateScript, kvpMethodScript, readPoolsScript, type KvpMethod } from './kvp-scripts.ts';

/** Msvm_ConcreteJob.JobState (learn.microsoft.com, Msvm_ConcreteJob class). */
export const JOB_STATE: Record<number, string> = {
  2: 'New', 3: 'Starting', 4: 'Running', 5: 'Suspended', 6: 'Shutting Down',
  7: 'Completed', 8: 'Terminated', 9: 'Killed', 10: 'Exception', 11: 'Service',
};
const STILL_GOING = new Set([2, 3, 4, 5, 6]);
const JOB_STARTED = 4096;

/** Return values of the KVP methods and error codes of their jobs (AddKvpItems page). */
export const RETURN_VALUE: Record<number, string> = {
  0: 'Completed with No Error', 4096: 'Method Parameters Checked - Job Started', 32768: 'Failed',
  32769: 'Access Denied', 32770: 'Not Supported', 32771: 'Status is unknown', 32772: 'Timeout',
  32773: 'Invalid parameter', 32774: 'System is in use', 32775: 'Invalid state for this operation',
  32776: 'Incorrect data type', 32777: 'System is not available', 32778: 'Out of memory',
};

type Pool = 'External' | 'Guest' | 'Auto';
const POOLS: Record<string, Pool> = { external: 'External', guest: 'Guest', auto: 'Auto' };

export interface KvpTimeouts {
  /** One PowerShell call. */
  callMs: number;
  /** From the method call to the job's end. */
  jobMs: number;
  /** Between two looks at a running job. */
  jobPollMs: number;
}

interface Pools {
  GuestExchangeItems?: unknown;
  GuestIntrinsicExchangeItems?: unknown;
  HostExchangeItems?: unknown;
}

export class HypervKvp implements HostKv {
  constructor(
    private readonly ps: PowerShellHost,
    private readonly vmName: string,
    private readonly t: KvpTimeouts,
  ) {}

  async read(key: string): Promise<string | null> {
    const { pool, name } = splitKey(key);
    const item = (await this.pool(pool)).find((i) => i.name === name);
    return item ? item.data : null;
  }

  async list(prefix: string): Promise<string[]> {
    const pools = await this.readPools();
    const want = canonicalPrefix(prefix);
    return (Object.keys(pools) as Pool[])
      .flatMap((pool) => pools[pool].map((i) => `${pool}/${i.name}`))
      .filter((k) => k.startsWith(want))
      .sort();
  }

  /** Sets an External key: AddKvpItems when the host has no such item yet, ModifyKvpItems when
   *  it has (AddKvpItems "fails if any of the specified key-value pairs already exists"). */
  async write(key: string, value: string): Promise<void> {
    const { pool, name } = splitKey(key);
    if (pool !== 'External') throw new InfraError(`${key}: the host writes only External keys (host items, Source 0); ${pool} belongs to the guest`);
    const exists = (await this.pool('External')).some((i) => i.name === name);
    await this.call(exists ? 'ModifyKvpItems' : 'AddKvpItems', name, value);
  }

  async add(key: string, value: string): Promise<void> {
    await this.call('AddKvpItems', externalName(key), value);
  }

  async modify(key: string, value: string): Promise<void> {
    await this.call('ModifyKvpItems', externalName(key), value);
  }

  async remove(key: string): Promise<void> {
    await this.call('RemoveKvpItems', externalName(key), '');
  }

  private async pool(pool: Pool): Promise<KvpItem[]> {
    return (await this.readPools())[pool];
  }

  private async readPools(): Promise<Record<Pool, KvpItem[]>> {
    const raw = ((await this.ps.run('read KVP pools', readPoolsScript(this.vmName), this.t.callMs)) ?? {}) as Pools;
    return {
      Guest: parseKvpItems(asList(raw.GuestExchangeItems)),
      Auto: parseKvpItems(asList(raw.GuestIntrinsicExchangeItems)),
      External: parseKvpItems(asList(raw.HostExchangeItems)),
    };
  }

  private async call(method: KvpMethod, name: string, value: string): Promise<void> {
    const started = Date.now();
    const out = (await this.ps.run(method, kvpMethodScript(method, this.vmName, name, value), this.t.callMs)) as { ReturnValue?: number; Job?: string } | null;
    const rv = Number(out?.ReturnValue);
    if (rv === 0) return;
    if (rv !== JOB_STARTED) throw new InfraError(`Hyper-V host: ${method}(${name}) returned ${rv} (${RETURN_VALUE[rv] ?? 'unknown value'})`);
    if (!out?.Job) throw new InfraError(`Hyper-V host: ${method}(${name}) started a job but gave no job reference`);
    await this.waitForJob(method, name, out.Job, started + this.t.jobMs);
  }

  /** Polls the Msvm_ConcreteJob until Completed (7) or an end state, by a wall-clock deadline. */
  private async waitForJob(method: KvpMethod, name: string, jobPath: string, deadline: number): Promise<void> {
    for (;;) {
      const job = (await this.ps.run(`${method} job`, jobStateScript(jobPath), this.t.callMs)) as {
        JobState?: number; ErrorCode?: number; ErrorDescription?: string;
      } | null;
      const state = Number(job?.JobState);
      const code = Number(job?.ErrorCode ?? 0);
      if (state === 7 && code === 0) return;
      if (!STILL_GOING.has(state)) {
        const meaning = RETURN_VALUE[code] ?? 'unknown code';
        const hint = code === 32773 && method !== 'AddKvpItems' ? '; LISAv2 reads this as: the key does not exist' : '';
        throw new InfraError(
          `Hyper-V host: ${method}(${name}) job ended ${JOB_STATE[state] ?? `in state ${state}`} with error ${code} (${meaning}${hint})${job?.ErrorDescription ? `: ${job.ErrorDescription}` : ''}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new InfraError(`Hyper-V host: ${method}(${name}) job still ${JOB_STATE[state]} after ${this.t.jobMs} ms`);
      await new Promise((r) => setTimeout(r, Math.min(this.t.jobPollMs, left)));
    }
  }
}

/** "Guest/foo" -> pool Guest, name foo. The pool is matched without regard to case, as the
 *  guest's kvp_poolname() does; the name is everything after the first slash. */
export function splitKey(key: string): { pool: Pool; name: string } {
  const at = key.indexOf('/');
  const pool = at > 0 ? POOLS[key.slice(0, at).toLowerCase()] : undefined;
  const name = at > 0 ? key.slice(at + 1) : '';
  if (!pool || name === '' || name.includes('/'))
    throw new InfraError(`${JSON.stringify(key)}: not a key the Hyper-V host can address; use External/<name>, Guest/<name> or Auto/<name>`);
  return { pool, name };
}

function externalName(key: string): string {
  const { pool, name } = splitKey(key);
  if (pool !== 'External') throw new InfraError(`${key}: the host writes only External keys (host items, Source 0)`);
  return name;
}

function canonicalPrefix(prefix: string): string {
  const at = prefix.indexOf('/');
  if (at < 0) return prefix;
  const pool = POOLS[prefix.slice(0, at).toLowerCase()];
  return pool ? pool + prefix.slice(at) : prefix;
}
