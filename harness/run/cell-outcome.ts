// The one place that decides which of the four states a cell's trouble becomes. Everything is
// told apart by the error's type (core/errors.ts), never by its text. Pure functions, so every
// way a cell can end is tested without a VM (test/run/cell-outcome.test.ts).
import type { State } from '../core/results.ts';
import { BootError, ConnectionLostError, GuestPanicError, InfraError, TimeoutError, TrustError, UsageError, describe } from '../core/errors.ts';
import { NoImageError } from '../images/guest-image.ts';

export interface Outcome {
  state: State;
  message: string;
}

/** What went wrong, by kind. `interrupted` wins over everything: the user stopped the run. */
export type Cause = 'interrupted' | 'no-image' | 'usage' | 'panic' | 'boot' | 'trust' | 'lost' | 'timeout' | 'infra' | 'harness';

export function causeOf(e: unknown, aborted: boolean): Cause {
  if (e instanceof UsageError) return 'usage';
  if (aborted) return 'interrupted';
  if (e instanceof NoImageError) return 'no-image';
  if (e instanceof GuestPanicError) return 'panic';
  if (e instanceof BootError) return 'boot';
  if (e instanceof TrustError) return 'trust';
  if (e instanceof ConnectionLostError) return 'lost';
  if (e instanceof TimeoutError) return 'timeout';
  if (e instanceof InfraError) return 'infra';
  return 'harness';
}

function panicText(e: GuestPanicError): string {
  return `the guest kernel panicked: ${e.panicLine}${e.consoleTail ? `; console tail:\n${e.consoleTail}` : ''}`;
}

/** The cell never reached its checks: what boot/ssh says, and what each planned check says.
 *  The guest's own fault (no boot, a panic) fails boot/ssh once and the checks are skip "not
 *  run" (they did not apply to a guest that is down; counting each as a failure would repeat
 *  one fault many times). The host's or harness's fault is error for all: nothing was judged. */
export function startFailed(e: unknown, aborted: boolean): { boot: Outcome; rest: Outcome } {
  const cause = causeOf(e, aborted);
  switch (cause) {
    case 'usage':
      throw e;
    case 'interrupted':
      return { boot: { state: 'error', message: `not run: the run was interrupted while the guest was starting (${describe(e)})` }, rest: { state: 'error', message: 'not run: the run was interrupted' } };
    case 'no-image':
      return { boot: { state: 'skip', message: describe(e) }, rest: { state: 'skip', message: describe(e) } };
    case 'panic':
      return { boot: { state: 'fail', message: panicText(e as GuestPanicError) }, rest: { state: 'skip', message: 'not run: the guest kernel panicked while booting (see boot/ssh)' } };
    case 'boot':
      return { boot: { state: 'fail', message: describe(e) }, rest: { state: 'skip', message: 'not run: the guest did not boot (see boot/ssh)' } };
    case 'trust':
      return { boot: { state: 'error', message: `infrastructure (trust): ${describe(e)}` }, rest: { state: 'error', message: 'not run: the guest could not be trusted over SSH (see boot/ssh)' } };
    default:
      return { boot: { state: 'error', message: `infrastructure: ${describe(e)}` }, rest: { state: 'error', message: 'not run: the harness or host failed while starting the guest (see boot/ssh)' } };
  }
}

/** A check (or the step before the first check, named in `during`) threw. `check` is the
 *  result of the check that was running, if one was; `rest` is set when no later check of the
 *  cell can run, and says why. */
export function stepFailed(e: unknown, aborted: boolean, during: string): { check: Outcome; rest: Outcome | null } {
  const cause = causeOf(e, aborted);
  switch (cause) {
    case 'usage':
      throw e;
    case 'interrupted':
      return { check: { state: 'error', message: `not run: the run was interrupted during ${during}` }, rest: { state: 'error', message: 'not run: the run was interrupted' } };
    case 'panic':
    case 'boot':
      // A guest that goes down after boot broke its promise: the running check fails with why.
      return { check: { state: 'fail', message: e instanceof GuestPanicError ? panicText(e) : describe(e) }, rest: { state: 'skip', message: `not run: the guest ${e instanceof GuestPanicError ? 'kernel panicked' : 'went down'} during ${during}` } };
    case 'lost':
    case 'trust':
      return { check: { state: 'error', message: `infrastructure: ${describe(e)}` }, rest: { state: 'error', message: `not run: the SSH connection to the guest was lost during ${during} (${describe(e)})` } };
    case 'timeout':
      // The connection is still usable (transport/ssh.ts ends the command first); whether the
      // guest still answers is asked separately (guestStopped below).
      return { check: { state: 'error', message: `infrastructure: ${describe(e)}` }, rest: null };
    case 'no-image':
    case 'infra':
      return { check: { state: 'error', message: `infrastructure: ${describe(e)}` }, rest: null };
    default:
      return { check: { state: 'error', message: `harness error: ${describe(e)}` }, rest: null };
  }
}

/** After a timeout, a quick command did not answer either: the guest (or its host) stopped. */
export function guestStopped(e: unknown, during: string): Outcome {
  return { state: 'error', message: `not run: the guest stopped answering after ${during} timed out (${describe(e)})` };
}
