// Waiting, the one way: a plain delay, and asking again until an answer is the one wanted.
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Asks again until `done` holds or `withinMs` has passed; returns the last answer (the caller
 *  judges it). Host/guest exchanges travel asynchronously (Hyper-V's KVP channel, XenStore). */
export async function pollUntil<T>(ask: () => Promise<T>, done: (answer: T) => boolean, withinMs = 30_000, everyMs = 1_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const answer = await ask();
    if (done(answer) || Date.now() + everyMs > deadline) return answer;
    await sleep(everyMs);
  }
}
