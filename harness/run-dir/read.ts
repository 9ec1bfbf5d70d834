// Reads a run directory back: results.jsonl, plan.json and run.json, validated line by line so a
// damaged or foreign file is reported by file, line and field rather than as a broken report.
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { checkResultSchema as checkResult, type CheckResult } from '../core/results.ts';
import { UsageError } from '../core/errors.ts';

const planCell = z.object({
  id: z.string().min(1),
  guest: z.string(),
  hypervisor: z.string(),
  suites: z.array(z.string()),
});

const planFile = z.object({
  v: z.literal(1),
  plan: z.string().min(1),
  source: z.string(),
  cells: z.array(planCell),
  checks: z.array(z.string()),
  shard: z.object({ index: z.number().int().min(1), count: z.number().int().min(1) }).nullable(),
  createdAt: z.string(),
});

const runFile = z.object({
  run: z.string(),
  plan: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  totals: z.object({ pass: z.number(), fail: z.number(), skip: z.number(), error: z.number() }),
  exitCode: z.number().int(),
  /** Planned cells that could not run for lack of their image (absent in older runs: 0). */
  cellsWithoutImage: z.number().int().min(0).optional(),
  allowMissingImages: z.boolean().optional(),
}).loose();

export type PlanFile = z.infer<typeof planFile>;
export type RunFile = z.infer<typeof runFile>;

/** Everything a report needs from one run. plan and summary are null where the files are absent
 *  (a bare results.jsonl, or a run that was killed before it finished). */
export interface RunData {
  /** The run directory, or null when only a results file was given. */
  dir: string | null;
  resultsFile: string;
  results: CheckResult[];
  plan: PlanFile | null;
  summary: RunFile | null;
  /** Problems that did not stop the read, e.g. a last line torn by a killed run. */
  warnings: string[];
}

function fieldOf(issue: z.core.$ZodIssue): string {
  return issue.path.map((p) => String(p)).join('.') || '(whole record)';
}

/** Parses results.jsonl. A torn last line (no newline after it: the writer was killed mid-line)
 *  becomes a warning; any other bad line is a UsageError naming file, line and field. */
export function parseResults(text: string, file: string, warnings: string[] = []): CheckResult[] {
  const lines = text.split('\n');
  const out: CheckResult[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const torn = i === lines.length - 1; // text did not end with a newline
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      if (torn) {
        warnings.push(`${file}:${i + 1}: last line is incomplete (the run was probably interrupted); ignored`);
        return;
      }
      throw new UsageError(`${file}:${i + 1}: not a JSON line. Fix: give a results.jsonl written by pvconform run (one JSON record per line).`);
    }
    const r = checkResult.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new UsageError(`${file}:${i + 1}: field ${fieldOf(issue)}: ${issue.message}. Fix: give a results.jsonl written by pvconform run (record version 1).`);
    }
    out.push(r.data as CheckResult);
  });
  return out;
}

async function readJson<T>(file: string, schema: z.ZodType<T>, what: string): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`${file}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? e}). Fix: check the file's permissions.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`${file}: not valid JSON. Fix: give the ${what} written by pvconform, or remove the damaged file.`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new UsageError(`${file}: field ${fieldOf(issue)}: ${issue.message}. Fix: give the ${what} written by pvconform (version 1).`);
  }
  return r.data;
}

export function readPlan(runDir: string): Promise<PlanFile | null> {
  return readJson(join(runDir, 'plan.json'), planFile, 'plan file');
}

export function readRunSummary(runDir: string): Promise<RunFile | null> {
  return readJson(join(runDir, 'run.json'), runFile, 'run summary');
}

/** Reads a run from its directory, or from a bare results.jsonl (plan.json and run.json are then
 *  looked for beside it only if the file is named results.jsonl). */
export async function readRun(path: string): Promise<RunData> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UsageError(`${path}: no such run directory or results file. Fix: give a directory written by pvconform run (it holds results.jsonl) or a results.jsonl file.`);
  }
  const dir = info.isDirectory() ? path : basename(path) === 'results.jsonl' ? dirname(path) : null;
  const resultsFile = info.isDirectory() ? join(path, 'results.jsonl') : path;
  let text: string;
  try {
    text = await readFile(resultsFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `${path}: has no results.jsonl. Fix: give a directory written by pvconform run, or the path of a results.jsonl.`
        : `${resultsFile}: cannot read (${code ?? e}). Fix: check the file's permissions.`,
    );
  }
  const warnings: string[] = [];
  const results = parseResults(text, resultsFile, warnings);
  const plan = dir === null ? null : await readPlan(dir);
  const summary = dir === null ? null : await readRunSummary(dir);
  return { dir, resultsFile, results, plan, summary, warnings };
}
