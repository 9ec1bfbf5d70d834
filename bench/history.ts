// History benchmark: 200 runs of 60 results recorded and queried in both stores (the embedded
// SQLite file and a PostgreSQL server started here), each figure printed as a ratio against a
// baseline measured in the same run: appending the same results to a JSONL file (as results.jsonl
// is written) and answering the same questions by reading that file back.
//   node --import tsx bench/history.ts [--json] [--runs N] [--postgres URL]
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openHistory } from '../harness/history/open.ts';
import type { HistoryStore } from '../harness/history/store.ts';
import type { RunRecord, HistoryResult } from '../harness/history/records.ts';
import type { State } from '../harness/core/results.ts';
import { installSignalCleanup, removeOnCleanup } from '../harness/core/cleanup.ts';
import { startPostgres } from '../test/history/pg-server.ts';

const { values: args } = parseArgs({ options: { json: { type: 'boolean' }, runs: { type: 'string' }, postgres: { type: 'string' }, repeat: { type: 'string' } } });
const RUNS = Number(args.runs ?? 200);
const REPEAT = Number(args.repeat ?? 15);
const CELLS = ['linux-ref@qemu', 'linux-ref@xen-pvh', 'openbsd-7.8@qemu'];
const CHECKS = Array.from({ length: 19 }, (_, i) => `virtio.4/check-${String(i).padStart(2, '0')}`);
const QUERY_CHECK = CHECKS[7];

installSignalCleanup();
const scratch = mkdtempSync(join(tmpdir(), 'pvconform-bench-history-'));
const unRemove = removeOnCleanup(scratch);

/** Deterministic: run i's states, with a check that fails now and then and one flaky now and then. */
function makeRun(i: number): RunRecord {
  const startedAt = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString();
  const id = `bench0000plan-${startedAt.replace(/[-:]/g, '').replace(/\..*/, '')}Z`;
  const results: HistoryResult[] = [];
  for (const cell of CELLS) {
    const [guest, hypervisor] = cell.split('@');
    for (const check of ['boot/ssh', ...CHECKS]) {
      const n = (i * 31 + check.length * 7 + cell.length) % 23;
      const state: State = n === 0 ? 'fail' : n === 1 ? 'skip' : n === 2 ? 'error' : 'pass';
      const flaky = n === 3;
      results.push({
        cell, check, suite: check.split('/')[0], guest, hypervisor, state, flaky,
        message: state === 'pass' ? 'as promised' : `${check} is ${state} here`,
        citation: { kind: 'man', page: 'virtio(4)', file: 'man/virtio.4.netbsd.txt', sentence: 'defines an interface for efficient, standard and extensible I/O' },
        durationMs: 100 + n, startedAt,
        attempts: flaky ? [{ attempt: 1, state: 'fail', message: 'failed once', durationMs: 90 }, { attempt: 2, state: 'pass', message: 'as promised', durationMs: 95 }] : [],
      });
    }
  }
  return {
    id, plan: 'bench0000plan', source: 'bench', startedAt, finishedAt: startedAt, exitCode: 0, shard: null, runDir: null,
    environment: { harnessVersion: '0.1.0', gitCommit: null, node: process.version, hostKernel: null, qemu: 'QEMU emulator version 7.2', xen: null, images: [] },
    figures: [], cells: CELLS.map((c) => ({ id: c, guest: c.split('@')[0], hypervisor: c.split('@')[1], suites: ['virtio.4'] })), results,
  };
}

const runs = Array.from({ length: RUNS }, (_, i) => makeRun(i));
const perRun = runs[0].results.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
async function medianOf(fn: () => unknown): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < REPEAT; i++) xs.push(await timed(fn));
  return median(xs);
}

