// The check definitions themselves: ids, the sentences they cite (present in ../shared/man),
// the expectation they state per hypervisor, and the skips their requirements give.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { unmetRequirement, type GuestOs } from '../../harness/core/checks.ts';
import type { Offers } from '../../harness/core/offers.ts';
import type { DocumentedCheck } from '../../suites/probe/check-kit.ts';
import { locateCitation } from '../../harness/reports/html/locate-citation.ts';
import { expectationCells } from '../../harness/providers/registry.ts';
import '../../harness/providers/index.ts';

const SUITES = ['pvbus.4', 'hostctl.8', 'hyperv.4', 'xen.4', 'xenbus.4'];
const suites: Record<string, DocumentedCheck[]> = {};
for (const s of SUITES) suites[s] = ((await import(`../../suites/${s}/index.ts`)) as { checks: DocumentedCheck[] }).checks;
const all = Object.values(suites).flat();

/** A page's words as a reader sees them: source-viewer line numbers and mdoc macros dropped,
 *  ".Xr hostctl 8" as "hostctl(8)", ".Nm" as the page's name, spaces before punctuation closed. */
function rendered(file: string, name: string): string {
  return readFileSync(new URL(`../../../shared/${file}`, import.meta.url), 'utf8')
    .replace(/(^|\s)\d+(?=\.[A-Z][a-z]|\.\\"|[A-Za-z"])/g, '$1')
    .replace(/\.Xr (\S+) (\d)/g, '$1($2)')
    .replace(/\.Nm\b/g, name)
    .replace(/\.(?:Em|Sy|Ar|Fa|Dv|Pa|Ql|Dq|Cd|Pp|Sh|Ss|It|Bl|El|Bd|Ed|Nd|Ox|Nx)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/ ([,.:;])/g, '$1');
}

t.test('every check is named, placed and explained', async (t) => {
  const ids = new Set<string>();
  for (const [suite, checks] of Object.entries(suites)) {
    t.ok(checks.length > 0, `${suite} has checks`);
    for (const c of checks) {
      t.equal(c.suite, suite, `${c.id}: suite`);
      t.ok(c.id.startsWith(`${suite}/`) && /^[a-z0-9.-]+\/[a-z0-9-]+$/.test(c.id), `${c.id}: id is <suite>/<name>`);
      t.notOk(ids.has(c.id), `${c.id}: unique`);
      ids.add(c.id);
      t.ok(c.title.length > 10, `${c.id}: title`);
      t.ok(c.os.length > 0 && c.os.every((os) => os === 'openbsd' || os === 'netbsd'), `${c.id}: BSD guests only`);
      // The expected result on each kind of hypervisor is part of the definition, named as the
      // registered families name their cells (a misspelt or unregistered name is caught here).
      t.ok(Object.keys(c.expected).length > 0, `${c.id}: states what it expects`);
      const unknown = Object.keys(c.expected).filter((k) => !expectationCells().includes(k));
      t.same(unknown, [], `${c.id}: expectation keys are registered cells (${expectationCells().join(', ')})`);
    }
  }
});

t.test('every manual citation is a sentence of the page in shared/man', async (t) => {
  for (const c of all) {
    if (c.citation.kind !== 'man') continue;
    const text = rendered(c.citation.file, c.citation.page.replace(/\.\d$/, ''));
    t.ok(text.includes(c.citation.sentence.replace(/\s+/g, ' ')), `${c.id}: "${c.citation.sentence}" is in ${c.citation.file}`);
    // The HTML report highlights the sentence in the page: it must find it too.
    const raw = readFileSync(new URL(`../../../shared/${c.citation.file}`, import.meta.url), 'utf8');
    t.ok(locateCitation(raw, c.citation.sentence), `${c.id}: the report locates the sentence`);
  }
});

t.test('every source citation names its fact and where it comes from', async (t) => {
  for (const c of all) {
    if (c.citation.kind !== 'source') continue;
    t.ok(c.citation.fact.length > 20, `${c.id}: fact`);
    t.match(c.citation.where, /guest-facts\.md §\d/, `${c.id}: where`);
  }
  // hostctl.8 is not in shared/man: its sentences are quoted as such, never passed off as a page there.
  for (const c of suites['hostctl.8']) t.equal(c.citation.kind, 'source', `${c.id}: hostctl.8 cited as source`);
});

const offers = (o: Partial<Offers>): Offers => ({ family: 'qemu', accel: 'kvm', interfaces: ['KVM'], virtio: [], kvStore: null, nics: [{ mac: '52:54:00:12:34:56' }], ...o });
const KVM = offers({});
const TCG = offers({ accel: 'tcg', interfaces: [] });
const XEN = offers({ family: 'xen', accel: undefined, interfaces: ['Xen'], kvStore: 'xenstore' });
const HYPERV = offers({ family: 'hyperv', accel: undefined, interfaces: ['Hyper-V'], kvStore: 'hyperv-kvp' });
const byId = (id: string) => all.find((c) => c.id === id)!;
const unmet = (id: string, os: GuestOs, o: Offers, hostKv = false) => unmetRequirement(byId(id), os, o, hostKv);

t.test('requirements make skips with reasons', async (t) => {
  t.match(unmet('pvbus.4/attach-line', 'linux', KVM), /does not apply to linux guests/);
  t.match(unmet('xenbus.4/read', 'openbsd', XEN), /does not apply to openbsd/);
  t.match(unmet('xen.4/attach', 'openbsd', KVM), /needs a xen hypervisor/);
  t.match(unmet('hyperv.4/pool-listing', 'openbsd', XEN), /needs a hyperv hypervisor/);
  t.match(unmet('pvbus.4/kv-enxio-without-store', 'openbsd', XEN), /the KVM interface is not offered/);
  t.match(unmet('pvbus.4/kv-enxio-without-store', 'openbsd', TCG), /guest can detect: none/);
  // Host halves: skip where the provider has no host-side access, run where it has.
  t.match(unmet('hyperv.4/guest-key-seen-by-host', 'openbsd', HYPERV, false), /no host-side access/);
  t.equal(unmet('hyperv.4/guest-key-seen-by-host', 'openbsd', HYPERV, true), null);
  t.match(unmet('xen.4/xenserver-properties-seen-by-host', 'openbsd', XEN, false), /no host-side access/);
  t.match(unmet('xenbus.4/write-seen-by-host', 'netbsd', XEN, false), /no host-side access/);
  // What applies.
  t.equal(unmet('pvbus.4/attach-line', 'openbsd', TCG), null);
  t.equal(unmet('xen.4/vif-mac', 'openbsd', XEN), null);
  t.equal(unmet('xenbus.4/read', 'netbsd', XEN), null);
  t.equal(unmet('hyperv.4/auto-values', 'openbsd', HYPERV), null);
});

t.test('the pages a run reads (man/ in this checkout) are the shared reference copies', async (t) => {
  for (const file of new Set(all.filter((c) => c.citation.kind === 'man').map((c) => (c.citation.kind === 'man' ? c.citation.file : '')))) {
    const ours = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
    t.equal(ours, readFileSync(new URL(`../../../shared/${file}`, import.meta.url), 'utf8'), `${file} matches shared/${file}`);
  }
});
