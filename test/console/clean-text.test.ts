import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { cleanConsoleText, LINUX_PRINTK } from '../../harness/console/clean-text.ts';
import { outputIntact, posixCksum } from '../../harness/console/output-sum.ts';

t.test('escapes, CRs and control characters go; positions map back to the raw text', async (t) => {
  const raw = 'a\x1b[1;32mb\x1b[0m\r\nc\x07\x1b]0;title\x07d';
  const c = cleanConsoleText(raw, 100);
  t.equal(c.text, 'ab\ncd');
  t.equal(c.rawIndex.length, c.text.length + 1);
  for (let i = 0; i < c.text.length; i++) t.equal(raw[c.rawIndex[i] - 100], c.text[i], `char ${i}`);
  t.equal(c.rawIndex[c.text.length], 100 + raw.length, 'end maps to the raw end');
});

t.test('a printk line in the middle of an output line is cut out whole', async (t) => {
  const raw = 'line-1-abc\r\nline-2-ab[   12.345678] pvconform-noise 3\r\ncd\r\nline-3\r\n';
  const c = cleanConsoleText(raw, 0, [LINUX_PRINTK]);
  t.equal(c.text, 'line-1-abc\nline-2-abcd\nline-3\n');
  const without = cleanConsoleText(raw, 0);
  t.match(without.text, /pvconform-noise/, 'and only when asked to');
});

t.test('POSIX cksum agrees with the system cksum', async (t) => {
  for (const size of [0, 1, 255, 256, 65536, 100_001]) {
    const data = randomBytes(size);
    const sys = execFileSync('cksum', { input: data }).toString().trim().split(/\s+/);
    t.same(posixCksum(data), { crc: Number(sys[0]), size: Number(sys[1]) }, `${size} bytes`);
  }
});

t.test('the printed checksum tells intact output from damaged', async (t) => {
  const text = 'hello\nworld\n';
  const { crc, size } = posixCksum(Buffer.from(text));
  t.equal(outputIntact(text, `${crc} ${size}`), true);
  t.equal(outputIntact('helo\nworld\n', `${crc} ${size}`), false);
  t.equal(outputIntact(text, 'b1946ac92492d2347c6235b4d2611184  -'.replace('b1946ac92492d2347c6235b4d2611184', (await import('node:crypto')).createHash('md5').update(text).digest('hex'))), true, 'md5sum form');
  t.equal(outputIntact(text, 'sh: cksum: not found'), null, 'no tool: cannot tell');
});
