// A console session wired to the fake serial guest (test double), through the real socket
// client and log recording, with a transcript beside the log.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleSession } from '../../harness/console/session.ts';
import { connectSerialSocket } from '../../harness/console/serial-socket.ts';
import { Transcript } from '../../harness/console/transcript.ts';
import type { NoisePattern } from '../../harness/console/clean-text.ts';
import { parseTranscript, startFakeGuest, type FakeGuest, type Step } from './fake-serial-guest.ts';

export interface FakeRig {
  session: ConsoleSession;
  guest: FakeGuest;
  dir: string;
  logPath: string;
  transcriptPath: string;
  cleanup(): Promise<void>;
}

export async function fakeRig(script: Step[] | { file: string; vars?: Record<string, string> }, opts: { noise?: NoisePattern[]; charDelayMs?: number } = {}): Promise<FakeRig> {
  const dir = mkdtempSync(join(tmpdir(), 'pvc-fake-'));
  const steps = Array.isArray(script) ? script : parseTranscript(readFileSync(script.file, 'utf8'), script.vars);
  const guest = await startFakeGuest(join(dir, 's'), steps, { charDelayMs: opts.charDelayMs });
  const logPath = join(dir, 'console.log');
  const transcriptPath = join(dir, 'transcript.jsonl');
  const input = await connectSerialSocket(guest.socketPath, { logPath });
  const session = new ConsoleSession({ logPath, input, transcript: new Transcript(transcriptPath), noise: opts.noise, pollMs: 10 });
  return {
    session,
    guest,
    dir,
    logPath,
    transcriptPath,
    cleanup: async () => {
      await session.dispose();
      await guest.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
