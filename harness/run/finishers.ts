// Writers that run after the results are complete (HTML report, Markdown summary, baseline
// comparison). Each is optional: a missing writer must not cost the results already written.
export interface FinisherOptions {
  summaryMd?: string;
  baseline?: string;
  expectations?: string;
}

export async function finishers(_opts: FinisherOptions): Promise<Array<(runDir: string) => Promise<unknown>>> {
  return [];
}
