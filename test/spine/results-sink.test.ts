// results.jsonl on a full disk, for real (a small tmpfs): the write that does not fit is undone
// back to the last whole line, and the error names the folder and says why, as an OutputError.
import t from 'tap';
import { execa } from 'execa';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResultSink } from '../../harness/results/sink.ts';
import { OutputError } from '../../harness/core/errors.ts';
import type { CheckResult } from '../../harness/core/results.ts';
import { scratch } from '../helpers/cli.ts';

const canMount = process.getuid?.() === 0;

for (const kib of [16, 64])
  t.test(`a ${kib} KiB disk fills up`, { skip: !canMount && 'needs root to mount a tmpfs' }, async (t) => {
    const dir = join(scratch(t), 'out');
    mkdirSync(dir);
    await execa('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir]);
    t.teardown(() => execa('umount', ['-l', dir], { reject: false }));
    const sink = new ResultSink(dir);
    const result = (i: number): CheckResult => ({
      v: 1, run: 'r', plan: 'p', cell: 'c', guest: 'g', hypervisor: 'h', check: `s/check-${i}`, suite: 's', state: 'pass',
      // Lines of uneven length, so the one that does not fit is usually cut in the middle.
      message: 'x'.repeat(300 + ((i * 37) % 500)), citation: null, durationMs: 1, startedAt: new Date(0).toISOString(), artifacts: [],
    });
    let error: unknown = null;
    let written = 0;
    for (let i = 0; i < 10_000 && !error; i++) {
      try {
        sink.add(result(i));
        written++;
      } catch (e) {
        error = e;
      }
    }
    sink.close();
    t.ok(error instanceof OutputError, `an OutputError (${String(error)})`);
    t.match(String((error as Error).message), new RegExp(`^cannot write results to ${dir}: no space left on the device`), 'names the folder and why');
    const text = readFileSync(join(dir, 'results.jsonl'), 'utf8');
    t.ok(text.endsWith('\n'), 'the file ends with a whole line');
    const lines = text.split('\n').filter(Boolean);
    t.equal(lines.length, written, `every result that was accepted is on disk (${written}), and nothing else`);
    t.ok(lines.every((l) => JSON.parse(l)), 'every line is valid JSON');
    t.equal(sink.results.length, written, 'the in-memory results agree with the file');
  });
