// The run's own output failing to land (a full disk, a read-only or vanished folder) is told to
// the user in one line naming the folder, never as an internal error with a stack trace.
import { OutputError, describe } from '../core/errors.ts';

const WHY: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'the folder is gone',
  EIO: 'an I/O error',
  EFBIG: 'the file is too large',
};

/** True for the errors of a write that the disk or folder refused. */
export function isOutputFailure(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return e instanceof OutputError || (typeof code === 'string' && code in WHY);
}

export function outputError(dir: string, e: unknown, what?: string): OutputError {
  if (e instanceof OutputError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code ?? '';
  const why = WHY[code] ?? describe(e);
  return new OutputError(`cannot write results to ${dir}: ${why}${what ? ` (writing ${what})` : ''}. Fix: free space or choose another --out`, { cause: e });
}
