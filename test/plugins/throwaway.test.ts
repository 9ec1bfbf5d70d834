// Adding a hypervisor family or a guest OS is one folder and one registration line: a throwaway
// family (test/plugins/throwaway-hv/) and OS (test/plugins/throwaway-os/), registered here only,
// go through the whole path of a run (config file, plan, runPlan/runCell, results, exit code)
// with no VM and no line of harness/ naming them.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMatrix } from '../../harness/config/load.ts';
import { makePlan } from '../../harness/plan/plan.ts';
import { runPlan } from '../../harness/run/run-plan.ts';
import type { Progress } from '../../harness/run/progress.ts';
import type { Check } from '../../harness/core/checks.ts';
import type { CheckResult } from '../../harness/core/results.ts';
import { UsageError } from '../../harness/core/errors.ts';
import { EXIT } from '../../harness/core/exit-codes.ts';
import { expectationCells, providerFamilies } from '../../harness/providers/registry.ts';
import { guestOsNames } from '../../harness/guests/registry.ts';
import { runAllCleanups } from '../../harness/core/cleanup.ts';

const MATRIX = `
hypervisors:
  - name: tw
    provider: throwaway-hv
    flavour: fancy
guests:
  - name: tw-guest
    image: throwaway-1
suites: [virtio.4]
`;

const quiet: Progress = { cellStart() {}, log() {}, notice() {}, result() {}, cellEnd() {} };

t.test('before registration, the family is not a provider a config may name', async (t) => {
  t.notOk(providerFamilies().includes('throwaway-hv'));
  t.throws(() => parseMatrix(MATRIX, 'm.yaml'), UsageError);
  try {
    parseMatrix(MATRIX, 'm.yaml');
  } catch (e) {
    t.match((e as Error).message, /m\.yaml: field hypervisors\[0\]\.provider: .*"qemu", "xen", "hyperv"/, (e as Error).message);
  }
});

t.test('registered, it runs a plan end to end', async (t) => {
  await import('./throwaway-hv/plugin.ts');
  await import('./throwaway-os/plugin.ts');
  t.teardown(runAllCleanups); // the throwaway image's key folder
  t.ok(providerFamilies().includes('throwaway-hv'), 'a family now');
  t.ok(expectationCells().includes('throwaway-hv'), 'an expected-table cell now');
  t.ok(guestOsNames().includes('throwaway-os'), 'a guest OS now');

  const config = parseMatrix(MATRIX, 'm.yaml');
  t.same(config.hypervisors[0], { name: 'tw', provider: 'throwaway-hv', flavour: 'fancy' }, 'its own config schema parsed it');
  t.throws(() => parseMatrix(MATRIX.replace('fancy', 'odd'), 'm.yaml'), /hypervisors\[0\]\.flavour.*"plain", "fancy"/, 'and refuses a bad field by name');

  const plan = await makePlan(config, 'm.yaml');
  // A check of the throwaway OS, stated for the throwaway family, beside virtio.4's (which do not
  // apply to this OS: each must be one skip line, not missing).
  const hello: Check = {
    id: 'throwaway/echo',
    suite: 'throwaway',
    title: 'the guest runs a command and answers',
    citation: { kind: 'source', fact: 'a test-only check', where: 'test/plugins/throwaway.test.ts' },
    requires: { families: ['throwaway-hv'] },
    os: ['throwaway-os'],
    expected: { 'throwaway-hv': 'pass' },
    run: async (ctx) => {
      const r = await ctx.sh.exec('echo "hello from $(uname -s)"');
      return r.code === 0 && r.stdout.startsWith('hello from ') ? { state: 'pass', message: r.stdout.trim() } : { state: 'fail', message: `exit ${r.code}: ${r.stdout}${r.stderr}` };
    },
  };
  for (const c of plan.cells) c.checks = [...c.checks, hello];
  plan.checkIds.push(hello.id);

  const runDir = mkdtempSync(join(tmpdir(), 'pvconform-throwaway-run-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const outcome = await runPlan({ plan, runDir, signal: new AbortController().signal, progress: quiet });
  const results = readFileSync(join(runDir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CheckResult);
  const by = new Map(results.map((r) => [r.check, r]));
  t.equal(by.get('boot/ssh')?.state, 'pass', `boot/ssh: ${by.get('boot/ssh')?.message}`);
  t.match(by.get('boot/ssh')?.message, /throwaway-hv/, 'the offers of the family are reported');
  t.equal(by.get('throwaway/echo')?.state, 'pass', `throwaway/echo: ${by.get('throwaway/echo')?.message}`);
  const virtio = results.filter((r) => r.check.startsWith('virtio.4/'));
  t.ok(virtio.length > 0 && virtio.every((r) => r.state === 'skip' && /does not apply to throwaway-os guests/.test(r.message)), 'virtio.4: one skip line each, with why');
  t.equal(results.length, 1 + plan.checkIds.length, 'every planned check has exactly one result line');
  t.equal(outcome.exitCode, EXIT.ok, 'exit 0');
});
