// Reads node-tap's closing "# { total: .., pass: .., fail: .., skip: .. }" line from a log and
// prints the plain "N passed, N failed, N skipped" line CI counts.
import { readFileSync } from 'node:fs';

const [log, status] = process.argv.slice(2);
const lines = readFileSync(log, 'utf8').split('\n');
const summary = lines.reverse().find((l) => /^#\s*\{\s*total:/.test(l));
if (!summary) {
  // No summary: the runner never got to the end (type errors, a crash). Count it as a failure.
  console.log(`0 passed, ${status === '0' ? 0 : 1} failed`);
} else {
  const n = (k) => Number(new RegExp(`\\b${k}:\\s*(\\d+)`).exec(summary)?.[1] ?? 0);
  const failed = n('fail') + (status !== '0' && n('fail') === 0 ? 1 : 0);
  console.log(`${n('pass')} passed, ${failed} failed, ${n('skip') + n('todo')} skipped`);
}
