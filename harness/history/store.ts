// The history store: records runs and answers the questions a run is judged by (the last time a
// check passed in a cell, a check's states over time, a run's results), over either driver.
import type { CheckResult, Citation, State } from '../core/results.ts';
import { UsageError } from '../core/errors.ts';
import type { SqlDriver, SqlValue } from './driver.ts';
import { migrate } from './migrate.ts';
import type { CheckTimeline, RunRecord, RunSummary } from './records.ts';

/** Rows per multi-row INSERT: well inside SQLite's and PostgreSQL's parameter limits. */
const ROWS_PER_INSERT = 200;

interface ResultRow {
  run_id: string;
  plan: string;
  cell: string;
  check_id: string;
  suite: string;
  guest: string;
  hypervisor: string;
  state: State;
  flaky: number | string;
  message: string;
  citation: string | null;
  duration_ms: number | string;
  started_at: string;
}

const RESULT_COLUMNS = 'r.run_id, runs.plan, r.cell, r.check_id, r.suite, r.guest, r.hypervisor, r.state, r.flaky, r.message, r.citation, r.duration_ms, r.started_at';

function toCheckResult(row: ResultRow): CheckResult & { flaky: boolean } {
  return {
    v: 1,
    run: row.run_id,
    plan: row.plan,
    cell: row.cell,
    guest: row.guest,
    hypervisor: row.hypervisor,
    check: row.check_id,
    suite: row.suite,
    state: row.state,
    message: row.message,
    citation: row.citation === null ? null : (JSON.parse(row.citation) as Citation),
    durationMs: Number(row.duration_ms),
    startedAt: row.started_at,
    artifacts: [],
    flaky: Number(row.flaky) === 1,
  };
}

