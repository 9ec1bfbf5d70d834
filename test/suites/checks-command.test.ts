// `pvconform checks`: the real CLI lists every check in the catalog; the listing helpers show each
// BSD suite's checks with citation, requirements and guest OSes.
import t from 'tap';
import { execa } from 'execa';
import { allChecks } from '../../harness/suites/catalog.ts';
import { listing, renderText, selectSuite, describeRequirements, type CheckListing } from '../../harness/cli/commands/checks.ts';
import { UsageError } from '../../harness/core/errors.ts';
import type { DocumentedCheck } from '../../suites/probe/check-kit.ts';

// Each CLI start loads every suite: give the two runs room on a busy machine.
t.setTimeout(90_000);

const BIN = new URL('../../bin/pvconform', import.meta.url).pathname;
const SUITES = ['pvbus.4', 'hostctl.8', 'hyperv.4', 'xen.4', 'xenbus.4'];

t.test('pvconform checks --json lists every catalog check with its citation, requirements and OSes', async (t) => {
  const r = await execa(BIN, ['checks', '--json'], { reject: false });
  t.equal(r.exitCode, 0, r.stderr);
  const listed = JSON.parse(r.stdout) as CheckListing[];
  const catalog = await allChecks();
  t.same(listed.map((c) => c.id), catalog.map((c) => c.id));
  for (const c of listed) {
    t.ok(c.id && c.suite && c.title, c.id);
    t.ok(c.citation.kind === 'man' ? c.citation.sentence && c.citation.page : c.citation.fact && c.citation.where, `${c.id}: citation`);
    t.type(c.requires, 'object');
    t.ok(c.os.length > 0, `${c.id}: os`);
  }
  // Once the catalog imports the BSD suites, their expectation tables come along.
  for (const c of listed.filter((c) => SUITES.includes(c.suite))) t.ok(c.expected, `${c.id}: expected per hypervisor`);
});

t.test('text output and --suite', async (t) => {
  t.match(renderText((await allChecks()).map(listing)), /\n\d+ checks? in \d+ suites?\n$/);
  const bad = await execa(BIN, ['checks', '--suite', 'no-such-suite'], { reject: false });
  t.equal(bad.exitCode, 1);
  t.match(bad.stderr, /--suite no-such-suite: no such suite\. Known suites: /);
});

t.test('the BSD suites as the listing shows them', async (t) => {
  const checks: DocumentedCheck[] = [];
  for (const s of SUITES) checks.push(...((await import(`../../suites/${s}/index.ts`)) as { checks: DocumentedCheck[] }).checks);
  const listed = checks.map(listing);
  const text = renderText(listed);
  for (const c of listed) {
    t.match(text, `  ${c.id}  [${c.os.join(', ')}]`);
    t.ok(c.expected && Object.keys(c.expected).length === 4, `${c.id}: expected carried over`);
  }
  t.match(text, /pvbus\.4\/attach-line  \[openbsd\]\n.*\n    cites:    pvbus\.4: "The pvbus driver is responsible/);
  t.match(text, /hostctl\.8\/quiet-flag.*\n.*\n    cites:    source fact \(hostctl\.8 revs 1\.2-1\.5/);
  t.match(text, /expect hyperv: fail: hypervic\.c wants at least 1024 bytes/);
  t.equal(describeRequirements({ families: ['xen'], kvStore: 'xenstore', hostKv: true }), 'hypervisor xen; store xenstore; host-side key/value access');
  t.equal(describeRequirements({}), 'none');
  t.equal(selectSuite(listed, 'xen.4').length, checks.filter((c) => c.suite === 'xen.4').length);
  t.throws(() => selectSuite(listed, 'xen.5'), UsageError);
});
