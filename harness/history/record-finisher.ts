// The last writer of `pvconform run`: keeps the environment beside the results, records the run
// into the history, and redraws report.html with each square's recent states.
import { openHistory } from './open.ts';
import { runRecordFromDir } from './from-run-dir.ts';
import { saveEnvironment } from './environment.ts';
import { writeHtmlReport } from '../reports/html/write.ts';
import type { Environment } from './records.ts';

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
