// Checksums the guest prints beside a command's output, so the driver can tell output that
// crossed the serial line intact from output a kernel message damaged (on Linux's 8250 console
// a printk in the middle of tty output can repeat a character; see test/console/linux-ref).
import { createHash } from 'node:crypto';

// POSIX cksum: CRC-32 with polynomial 0x04C11DB7, most significant bit first, over the data
// and then the length in as few octets as needed, least significant first; result inverted.
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let j = 0; j < 8; j++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function posixCksum(data: Buffer): { crc: number; size: number } {
  let crc = 0;
  const update = (b: number) => {
    crc = ((crc << 8) ^ TABLE[((crc >>> 24) ^ b) & 0xff]) >>> 0;
  };
  for (const b of data) update(b);
  for (let n = data.length; n > 0; n = Math.floor(n / 256)) update(n & 0xff);
  return { crc: ~crc >>> 0, size: data.length };
}

/** True/false when `printed` (what `cksum` or `md5sum` said in the guest) does/does not
 *  describe `text`; null when the guest printed neither form (no such tool there). */
export function outputIntact(text: string, printed: string): boolean | null {
  const data = Buffer.from(text, 'latin1');
  const posix = /^\s*(\d+)\s+(\d+)/.exec(printed);
  if (posix) {
    const { crc, size } = posixCksum(data);
    return crc === Number(posix[1]) && size === Number(posix[2]);
  }
  const md5 = /^\s*([0-9a-f]{32})\b/.exec(printed);
  if (md5) return createHash('md5').update(data).digest('hex') === md5[1];
  return null;
}
