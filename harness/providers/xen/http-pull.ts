// Staging for the nested host only: dom0 fetches the file from a one-shot HTTP server on the
// harness's loopback, which QEMU's user network shows to the guest as 10.0.2.2. Plain TCP is
// many times faster than SFTP into an emulated dropbear (about 0.6 MB/s here, lab.md §3 host).
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { InfraError } from '../../core/errors.ts';
import type { Dom0 } from './dom0.ts';
import { sq } from './quote.ts';

/** The host as QEMU's user network (slirp) shows it to the guest. */
const SLIRP_HOST = '10.0.2.2';

export async function pullOverHttp(dom0: Dom0, localPath: string, remotePath: string): Promise<void> {
  const { size } = await stat(localPath);
  // An unguessable path, one file, loopback only, closed as soon as dom0 has it.
  const token = randomBytes(16).toString('hex');
  const server = createServer((req, res) => {
    if (req.url !== `/${token}`) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-length', size);
    createReadStream(localPath).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  try {
    await dom0.must(`wget -q -O ${sq(remotePath)} http://${SLIRP_HOST}:${port}/${token} && [ "$(stat -c %s ${sq(remotePath)})" = ${size} ]`, 60_000, `fetching ${localPath} into dom0`);
  } catch (e) {
    throw new InfraError(`${(e as Error).message}`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