// Baseline: results appended line by line to a JSONL file, and the same questions answered by
// reading it back.
const jsonl = join(scratch, 'history.jsonl');
const baselineInsert = await timed(() => {
  for (const r of runs) for (const x of r.results) appendFileSync(jsonl, JSON.stringify({ run: r.id, ...x }) + '\n');
});
type Line = HistoryResult & { run: string; startedAt: string };
const readLines = () => readFileSync(jsonl, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
const baselineQueries = {
  lastPass: await medianOf(() => {
    const last = new Map<string, Line>();
    for (const l of readLines()) if (l.state === 'pass') last.set(`${l.cell}|${l.check}`, l);
    return last.size;
  }),
  timeline: await medianOf(() => readLines().filter((l) => l.check === QUERY_CHECK).slice(-20 * CELLS.length).length),
  runResults: await medianOf(() => readLines().filter((l) => l.run === runs[runs.length - 1].id).length),
};

async function measure(store: HistoryStore) {
  const insert = await timed(async () => {
    for (const r of runs) await store.record(r);
  });
  const counts = await store.listRuns({ limit: RUNS + 1 });
  if (counts.length !== RUNS) throw new Error(`${store.where}: ${counts.length} runs recorded, expected ${RUNS}`);
  const passes = await store.lastPasses();
  if (passes.length === 0) throw new Error('no last passes');
  return {
    insert,
    queries: {
      lastPass: await medianOf(() => store.lastPasses()),
      timeline: await medianOf(() => store.timelines({ check: QUERY_CHECK, limit: 20 })),
      runResults: await medianOf(() => store.runResults('latest')),
      listRuns: await medianOf(() => store.listRuns({ limit: 20 })),
    },
  };
}

const stores: Record<string, Awaited<ReturnType<typeof measure>>> = {};
const embedded = await openHistory(join(scratch, 'history.sqlite'));
stores.embedded = await measure(embedded);
await embedded.close();
const server = args.postgres ? null : await startPostgres();
try {
  const pg = await openHistory(args.postgres ?? server!.url);
  stores.postgres = await measure(pg);
  await pg.close();
} finally {
  await server?.stop();
}
rmSync(scratch, { recursive: true, force: true });
unRemove();

const report = {
  runs: RUNS, resultsPerRun: perRun, repeat: REPEAT,
  baseline: { what: 'append to a JSONL file; answer by reading it back', insertMs: baselineInsert, queriesMs: baselineQueries },
  stores: Object.fromEntries(Object.entries(stores).map(([k, v]) => [k, {
    insertMs: v.insert, insertPerRunMs: v.insert / RUNS, insertRatio: v.insert / baselineInsert,
    queriesMs: v.queries,
    queryRatios: { lastPass: v.queries.lastPass / baselineQueries.lastPass, timeline: v.queries.timeline / baselineQueries.timeline, runResults: v.queries.runResults / baselineQueries.runResults },
  }])),
};
if (args.json) process.stdout.write(JSON.stringify(report, null, 1) + '\n');
else {
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  const x = (r: number) => `x${r.toFixed(2)}`;
  const out = [`history: ${RUNS} runs of ${perRun} results; queries are medians of ${REPEAT}; ratios against the JSONL baseline measured now`];
  out.push(`  JSONL baseline: insert ${f(baselineInsert)}; last pass ${f(baselineQueries.lastPass)}, timeline ${f(baselineQueries.timeline)}, one run ${f(baselineQueries.runResults)}`);
  for (const [k, s] of Object.entries(report.stores))
    out.push(
      `  ${k.padEnd(8)}: insert ${f(s.insertMs)} (${f(s.insertPerRunMs)} per run, ${x(s.insertRatio)}); last pass ${f(s.queriesMs.lastPass)} (${x(s.queryRatios.lastPass)}), timeline ${f(s.queriesMs.timeline)} (${x(s.queryRatios.timeline)}), one run ${f(s.queriesMs.runResults)} (${x(s.queryRatios.runResults)}), list 20 runs ${f(s.queriesMs.listRuns)}`,
    );
  process.stdout.write(out.join('\n') + '\n');
}
