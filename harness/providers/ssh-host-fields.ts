// The fields of a real host reached over SSH (a dom0, a Hyper-V host), shared by the providers
// that drive one. A pinned key is parsed here, so an empty or garbled one is refused with the
// file and the field before anything connects.
import { z } from 'zod';
import { port, word } from '../core/config-fields.ts';
import { hostKeyProblem } from '../transport/host-key.ts';

const hostKey = z.string().superRefine((line, ctx) => {
  const problem = hostKeyProblem(line);
  if (problem) ctx.addIssue({ code: 'custom', message: `not a usable pinned host key: ${problem}. Fix: paste the host's whole public key line, e.g. "ssh-ed25519 AAAAC3Nza..."` });
});

export const sshHostFields = () => ({
  address: word(253).regex(/^[A-Za-z0-9.:[\]_-]+$/, 'a host name or IP address'),
  port: port(),
  privateKey: word(4096),
  hostKey,
});
