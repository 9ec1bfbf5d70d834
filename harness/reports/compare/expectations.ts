// The expectations file: failures known in advance, each with the reason and a link to where it is
// written down (a CAVEATS sentence, a bug report), so CI can stay green on them and red on news.
import { readFile } from 'node:fs/promises';
import { parseYaml } from '../../config/yaml.ts';
import { z } from 'zod';
import { UsageError } from '../../core/errors.ts';
import type { CheckResult } from '../../core/results.ts';
import { fieldPath } from '../../config/load.ts';

const pattern = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9._@/*-]+$/, 'use a check id, cell, guest or hypervisor name; "*" matches any run of characters');

const knownFailure = z
  .object({
    /** Check id, or a pattern like `hyperv.4/*`. */
    check: pattern,
    /** Guest name pattern; every guest when left out. */
    guest: pattern.optional(),
    /** Hypervisor config name pattern; every config when left out. */
    hypervisor: pattern.optional(),
    /** Only when the failure message contains this text (so a different failure still counts). */
    messageContains: z.string().min(1).optional(),
    reason: z.string().trim().min(1, 'say why the failure is expected'),
    link: z.url({ protocol: /^https?$/, message: 'give an http(s) URL where the failure is written down (manual page, bug report)' }),
  })
  .strict();

const expectationsFile = z
  .object({ knownFailures: z.array(knownFailure) })
  .strict();

export type KnownFailure = z.infer<typeof knownFailure>;

function globToRegExp(glob: string): RegExp {
  const body = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`);
}

function matches(glob: string | undefined, value: string): boolean {
  return glob === undefined || globToRegExp(glob).test(value);
}

/** The first known failure that covers this result's cell and check (whatever its state). */
export function findExpectation(list: KnownFailure[], r: Pick<CheckResult, 'check' | 'guest' | 'hypervisor' | 'message'>): KnownFailure | undefined {
  return list.find(
    (k) =>
      matches(k.check, r.check) &&
      matches(k.guest, r.guest) &&
      matches(k.hypervisor, r.hypervisor) &&
      (k.messageContains === undefined || r.message.includes(k.messageContains)),
  );
}

const EXAMPLE = 'knownFailures:\n  - check: hyperv.4/attach\n    hypervisor: hyperv-gen2\n    reason: "hyperv(4) CAVEATS: Generation 2 Virtual Machines are currently not supported."\n    link: https://man.openbsd.org/hyperv.4#CAVEATS';

const FIELD_FIX: Record<string, string> = {
  knownFailures: `the file is a list under "knownFailures", e.g.\n${EXAMPLE}`,
  check: 'add check: a check id such as hyperv.4/attach, or a pattern such as hyperv.4/*.',
  reason: 'add reason: why the failure is expected.',
  link: 'add link: an http(s) URL where the failure is written down (manual page, bug report).',
};

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v = raw;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function problemAndFix(issue: z.core.$ZodIssue, raw: unknown): string {
  const last = issue.path.at(-1);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    const expected = issue.path.length === 0 ? 'the file has one key, knownFailures' : 'an entry has check, guest, hypervisor, messageContains, reason and link';
    return `unknown key ${keys}. Fix: remove or correct it (misspelt?); ${expected}.`;
  }
  if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined) return `missing. Fix: ${FIELD_FIX[String(last)] ?? 'add it.'}`;
  if (issue.code === 'invalid_type')
    return `expected ${issue.expected}. Fix: ${typeof last === 'number' ? `each entry is a mapping, e.g.\n${EXAMPLE}` : FIELD_FIX[String(last)] ?? `give a ${issue.expected}.`}`;
  return `not valid. Fix: ${issue.message}.`;
}

export function parseExpectations(text: string, file: string): KnownFailure[] {
  const raw = parseYaml(text, file);
  const parsed = expectationsFile.safeParse(raw ?? {});
  if (!parsed.success) {
    // A misspelt key explains the "missing" field it was meant to be: report it first.
    const issues = parsed.error.issues;
    const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
    throw new UsageError(`${file}: field ${fieldPath(issue.path)}: ${problemAndFix(issue, raw ?? {})}`);
  }
  return parsed.data.knownFailures;
}

export async function loadExpectations(file: string): Promise<KnownFailure[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the expectations file (${(e as NodeJS.ErrnoException).code ?? e}). Fix: give an existing YAML file to --expectations, or leave it out.`);
  }
  return parseExpectations(text, file);
}
