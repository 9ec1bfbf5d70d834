// The last writer of `pvconform run`: keeps the environment beside the results, records the run
// into the history, and redraws report.html with each square's recent states.
import { openHistory } from '../history/open.ts';
import { runRecordFromDir } from '../history/from-run-dir.ts';
import { saveEnvironment } from '../history/environment.ts';
import { writeHtmlReport } from '../reports/html/write.ts';
import type { Environment } from '../history/records.ts';
import { describe } from '../core/errors.ts';

/** Checks the store before anything boots. A store named with --history must open (else the
 *  error stops the run); the default file only may fail, with a notice, and the run goes on
 *  unrecorded. */
export async function historyRecorder(
  spec: string | undefined,
  environment: Promise<Environment>,
  notice: (m: string) => void,
): Promise<(runDir: string) => Promise<void>> {
  try {
    await (await openHistory(spec)).close();
  } catch (e) {
    if (spec !== undefined || process.env.PVCONFORM_HISTORY) throw e;
    notice(`the run will not be recorded: the default history store cannot be opened (${describe(e)})`);
    return async () => {};
  }
  return recordIntoHistory(spec, environment);
}

/** `environment` is started when the run starts, so its probes overlap the run. */
export function recordIntoHistory(spec: string | undefined, environment: Promise<Environment>): (runDir: string) => Promise<void> {
  return async (runDir) => {
    await saveEnvironment(runDir, await environment);
    const record = await runRecordFromDir(runDir);
    const store = await openHistory(spec);
    try {
      await store.record(record);
    } finally {
      await store.close();
    }
    await writeHtmlReport(runDir, { history: { location: spec } });
  };
}
