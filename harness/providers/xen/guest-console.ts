// A domU's console as xenconsoled logs it in dom0 (/var/log/xen/console/guest-<name>.log, when
// it runs with --log=guest), mirrored into the cell's local console.log by polling its tail.
import { appendFile, writeFile } from 'node:fs/promises';
import type { Dom0 } from './dom0.ts';
import { sq } from './quote.ts';

export const CONSOLE_LOG_DIR = '/var/log/xen/console';

export class GuestConsole {
  private offset = 0;
  /** Everything copied so far (the marker search needs the text, not the file). */
  private text = '';

  constructor(
    private readonly dom0: Dom0,
    readonly domainName: string,
    readonly localPath: string,
  ) {}

  get remotePath(): string {
    return `${CONSOLE_LOG_DIR}/guest-${this.domainName}.log`;
  }

  async start(): Promise<void> {
    await writeFile(this.localPath, '');
  }

  /** Copies what dom0 has logged since the last call; false when there is no log at all. */
  async sync(): Promise<boolean> {
    // The size first, then exactly the bytes up to it: the offset stays exact whatever the
    // console printed (the text is decoded as UTF-8 on the way).
    const f = sq(this.remotePath);
    const r = await this.dom0.run(`[ -f ${f} ] || exit 3; s=$(stat -c %s ${f}); echo "$s"; tail -c +${this.offset + 1} ${f} | head -c $((s - ${this.offset}))`, 15_000);
    if (r.code === 3) return false;
    const nl = r.stdout.indexOf('\n');
    const size = Number(r.stdout.slice(0, nl));
    if (r.code !== 0 || nl < 0 || !Number.isFinite(size)) return true;
    // A shorter file is a new one: a restored domain of the same name may start the log afresh.
    if (size < this.offset) {
      this.offset = 0;
      return this.sync();
    }
    const chunk = r.stdout.slice(nl + 1);
    this.offset = size;
    if (chunk) {
      this.text += chunk;
      await appendFile(this.localPath, chunk);
    }
    return true;
  }

  includes(marker: string): boolean {
    return this.text.includes(marker);
  }

  /** Bytes copied so far; what comes after a given moment is `since(offset)`. */
  get length(): number {
    return this.text.length;
  }

  since(position: number): string {
    return this.text.slice(position);
  }

  tail(lines: number): string {
    return this.text.replace(/\r/g, '').split('\n').slice(-lines).join('\n').trim() || '(no console output)';
  }

  /** Removes dom0's copy (after the last sync): it would pile up on a long-lived host. */
  async removeRemote(): Promise<void> {
    await this.dom0.run(`rm -f ${sq(this.remotePath)} ${sq(`/var/log/xen/xl-${this.domainName}.log`)}`, 10_000).catch(() => {});
  }
}
