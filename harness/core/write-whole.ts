// A run's summary files (report.html, junit.xml, results.tap, run.json...) are either whole or
// absent: each is written beside itself and renamed into place, so a full disk or a kill in the
// middle never leaves a torn report for a reader (or a CI upload) to trust.
import { rename, rm, writeFile } from 'node:fs/promises';

export async function writeWhole(path: string, text: string): Promise<void> {
  const part = `${path}.part-${process.pid}`;
  try {
    await writeFile(part, text);
    await rename(part, path);
  } catch (e) {
    await rm(part, { force: true }).catch(() => {});
    throw e;
  }
}
