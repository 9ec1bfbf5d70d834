// install.conf: each installer question (wording from the transcript, sources cited there) gets
// the intended answer under autoinstall(8)'s matching rule, and nothing answers what we leave
// to the installer's default.
import t from 'tap';
import { installConf, installConfAnswers, type InstallConfOptions } from '../../vm-images/openbsd/install-conf.ts';
import { UsageError } from '../../harness/core/errors.ts';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly pvconform@test';
const opts: InstallConfOptions = {
  hostname: 'pvguest',
  rootPassword: 'S3cret-pw',
  rootKey: KEY,
  testUser: 'pvtest',
  testUserKey: KEY,
  setsServer: '10.0.2.2:40123',
  setsDir: 'pub/OpenBSD/7.8/amd64',
  rootDisk: 'sd0',
};

/** install.sub _autorespond: question and key compared case-insensitively; the key must stand
 *  at the start or after a blank, and be followed by the end, a blank or '?'. The first
 *  matching line answers, and is used up. */
function autorespond(lines: [string, string][], question: string): string | null {
  const q = question.toLowerCase();
  for (let i = 0; i < lines.length; i++) {
    const key = lines[i][0].toLowerCase();
    let at = q.indexOf(key);
    while (at !== -1) {
      const before = at === 0 || /[ \t]/.test(q[at - 1]);
      const after = q.slice(at + key.length);
      if (before && (after === '' || /^[ \t?]/.test(after))) {
        const answer = lines[i][1];
        lines.splice(i, 1);
        return answer;
      }
      at = q.indexOf(key, at + 1);
    }
  }
  return null;
}

// The questions in the order OpenBSD 7.8's installer asks them (test/images/transcripts/
// openbsd-7.8-autoinstall.txt), with the answer we intend; null means the installer's default.
const QUESTIONS: [string, string | null][] = [
  ['Terminal type?', null],
  ["System hostname? (short form, e.g. 'foo')", 'pvguest'],
  ["Network interface to configure? (name, lladdr, '?', or 'done')", null],
  ["IPv4 address for vio0? (or 'autoconf' or 'none')", null],
  ["IPv6 address for vio0? (or 'autoconf' or 'none')", null],
  ["Network interface to configure? (name, lladdr, '?', or 'done')", null],
  ['Password for root account?', 'S3cret-pw'],
  ['Public ssh key for root account?', KEY],
  ['Start sshd(8) by default?', 'yes'],
  ['Do you expect to run the X Window System?', 'no'],
  ['Change the default console to com0?', 'yes'],
  ['Which speed should com0 use?', '115200'],
  ["Setup a user? (enter a lower-case loginname, or 'no')", 'pvtest'],
  ['Full name for user pvtest?', 'pvtest'],
  ['Password for user pvtest?', '*************'],
  ['Public ssh key for user pvtest', KEY],
  ['Allow root ssh login? (yes, no, prohibit-password)', 'prohibit-password'],
  ["What timezone are you in? ('?' for list)", 'UTC'],
  ["Which disk is the root disk? ('?' for details)", 'sd0'],
  ['Encrypt the root disk with a (p)assphrase or (k)eydisk?', null],
  ['Use (W)hole disk MBR, whole disk (G)PT or (E)dit?', 'whole'],
  ['Use (A)uto layout, (E)dit auto layout, or create (C)ustom layout?', 'a'],
  ['Which disk do you wish to initialize?', null],
  ["Location of sets? (disk http nfs or 'done')", 'http'],
  ["HTTP proxy URL? (e.g. 'http://proxy:8080', or 'none')", 'none'],
  ["HTTP Server? (hostname, list#, 'done' or '?')", '10.0.2.2:40123'],
  ['Server directory?', 'pub/OpenBSD/7.8/amd64'],
  ['Unable to connect using https. Use http instead?', 'yes'],
  ["Set name(s)? (or 'abort' or 'done')", 'done'],
  ["Location of sets? (disk http nfs or 'done')", null],
  ["Time appears wrong.  Set to 'Sun Nov 23 10:00:00 UTC 2026'?", null],
  ['Exit to (S)hell, (H)alt or (R)eboot?', 'reboot'],
];

t.test('every question gets the intended answer, in order', async (t) => {
  const lines = installConfAnswers(opts).map(([q, a]) => [q, a] as [string, string]);
  for (const [q, want] of QUESTIONS) t.equal(autorespond(lines, q), want, q);
});

t.test('a failing set is not waved through', async (t) => {
  const lines = installConfAnswers(opts).map(([q, a]) => [q, a] as [string, string]);
  t.equal(autorespond(lines, 'Checksum test for comp78.tgz failed. Continue anyway?'), 'no');
  t.equal(autorespond(lines, 'Unverified sets: comp78.tgz. Continue without verification?'), 'no');
});

t.test('the file is question = answer lines', async (t) => {
  const text = installConf(opts);
  t.ok(text.endsWith('\n'));
  for (const line of text.trimEnd().split('\n')) t.match(line, /^[^=\n]+ = \S/, line);
  t.match(text, /^Public ssh key for root account = ssh-ed25519 AAAA/m);
  t.match(text, /^HTTP Server = 10\.0\.2\.2:40123$/m);
});

t.test('bad input is refused with the field named', async (t) => {
  t.throws(() => installConf({ ...opts, rootKey: 'ssh-ed25519 AAA\nSystem hostname = evil' }), UsageError);
  t.throws(() => installConf({ ...opts, testUser: 'Root' }), /test user "Root"/);
});
