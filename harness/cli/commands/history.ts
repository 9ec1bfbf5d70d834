// pvconform history: the runs recorded in the history store, and a check's states over time
// with its flip rate; `history record` adds run directories (a run records itself as it ends).
import type { Command } from 'commander';
import { openHistory } from '../../history/open.ts';
import { runRecordFromDir } from '../../history/from-run-dir.ts';
import { UsageError } from '../../core/errors.ts';
import type { CheckTimeline, RunSummary } from '../../history/records.ts';

const LETTER = { pass: 'P', fail: 'F', skip: 'S', error: 'E' } as const;
const historyHelp = 'history store: a postgres:// URL or a SQLite file (default: .cache/history/history.sqlite, or $PVCONFORM_HISTORY)';

const positive = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${v}: not a whole number of 1 or more. Fix: e.g. ${flag} 20`);
  return n;
};

function formatRuns(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs recorded\n';
  const lines = runs.map((r) => {
    const c = r.counts;
    return `${r.id}  ${r.startedAt}  exit ${r.exitCode ?? '-'}  pass ${c.pass} fail ${c.fail} skip ${c.skip} error ${c.error}${r.flaky ? `  flaky ${r.flaky}` : ''}${r.gitCommit ? `  git ${r.gitCommit.slice(0, 12)}` : ''}`;
  });
  return lines.join('\n') + '\n';
}

/** One line per check: its states oldest to newest (a lower-case letter: passed on a retry). */
export function formatTimelines(ts: CheckTimeline[]): string {
  if (ts.length === 0) return 'no results for that cell and check\n';
  return (
    ts
      .map((t) => {
        const strip = t.states.map((s) => (s.flaky ? 'f' : LETTER[s.state])).join('');
        return `${t.cell}  ${t.check}  ${strip}  flip rate ${(t.flipRate * 100).toFixed(0)}% (${t.states.length} runs${t.flakyRuns ? `, flaky in ${t.flakyRuns}` : ''})`;
      })
      .join('\n') + '\n'
  );
}

export function register(program: Command): void {
  const history = program
    .command('history')
    .description('list recorded runs (newest first); with --cell or --check, each check\'s states over time (oldest first; f = failed, then passed on a retry) and flip rate')
    .option('--cell <id>', 'only this cell, e.g. linux-ref@qemu')
    .option('--check <id>', 'only this check, e.g. virtio.4/entropy')
    .option('--limit <n>', 'runs to show (per check with --cell/--check)', positive('--limit'), 20)
    .option('--history <url|file>', historyHelp)
    .option('--json', 'print JSON')
    .action(async (opts: { cell?: string; check?: string; limit: number; history?: string; json?: boolean }) => {
      const store = await openHistory(opts.history);
      try {
        const runs = await store.listRuns({ cell: opts.cell, check: opts.check, limit: opts.limit });
        const timelines = opts.cell || opts.check ? await store.timelines({ cell: opts.cell, check: opts.check, limit: opts.limit }) : null;
        if (opts.json) process.stdout.write(JSON.stringify({ history: store.where, runs, timelines }, null, 1) + '\n');
        else process.stdout.write(timelines ? formatTimelines(timelines) : formatRuns(runs));
      } finally {
        await store.close();
      }
    });
  history
    .command('record')
    .description('record finished run directories into the history (pvconform run does this itself)')
    .argument('<run-dir...>', 'run directories written by pvconform run')
    .option('--history <url|file>', historyHelp)
    .action(async (dirs: string[], opts: { history?: string }, cmd: Command) => {
      const where = opts.history ?? (cmd.parent?.opts() as { history?: string } | undefined)?.history;
      const records = [];
      for (const d of dirs) records.push(await runRecordFromDir(d));
      const store = await openHistory(where);
      try {
        for (const r of records) {
          await store.record(r);
          process.stdout.write(`recorded ${r.id} (${r.results.length} results) in ${store.where}\n`);
        }
      } finally {
        await store.close();
      }
    });
}
