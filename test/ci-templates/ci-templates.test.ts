// The CI templates: valid YAML with the job shapes the issue asks for, and every pvconform
// command in them is a real command with real options, read from the CLI's own commander
// program (the command modules main.ts lists, registered on a fresh program).
import type { QemuConfig } from '../../harness/providers/qemu/config.ts';
import t, { type Test } from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseDocument } from 'yaml';
import { loadMatrix } from '../../harness/config/load.ts';
import { loadExpectations } from '../../harness/reports/compare/expectations.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const GITHUB = join(ROOT, 'ci/github/pvconform.yml');
const GITLAB = join(ROOT, 'ci/gitlab/pvconform.gitlab-ci.yml');

/** The program as main.ts builds it: every command module it lists, registered afresh. */
async function cliProgram(): Promise<Command> {
  const main = readFileSync(join(ROOT, 'harness/cli/main.ts'), 'utf8');
  const modules = [...main.matchAll(/import\('\.\/commands\/([\w-]+)\.ts'\)/g)].map((m) => m[1]);
  const program = new Command('pvconform');
  for (const m of modules) ((await import(join(ROOT, 'harness/cli/commands', `${m}.ts`))) as { register(p: Command): void }).register(program);
  return program;
}

function loadYaml(file: string): Record<string, unknown> {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
  return doc.toJS() as Record<string, unknown>;
}

/** Shell words of a command line up to the first operator, quotes removed. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /\s*(?:'([^']*)'|"((?:[^"\\]|\\.)*)"|(\|\||&&|;|\||>>|2>|>|&)|((?:[^\s'"|&;>]|'[^']*'|"(?:[^"\\]|\\.)*")+))/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m[3]) break;
    const w = m[1] ?? m[2] ?? m[4] ?? '';
    words.push(w.replace(/^"(.*)"$/, '$1').replace(/"/g, ''));
  }
  return words;
}

/** Every pvconform invocation in a script: the words after `pvconform`. */
function pvconformCalls(script: string): string[][] {
  const lines = script.replace(/\\\n/g, ' ').split('\n');
  const calls: string[][] = [];
  for (const line of lines)
    for (const m of line.matchAll(/(?:^|[\s;&|(])(?:npx\s+|\S*bin\/)pvconform\s+(.*)$/g)) calls.push(shellWords(m[1]));
  return calls;
}

/** What is wrong with one call, or [] when the command and its options exist. */
function problems(program: Command, words: string[]): string[] {
  let cmd = program.commands.find((c) => c.name() === words[0]);
  if (!cmd) return [`"${words[0]}" is not a pvconform command (${program.commands.map((c) => c.name()).join(', ')})`];
  let rest = words.slice(1);
  if (cmd.commands.length > 0) {
    const sub = cmd.commands.find((c) => c.name() === rest[0]);
    if (!sub) return [`"${words[0]} ${rest[0]}" is not a subcommand`];
    cmd = sub;
    rest = rest.slice(1);
  }
  const out: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (!w.startsWith('-')) {
      positional.push(w);
      continue;
    }
    const [flag, inline] = w.split(/=(.*)/s);
    const opt = cmd.options.find((o) => o.long === flag || o.short === flag);
    if (!opt) {
      out.push(`${cmd.name()}: no option ${flag}`);
      continue;
    }
    if ((opt.required || opt.optional) && inline === undefined) {
      if (i + 1 >= rest.length && opt.required) out.push(`${cmd.name()}: ${flag} needs a value`);
      i++;
    }
  }
  const args = cmd.registeredArguments;
  const required = args.filter((a) => a.required).length;
  if (positional.length < required) out.push(`${cmd.name()}: needs ${required} argument(s), got ${positional.length}`);
  if (!args.at(-1)?.variadic && positional.length > args.length) out.push(`${cmd.name()}: takes ${args.length} argument(s), got ${positional.length}: ${positional.join(' ')}`);
  return out;
}

