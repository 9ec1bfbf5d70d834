// Host-side steps of a check: when dom0 breaks, the result is `error`, never the guest's fault.
import { InfraError, describe } from '../../harness/core/errors.ts';

export async function onHost<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new InfraError(`dom0 ${what}: ${describe(e)}`);
  }
}
