// Reading a serial console log that QEMU is still writing.
import { open, readFile } from 'node:fs/promises';

/** Console lines that mean the guest kernel gave up (Linux panic, BSD panic or ddb prompt):
 *  a boot failure at once, rather than a wait for the deadline. */
export const PANIC_PATTERNS = ['Kernel panic - not syncing', '\npanic: ', 'ddb{', 'ddb> '];

/** Polls until one of `texts` appears (returns it), the deadline passes or the signal fires (null).
 *  `from`: the byte offset to read from (text before it, an earlier boot's, is not looked at). */
export async function waitForAny(path: string, texts: string[], deadline: number, signal?: AbortSignal, from = 0): Promise<string | null> {
  const longest = Math.max(...texts.map((t) => t.length));
  let offset = from;
  let carry = '';
  while (Date.now() < deadline && !signal?.aborted) {
    try {
      const fh = await open(path, 'r');
      try {
        const { size } = await fh.stat();
        if (size > offset) {
          const buf = Buffer.alloc(size - offset);
          await fh.read(buf, 0, buf.length, offset);
          offset = size;
          const chunk = carry + buf.toString('latin1').replace(/\r/g, '');
          const hit = texts.find((t) => chunk.includes(t));
          if (hit !== undefined) return hit;
          carry = chunk.slice(-longest);
        }
      } finally {
        await fh.close();
      }
    } catch {
      /* not created yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

/** Polls the file until `text` appears (true), the deadline passes (false) or the signal fires. */
export async function waitForText(path: string, text: string, deadline: number, signal?: AbortSignal): Promise<boolean> {
  return (await waitForAny(path, [text], deadline, signal)) !== null;
}

export async function tailOf(path: string, lines: number): Promise<string> {
  try {
    const text = (await readFile(path, 'latin1')).replace(/\r/g, '');
    return text.split('\n').slice(-lines).join('\n').trim();
  } catch {
    return '(no console output)';
  }
}
