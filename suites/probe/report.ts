// The probe's JSON (README.md next to this file), validated so a garbled run is reported as the
// harness's trouble (InfraError), never read as a guest's answer.
import { z } from 'zod';
import { InfraError } from '../../harness/core/errors.ts';

const errnoName = z.string().nullable();

const stat = z.union([
  z.object({
    ok: z.literal(true),
    errno: z.null(),
    kind: z.enum(['char', 'block', 'file', 'directory', 'other']),
    mode: z.string().regex(/^[0-7]{4}$/),
    uid: z.number().int(),
    gid: z.number().int(),
    owner: z.string().nullable(),
    group: z.string().nullable(),
    major: z.number().int().optional(),
    minor: z.number().int().optional(),
  }),
  z.object({ ok: z.literal(false), errno: errnoName }),
]);

const openResult = z.object({ ok: z.boolean(), errno: errnoName });

const call = z.object({
  ioctl: z.enum(['KVREAD', 'KVWRITE', 'TYPE']),
  fd: z.enum(['rdonly', 'rdwr']),
  keylen: z.number().int(),
  valuelen: z.number().int(),
  ok: z.boolean(),
  errno: errnoName,
  value: z.string().nullable(),
});

const platform = z.object({
  sysname: z.string().optional(),
  release: z.string().optional(),
  machine: z.string().optional(),
  error: errnoName.optional(),
  uid: z.number().int(),
});

const headerNumber = z.object({ value: z.string(), from: z.enum(['system', 'probe']) });

export const pvbusReportSchema = z.object({
  probe: z.literal('pvprobe'),
  version: z.literal(1),
  mode: z.literal('pvbus'),
  platform,
  header: z.object({
    file: z.string().nullable(),
    KVREAD: headerNumber,
    KVWRITE: headerNumber,
    TYPE: headerNumber,
    definesPVBUSIOC_TYPE: z.boolean(),
    definesPVBUSIOC_KVTYPE: z.boolean(),
    maxsize: z.number().int(),
    maxsizeFrom: z.enum(['system', 'probe']),
    requestSize: z.number().int(),
  }),
  key: z.string().nullable(),
  writeKey: z.string().nullable(),
  writeValue: z.string().nullable(),
  devices: z.array(
    z.object({
      path: z.string(),
      stat,
      openRdonly: openResult,
      openRdwr: openResult,
      calls: z.record(z.string(), call),
    }),
  ),
});

const xenbusOp = z.object({
  op: z.enum(['read', 'dir', 'write']),
  path: z.string(),
  value: z.string().nullable(),
  ok: z.boolean(),
  stage: z.enum(['write', 'read']).nullable(),
  errno: errnoName,
  detail: z.string().nullable(),
  reply: z
    .object({ type: z.number().int(), typeName: z.string().nullable(), reqId: z.number().int(), len: z.number().int(), payload: z.string() })
    .optional(),
  error: z.string().nullable().optional(),
  entries: z.array(z.string()).optional(),
});

export const xenbusReportSchema = z.object({
  probe: z.literal('pvprobe'),
  version: z.literal(1),
  mode: z.literal('xenbus'),
  platform,
  device: z.object({ path: z.string(), stat, open: openResult }),
  ops: z.array(xenbusOp),
});

export type PvbusReport = z.infer<typeof pvbusReportSchema>;
export type PvbusDevice = PvbusReport['devices'][number];
export type PvbusCall = z.infer<typeof call>;
export type XenbusReport = z.infer<typeof xenbusReportSchema>;
export type XenbusOp = z.infer<typeof xenbusOp>;

function parseWith<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InfraError(`${what}: output is not JSON (${(e as Error).message}); first 200 bytes: ${JSON.stringify(text.slice(0, 200))}`);
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InfraError(`${what}: unexpected JSON at ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return r.data;
}

export function parsePvbusReport(text: string): PvbusReport {
  return parseWith(pvbusReportSchema, text, 'pvprobe pvbus');
}

export function parseXenbusReport(text: string): XenbusReport {
  return parseWith(xenbusReportSchema, text, 'pvprobe xenbus');
}

/** "ERANGE", or "ok" for a call that succeeded, or "not made" for one the probe skipped. */
export function outcome(c: PvbusCall | undefined): string {
  if (!c) return 'not made';
  return c.ok ? 'ok' : (c.errno ?? 'failed without errno');
}
