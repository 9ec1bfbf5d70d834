// Reads a matrix file (or the embedded default) and turns every problem into one message that
// names the file, the field and the fix.
import { open, readFile, stat } from 'node:fs/promises';
import { decodeYamlBytes, MAX_YAML_BYTES, parseYaml, tooBig } from './yaml.ts';
import type { z } from 'zod';
import { matrixConfig, type MatrixConfig } from './schema.ts';
import { UsageError } from '../core/errors.ts';
import { providerFamilies } from '../providers/registry.ts';

/** QEMU + the Linux reference guest + virtio(4): what `pvconform run` does with no --config. */
export const DEFAULT_MATRIX_YAML = `# pvconform's embedded default matrix
hypervisors:
  - name: qemu
    provider: qemu
    accel: auto
    devices: [net, blk, scsi, console, balloon, rng]
guests:
  - name: linux-ref
suites: [virtio.4]
`;

export async function loadMatrix(path: string | undefined): Promise<{ config: MatrixConfig; source: string }> {
  if (path === undefined) return { config: parseMatrix(DEFAULT_MATRIX_YAML, '<embedded default>'), source: '<embedded default>' };
  let bytes: Buffer;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: st.isDirectory() ? 'EISDIR' : 'not a regular file' });
    // Refuse before reading a huge file into memory.
    if (st.size > MAX_YAML_BYTES) bytes = await readHead(path);
    else bytes = await readFile(path);
    if (st.size > MAX_YAML_BYTES) throw tooBig(bytes, st.size, path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: cannot read the config file (${(e as NodeJS.ErrnoException).code ?? e}). Fix: give an existing YAML file to --config, or leave --config out for the embedded default.`);
  }
  return { config: parseMatrixText(decodeYamlBytes(bytes, path), path), source: path };
}

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(MAX_YAML_BYTES + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A matrix from text (the encoding checks of a file are in loadMatrix). */
export function parseMatrix(text: string, file: string): MatrixConfig {
  return parseMatrixText(decodeYamlBytes(Buffer.from(text, 'utf8'), file), file);
}

function parseMatrixText(text: string, file: string): MatrixConfig {
  const raw = parseYaml(text, file);
  if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw))
    throw new UsageError(
      `${file}: field (top level): ${raw === null || raw === undefined ? 'the file is empty' : `the file is ${Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}, not a mapping`}. Fix: give a mapping with hypervisors, guests and suites (see the example in README.md)`,
    );
  const parsed = matrixConfig().safeParse(raw);
  if (!parsed.success) throw new UsageError(formatIssues(file, raw, parsed.error.issues));
  checkUnique(file, parsed.data);
  return parsed.data;
}

/** zod's issue path as the field a person would look for: `hypervisors[0].accel`. */
export function fieldPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(top level)';
}

/** A value as a message shows it: JSON, cut short, on one line. */
export function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** ONE line for the first problem: the file, the field, what is wrong and the fix. */
function formatIssues(file: string, raw: unknown, issues: z.core.$ZodIssue[]): string {
  // A misspelt key explains the "missing" field it was meant to be: report it first.
  const i = issues.find((x) => x.code === 'unrecognized_keys') ?? issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  const line = `${file}: field ${fieldPath(i.path)}: ${problemAndFix(i, valueAt(raw, i.path))}${more}`;
  return line.replace(/[\r\n]+/g, ' ');
}

function problemAndFix(issue: z.core.$ZodIssue, value: unknown): string {
  const unit = (origin: string) => (origin === 'string' ? ' characters' : origin === 'array' ? ' items' : '');
  switch (issue.code) {
    case 'invalid_value':
      return `${shown(value)} is not allowed. Fix: use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}. Fix: remove ${issue.keys.map((k) => `"${k}"`).join(', ')} (misspelt?)`;
    case 'invalid_union':
      return `${value === undefined ? 'missing' : `${shown(value)} is not a provider`}. Fix: set "provider" to one of ${providerFamilies().map((f) => `"${f}"`).join(', ')} and give that provider's fields`;
    case 'invalid_type': {
      // YAML's words for zod's types: a list, a mapping.
      const kind = issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`;
      const example = issue.path[0] === 'guests' && issue.expected === 'object' ? ' such as {name: linux-ref}' : issue.path[0] === 'hypervisors' && issue.expected === 'object' ? ' such as {name: qemu, provider: qemu}' : '';
      return value === undefined ? `missing. Fix: add ${fieldPath(issue.path.slice(-1)) || 'it'} (${kind})` : `${shown(value)} is not ${kind}. Fix: give ${kind}${example}`;
    }
    case 'too_big':
      return `${issue.origin === 'number' ? shown(value) : `${issue.origin === 'string' ? String(value).length : (value as unknown[]).length}${unit(issue.origin)}`} is too big (${issue.message}). Fix: use at most ${issue.maximum}${unit(issue.origin)}`;
    case 'too_small':
      return issue.origin === 'number' ? `${shown(value)} is too small. Fix: use at least ${issue.minimum}` : `too short. Fix: ${issue.message}`;
    case 'invalid_format':
      return `${shown(value)} is not valid. Fix: ${issue.message}`;
    case 'custom':
      return issue.message.includes('Fix:') ? issue.message : `${issue.message}. Fix: see the example in README.md`;
    default:
      return `${issue.message}. Fix: see the example in README.md`;
  }
}
function checkUnique(file: string, c: MatrixConfig): void {
  for (const [list, what] of [[c.hypervisors, 'hypervisors'], [c.guests, 'guests']] as const) {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.name)) throw new UsageError(`${file}: field ${what}[${i}].name: "${item.name}" is used twice. Fix: give each entry of ${what} its own name.`);
      seen.add(item.name);
    });
  }
}
