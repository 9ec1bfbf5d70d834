// The history's schema, as numbered migrations applied in order and recorded in
// schema_migrations. The SQL is the common ground of SQLite and PostgreSQL: TEXT, INTEGER,
// BIGINT, composite primary keys, JSON kept as TEXT. Never edit a released migration: add one.

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, cells, results, attempts',
    statements: [
      `CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        plan TEXT NOT NULL,
        source TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        exit_code INTEGER,
        shard TEXT,
        run_dir TEXT,
        harness_version TEXT,
        git_commit TEXT,
        environment TEXT NOT NULL,
        figures TEXT NOT NULL,
        recorded_at TEXT NOT NULL
      )`,
      `CREATE INDEX runs_started ON runs (started_at)`,
      `CREATE TABLE cells (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        cell TEXT NOT NULL,
        guest TEXT NOT NULL,
        hypervisor TEXT NOT NULL,
        suites TEXT NOT NULL,
        PRIMARY KEY (run_id, cell)
      )`,
      // One row per planned check: its final state. A check that failed and then passed on a
      // retry is state 'pass' with flaky = 1; its attempts are in the attempts table.
      `CREATE TABLE results (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        cell TEXT NOT NULL,
        check_id TEXT NOT NULL,
        suite TEXT NOT NULL,
        guest TEXT NOT NULL,
        hypervisor TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pass', 'fail', 'skip', 'error')),
        flaky INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 1,
        message TEXT NOT NULL,
        citation TEXT,
        duration_ms BIGINT NOT NULL,
        started_at TEXT NOT NULL,
        PRIMARY KEY (run_id, cell, check_id)
      )`,
      `CREATE INDEX results_by_check ON results (cell, check_id, state)`,
      `CREATE TABLE attempts (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        cell TEXT NOT NULL,
        check_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        state TEXT NOT NULL,
        message TEXT NOT NULL,
        duration_ms BIGINT NOT NULL,
        PRIMARY KEY (run_id, cell, check_id, attempt)
      )`,
    ],
  },
];