function optionValue(words: string[], flag: string): string | undefined {
  const i = words.indexOf(flag);
  return i >= 0 ? words[i + 1] : words.find((w) => w.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/** Files the calls name (--config, --expectations) exist and load; a hosts/*.yaml may exist as
 *  its .example twin, which the README tells users to copy. */
async function filesLoad(t: Test, calls: string[][]) {
  for (const words of calls) {
    const config = optionValue(words, '--config') ?? optionValue(words, '-c');
    if (config) {
      const file = existsSync(join(ROOT, config)) ? config : config.replace(/\.yaml$/, '.example.yaml');
      t.ok(existsSync(join(ROOT, file)), `${config} (or its .example) exists`);
      await t.resolves(loadMatrix(join(ROOT, file)), `${file} is a valid matrix`);
    }
    const exp = optionValue(words, '--expectations');
    if (exp) await t.resolves(loadExpectations(join(ROOT, exp)), `${exp} is a valid expectations file`);
  }
}

const program = await cliProgram();

t.test('the checker itself catches a wrong command, option or argument count', async (t) => {
  const bad = (line: string) => pvconformCalls(line).flatMap((w) => problems(program, w));
  t.same(bad('npx pvconform run --config c.yaml --shard 1/2 --out o'), []);
  t.match(bad('npx pvconform frobnicate x'), [/"frobnicate" is not a pvconform command/]);
  t.match(bad('npx pvconform run --shardd 1/2'), [/run: no option --shardd/]);
  t.match(bad('bin/pvconform compare only-one'), [/compare: needs 2 argument/]);
  t.match(bad('npx pvconform images frob linux-ref'), [/"images frob" is not a subcommand/]);
  t.same(pvconformCalls('code=0\nnpx pvconform run --out "out/kvm-${{ matrix.shard }}" || code=$?'), [['run', '--out', 'out/kvm-${{ matrix.shard }}']]);
});

t.test('GitHub Actions workflow', async (t) => {
  const wf = loadYaml(GITHUB);
  const jobs = wf.jobs as Record<string, Record<string, unknown>>;
  t.ok(wf.on, 'has triggers');
  t.same(Object.keys(jobs).sort(), ['hyperv', 'images', 'kvm', 'report', 'xen']);
  const calls: Record<string, string[][]> = {};
  for (const [name, job] of Object.entries(jobs)) {
    t.ok(job['runs-on'], `${name}: runs-on`);
    const steps = job.steps as Record<string, unknown>[];
    t.ok(Array.isArray(steps) && steps.length > 0, `${name}: steps`);
    for (const s of steps) t.ok(('uses' in s) !== ('run' in s), `${name}: each step either uses an action or runs a script`);
    calls[name] = steps.flatMap((s) => (typeof s.run === 'string' ? pvconformCalls(s.run) : []));
    for (const c of calls[name]) t.same(problems(program, c), [], `${name}: pvconform ${c.join(' ')}`);
    await filesLoad(t, calls[name]);
    for (const s of steps) if (typeof s.run === 'string') t.notMatch(s.run, /node\s+\S*harness\/|tsx\s/, `${name}: calls only the CLI`);
  }
  // One job per shard on KVM runners; its --shard names the matrix entry and the job count.
  const kvm = jobs.kvm as { strategy: { matrix: { shard: number[] } }; container?: { options?: string } };
  const shards = kvm.strategy.matrix.shard;
  t.same(shards, Array.from({ length: shards.length }, (_, i) => i + 1), 'shards 1..n');
  t.ok(shards.length >= 2, 'more than one shard');
  t.match(kvm.container?.options, /--device \/dev\/kvm/, 'KVM passed into the job');
  t.same(calls.kvm.find((c) => c[0] === 'run')?.[calls.kvm.find((c) => c[0] === 'run')!.indexOf('--shard') + 1], '${{ matrix.shard }}/${{ strategy.job-total }}');
  // The BSD images: one clearly named job each, cached by a recipe-and-media key, a failed build
  // uploading its transcript; the shards need them and refuse to run without them.
  const images = jobs.images as { name: string; strategy: { matrix: { image: string[] } }; steps: Record<string, unknown>[] };
  t.same(images.strategy.matrix.image, ['openbsd-7.8', 'netbsd-10.1']);
  t.match(images.name, /build image \$\{\{ matrix\.image \}\}/);
  t.match(JSON.stringify(images.steps), /ci\/scripts\/image-cache-key\.sh/, 'images: cache key from the recipe and media');
  const transcript = images.steps.find((s) => String(s.uses).startsWith('actions/upload-artifact'));
  t.equal(transcript?.if, 'failure()', 'images: the build transcript is uploaded when the build fails');
  t.match(JSON.stringify(transcript?.with), /\.cache\/images\/logs/);
  t.ok(calls.images.some((c) => c[0] === 'images' && c[1] === 'build'), 'images: builds with pvconform');
  t.same((jobs.kvm as { needs: string[] }).needs, ['images'], 'kvm: after the images');
  const restores = (jobs.kvm.steps as Record<string, unknown>[]).filter((s) => String(s.uses).startsWith('actions/cache/restore'));
  t.equal(restores.length, 2, 'kvm: restores both BSD images');
  for (const r of restores) t.equal((r.with as Record<string, unknown>)['fail-on-cache-miss'], true, 'kvm: a missing image fails the job');
  t.ok(calls.kvm.some((c) => c[0] === 'doctor' && c.includes('--config')), 'kvm: doctor gates the run on every cell being runnable');
  for (const host of ['xen', 'hyperv']) {
    t.same(jobs[host]['runs-on'], ['self-hosted', 'linux', host], `${host}: a self-hosted runner labelled ${host}`);
    t.match(jobs[host].if, new RegExp(`vars\\.PVCONFORM_${host.toUpperCase()} == 'true'`), `${host}: only where such a runner exists`);
  }
  for (const name of ['kvm', 'xen', 'hyperv']) {
    const upload = (jobs[name].steps as Record<string, unknown>[]).find((s) => String(s.uses).startsWith('actions/upload-artifact'));
    t.equal(upload?.if, 'always()', `${name}: uploads its run directory even when checks fail`);
  }
  // The merge job: after all, merges, judges, writes the job summary and uploads the HTML.
  const report = jobs.report as { needs: string[]; if: string; steps: Record<string, unknown>[] };
  t.same(report.needs, ['kvm', 'xen', 'hyperv']);
  t.equal(report.if, 'always()');
  t.ok(calls.report.some((c) => c[0] === 'merge'), 'report: merges the shards');
  t.ok(calls.report.some((c) => c[0] === 'compare' && c.includes('--summary-md')), 'report: compares with the baseline and writes Markdown');
  t.match(report.steps.map((s) => s.run ?? '').join('\n'), /\$GITHUB_STEP_SUMMARY/, 'report: the job summary');
  const uploaded = report.steps.find((s) => String(s.uses).startsWith('actions/upload-artifact'))?.with as { path: string };
  t.match(uploaded.path, /report\.html/, 'report: uploads the HTML');
});

t.test('GitLab CI equivalent', async (t) => {
  const ci = loadYaml(GITLAB);
  const stages = ci.stages as string[];
  const defs = Object.fromEntries(Object.entries(ci).filter(([k]) => !['stages', 'variables', 'include', 'default', 'workflow'].includes(k))) as Record<string, Record<string, unknown>>;
  const resolved = (name: string): Record<string, unknown> => {
    const job = defs[name];
    t.ok(job, `${name} is defined`);
    const parent = typeof job.extends === 'string' ? resolved(job.extends) : {};
    return { ...parent, ...job };
  };
  const jobs = Object.keys(defs).filter((k) => !k.startsWith('.'));
  t.same(jobs.sort(), ['pvconform-hyperv', 'pvconform-image-build', 'pvconform-kvm', 'pvconform-report', 'pvconform-xen']);
  const calls: Record<string, string[][]> = {};
  for (const name of jobs) {
    const job = resolved(name);
    t.ok(stages.includes(job.stage as string), `${name}: stage ${job.stage} is declared`);
    const lines = ['before_script', 'script', 'after_script'].flatMap((k) => (Array.isArray(job[k]) ? (job[k] as string[]) : []));
    t.ok(lines.length > 0, `${name}: has a script`);
    calls[name] = lines.flatMap((l) => pvconformCalls(l));
    for (const c of calls[name]) t.same(problems(program, c), [], `${name}: pvconform ${c.join(' ')}`);
    await filesLoad(t, calls[name]);
    for (const l of lines) t.notMatch(l, /node\s+\S*harness\/|tsx\s/, `${name}: calls only the CLI`);
  }
  const kvm = resolved('pvconform-kvm');
  t.ok(Number(kvm.parallel) >= 2, 'KVM: parallel shards');
  t.same(kvm.tags, ['kvm']);
  t.ok(calls['pvconform-kvm'].some((c) => c[0] === 'run' && c.includes('$CI_NODE_INDEX/$CI_NODE_TOTAL')), 'KVM: --shard from the parallel index');
  const build = resolved('pvconform-image-build') as { parallel: { matrix: { IMAGE: string[] }[] }; artifacts: { when: string; paths: string[] } };
  t.same(build.parallel.matrix[0].IMAGE, ['openbsd-7.8', 'netbsd-10.1']);
  t.equal(build.artifacts.when, 'on_failure', 'image build: keeps the transcript when it fails');
  t.ok(build.artifacts.paths.includes('.cache/images/logs/'));
  t.same(kvm.needs, ['pvconform-image-build'], 'KVM: after the images');
  t.ok(calls['pvconform-kvm'].some((c) => c[0] === 'doctor' && c.includes('--config')), 'KVM: doctor gates the run');
  for (const host of ['xen', 'hyperv']) {
    const job = resolved(`pvconform-${host}`);
    t.same(job.tags, [host], `${host}: runner tagged ${host}`);
    t.match(JSON.stringify(job.rules), `PVCONFORM_${host.toUpperCase()}`, `${host}: switched on by a variable`);
  }
  const report = resolved('pvconform-report') as { when: string; needs: { job: string }[]; artifacts: { paths: string[] } };
  t.equal(report.when, 'always');
  t.same(report.needs.map((n) => n.job), ['pvconform-kvm', 'pvconform-xen', 'pvconform-hyperv']);
  t.ok(calls['pvconform-report'].some((c) => c[0] === 'merge'), 'report: merges');
  t.ok(calls['pvconform-report'].some((c) => c[0] === 'compare'), 'report: compares');
  t.ok(report.artifacts.paths.includes('runs/'), 'report: keeps the merged runs with report.html');
});

t.test('the KVM matrix runs every seed suite on every guest, plain and enlightened', async (t) => {
  const { config } = await loadMatrix(join(ROOT, 'ci/matrix-kvm.yaml'));
  t.same(config.guests.map((g) => g.name), ['linux-ref', 'openbsd-7.8', 'netbsd-10.1']);
  for (const suite of ['virtio.4', 'pvbus.4', 'hostctl.8', 'hyperv.4', 'xen.4', 'xenbus.4']) t.ok(config.suites.includes(suite), suite);
  const qemu = config.hypervisors.filter((h) => h.provider === 'qemu') as QemuConfig[];
  t.ok(qemu.some((h) => h.hyperv), 'an enlightened variant');
  t.ok(qemu.some((h) => !h.hyperv), 'a plain variant');
});
