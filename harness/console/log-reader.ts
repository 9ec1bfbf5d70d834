// Reads what a console log file gained since the last read. The file is written by QEMU
// (chardev logfile=, or -serial file:) and may not exist yet when reading starts.
import { open, type FileHandle } from 'node:fs/promises';

export class ConsoleLogReader {
  private fh: FileHandle | null = null;
  /** Raw bytes read so far (latin1: one character per byte, so offsets are byte offsets). */
  private readPos = 0;

  constructor(readonly path: string) {}

  /** Bytes read so far, i.e. the raw position after the last chunk returned. */
  get position(): number {
    return this.readPos;
  }

  /** The new text since the previous call ('' when nothing new or the file is not there yet). */
  async readNew(): Promise<string> {
    if (!this.fh) {
      try {
        this.fh = await open(this.path, 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
        throw e;
      }
    }
    const { size } = await this.fh.stat();
    if (size < this.readPos) this.readPos = 0; // truncated or replaced: start over
    if (size === this.readPos) return '';
    const buf = Buffer.alloc(size - this.readPos);
    const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.readPos);
    this.readPos += bytesRead;
    return buf.subarray(0, bytesRead).toString('latin1');
  }

  /** The file's current size without reading it (0 when absent). */
  async size(): Promise<number> {
    if (!this.fh) {
      try {
        this.fh = await open(this.path, 'r');
      } catch {
        return 0;
      }
    }
    return (await this.fh.stat()).size;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }
}
