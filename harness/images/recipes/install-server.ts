// The HTTP server an installer in the guest fetches its answers and sets from: bound to the
// host's loopback on a port the kernel picks, reached from QEMU's user network as 10.0.2.2.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Served = { file: string } | { text: string };

export interface InstallServer {
  port: number;
  /** Paths requested so far, with the status answered ("GET /install.conf 200"). */
  requests: string[];
  close(): Promise<void>;
}

/** The guest's view of the host on QEMU's user network (slirp). */
export const SLIRP_HOST = '10.0.2.2';

export async function startInstallServer(routes: Map<string, Served>, log: (m: string) => void): Promise<InstallServer> {
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const route = routes.get(path);
    const answer = (status: number) => {
      requests.push(`${req.method} ${path} ${status}`);
      log(`install server: ${req.method} ${path} -> ${status}`);
    };
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
      answer(404);
      res.writeHead(404).end();
      return;
    }
    if ('text' in route) {
      answer(200);
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(route.text) });
      res.end(req.method === 'HEAD' ? undefined : route.text);
      return;
    }
    const st = await stat(route.file).catch(() => null);
    if (!st) {
      answer(404);
      res.writeHead(404).end();
      return;
    }
    answer(200);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': st.size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(route.file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