async function insertRows(db: SqlDriver, table: string, columns: string[], rows: SqlValue[][]): Promise<void> {
  const one = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    await db.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => one).join(', ')}`, chunk.flat());
  }
}

/** WHERE terms for an optional cell and check, over `results r`. */
function cellCheckFilter(filter: { cell?: string; check?: string }): { where: string[]; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.cell) {
    where.push('r.cell = ?');
    params.push(filter.cell);
  }
  if (filter.check) {
    where.push('r.check_id = ?');
    params.push(filter.check);
  }
  return { where, params };
}

export class HistoryStore {
  private constructor(readonly db: SqlDriver) {}

  /** Wraps an open driver, bringing its schema up to date. */
  static async over(db: SqlDriver): Promise<HistoryStore> {
    await migrate(db);
    return new HistoryStore(db);
  }

  get where(): string {
    return `${this.db.kind} ${this.db.where}`;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** Records a run; recording the same run again replaces it (a re-read run directory). */
  async record(run: RunRecord): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const t of ['attempts', 'results', 'cells', 'runs']) await tx.run(`DELETE FROM ${t} WHERE ${t === 'runs' ? 'id' : 'run_id'} = ?`, [run.id]);
      await tx.run(
        `INSERT INTO runs (id, plan, source, started_at, finished_at, exit_code, shard, run_dir, harness_version, git_commit, environment, figures, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          run.id, run.plan, run.source, run.startedAt, run.finishedAt, run.exitCode,
          run.shard ? `${run.shard.index}/${run.shard.count}` : null, run.runDir,
          run.environment.harnessVersion, run.environment.gitCommit,
          JSON.stringify(run.environment), JSON.stringify(run.figures), new Date().toISOString(),
        ],
      );
      await insertRows(tx, 'cells', ['run_id', 'cell', 'guest', 'hypervisor', 'suites'], run.cells.map((c) => [run.id, c.id, c.guest, c.hypervisor, JSON.stringify(c.suites)]));
      await insertRows(
        tx,
        'results',
        ['run_id', 'cell', 'check_id', 'suite', 'guest', 'hypervisor', 'state', 'flaky', 'attempts', 'message', 'citation', 'duration_ms', 'started_at'],
        run.results.map((r) => [
          run.id, r.cell, r.check, r.suite, r.guest, r.hypervisor, r.state, r.flaky ? 1 : 0, Math.max(1, r.attempts.length), r.message,
          r.citation ? JSON.stringify(r.citation) : null, r.durationMs, r.startedAt,
        ]),
      );
      await insertRows(
        tx,
        'attempts',
        ['run_id', 'cell', 'check_id', 'attempt', 'state', 'message', 'duration_ms'],
        run.results.flatMap((r) => r.attempts.map((a) => [run.id, r.cell, r.check, a.attempt, a.state, a.message, a.durationMs])),
      );
    });
  }

  /** Runs, newest first, with their counts; only runs that have the cell or check when given. */
  async listRuns(filter: { cell?: string; check?: string; limit?: number } = {}): Promise<RunSummary[]> {
    const { where, params } = cellCheckFilter(filter);
    const rows = await this.db.all<{ id: string; plan: string; started_at: string; exit_code: number | null; git_commit: string | null; state: State; n: number | string; flaky: number | string }>(
      `SELECT runs.id, runs.plan, runs.started_at, runs.exit_code, runs.git_commit, r.state, COUNT(*) AS n, SUM(r.flaky) AS flaky
       FROM runs JOIN results r ON r.run_id = runs.id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       GROUP BY runs.id, runs.plan, runs.started_at, runs.exit_code, runs.git_commit, r.state
       ORDER BY runs.started_at DESC, runs.id DESC`,
      params,
    );
    const byRun = new Map<string, RunSummary>();
    for (const row of rows) {
      let s = byRun.get(row.id);
      if (!s) {
        s = { id: row.id, plan: row.plan, startedAt: row.started_at, exitCode: row.exit_code === null ? null : Number(row.exit_code), gitCommit: row.git_commit, counts: { pass: 0, fail: 0, skip: 0, error: 0 }, flaky: 0 };
        byRun.set(row.id, s);
      }
      s.counts[row.state] += Number(row.n);
      s.flaky += Number(row.flaky);
    }
    return [...byRun.values()].slice(0, filter.limit ?? Infinity);
  }

  /** Each matching check's states over its last `limit` runs, oldest first, with its flip rate. */
  async timelines(filter: { cell?: string; check?: string; limit?: number } = {}): Promise<CheckTimeline[]> {
    const { where, params } = cellCheckFilter(filter);
    params.push(filter.limit ?? 20);
    const rows = await this.db.all<{ cell: string; check_id: string; run_id: string; started_at: string; state: State; flaky: number | string }>(
      `SELECT cell, check_id, run_id, started_at, state, flaky FROM (
         SELECT r.cell, r.check_id, r.run_id, runs.started_at, r.state, r.flaky,
                ROW_NUMBER() OVER (PARTITION BY r.cell, r.check_id ORDER BY runs.started_at DESC, runs.id DESC) AS back
         FROM results r JOIN runs ON runs.id = r.run_id
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ) recent WHERE back <= ?
       ORDER BY cell, check_id, started_at, run_id`,
      params,
    );
    const out = new Map<string, CheckTimeline>();
    for (const row of rows) {
      const key = `${row.cell}\u0000${row.check_id}`;
      let t = out.get(key);
      if (!t) {
        t = { cell: row.cell, check: row.check_id, states: [], flipRate: 0, flakyRuns: 0 };
        out.set(key, t);
      }
      t.states.push({ run: row.run_id, startedAt: row.started_at, state: row.state, flaky: Number(row.flaky) === 1 });
    }
    for (const t of out.values()) Object.assign(t, flips(t.states));
    return [...out.values()];
  }

  /** For each cell and check, its result in the newest run where it passed (the baseline of
   *  `--baseline last-pass`). Only the given cells when listed. */
  async lastPasses(cells?: string[]): Promise<CheckResult[]> {
    const params: SqlValue[] = cells ?? [];
    const rows = await this.db.all<ResultRow>(
      `SELECT * FROM (
         SELECT ${RESULT_COLUMNS},
                ROW_NUMBER() OVER (PARTITION BY r.cell, r.check_id ORDER BY runs.started_at DESC, runs.id DESC) AS back
         FROM results r JOIN runs ON runs.id = r.run_id
         WHERE r.state = 'pass'${cells ? ` AND r.cell IN (${cells.map(() => '?').join(', ') || "''"})` : ''}
       ) passes WHERE back = 1
       ORDER BY cell, check_id`,
      params,
    );
    return rows.map(toCheckResult);
  }

  /** A run's results (final states, flaky marked). `latest` is the newest run; an id may be
   *  shortened to any unique prefix. */
  async runResults(ref: string): Promise<{ id: string; results: Array<CheckResult & { flaky: boolean }> }> {
    const id = await this.resolveRun(ref);
    const rows = await this.db.all<ResultRow>(`SELECT ${RESULT_COLUMNS} FROM results r JOIN runs ON runs.id = r.run_id WHERE r.run_id = ? ORDER BY r.cell, r.check_id`, [id]);
    return { id, results: rows.map(toCheckResult) };
  }

  async resolveRun(ref: string): Promise<string> {
    const rows =
      ref === 'latest'
        ? await this.db.all<{ id: string }>('SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT 1')
        : await this.db.all<{ id: string }>('SELECT id FROM runs WHERE id = ? OR id LIKE ? ORDER BY id LIMIT 3', [ref, `${ref.replace(/[%_\\]/g, '')}%`]);
    const exact = rows.find((r) => r.id === ref);
    if (exact) return exact.id;
    if (rows.length === 1) return rows[0].id;
    if (rows.length === 0)
      throw new UsageError(`${ref}: no such run directory or results file, and no run ${ref} in the history (${this.where}). Fix: give a run directory, or a run id listed by pvconform history.`);
    throw new UsageError(`history ${this.where}: ${ref} names more than one run (${rows.map((r) => r.id).join(', ')}). Fix: give more of the id.`);
  }

  async environmentOf(ref: string): Promise<unknown> {
    const id = await this.resolveRun(ref);
    const rows = await this.db.all<{ environment: string }>('SELECT environment FROM runs WHERE id = ?', [id]);
    return JSON.parse(rows[0].environment);
  }
}

/** Flip rate: of the runs where the check ran (not skipped), the share whose outcome differs from
 *  the run before, or that flipped within the run (failed, then passed on a retry). */
export function flips(states: CheckTimeline['states']): { flipRate: number; flakyRuns: number } {
  const ran = states.filter((s) => s.state !== 'skip');
  let flipsSeen = 0;
  let flakyRuns = 0;
  ran.forEach((s, i) => {
    if (s.flaky) flakyRuns++;
    const changed = i > 0 && (ran[i - 1].state === 'pass') !== (s.state === 'pass');
    if (s.flaky || changed) flipsSeen++;
  });
  return { flipRate: ran.length === 0 ? 0 : flipsSeen / ran.length, flakyRuns };
}
