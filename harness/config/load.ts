// Reads a matrix file (or the embedded default) and turns every problem into one message that
// names the file, the field and the fix.
import { readFile } from 'node:fs/promises';
import { parseYaml } from './yaml.ts';
import type { z } from 'zod';
import { matrixConfig, type MatrixConfig } from './schema.ts';
import { UsageError } from '../core/errors.ts';

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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read the config file (${(e as NodeJS.ErrnoException).code ?? e}). Fix: give an existing YAML file to --config, or leave --config out for the embedded default.`);
  }
  return { config: parseMatrix(text, path), source: path };
}

export function parseMatrix(text: string, file: string): MatrixConfig {
  const raw = parseYaml(text, file);
  const parsed = matrixConfig.safeParse(raw);
  if (!parsed.success) throw new UsageError(formatIssues(file, raw, parsed.error.issues));
  checkUnique(file, parsed.data);
  return parsed.data;
}

/** zod's issue path as the field a person would look for: `hypervisors[0].accel`. */
export function fieldPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(top level)';
}

function formatIssues(file: string, raw: unknown, issues: z.core.$ZodIssue[]): string {
  const lines = issues.slice(0, 5).map((i) => `${file}: field ${fieldPath(i.path)}: ${i.message}. Fix: ${fixFor(i, raw)}`);
  if (issues.length > 5) lines.push(`${file}: ... and ${issues.length - 5} more problems`);
  return lines.join('\n');
}

function fixFor(issue: z.core.$ZodIssue, raw: unknown): string {
  switch (issue.code) {
    case 'invalid_value':
      return `use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `remove ${issue.keys.map((k) => `"${k}"`).join(', ')} (misspelt?)`;
    case 'invalid_union':
      return 'set "provider" to one of "qemu", "xen", "hyperv" and give that provider\'s fields';
    case 'invalid_type':
      return raw === null || raw === undefined ? 'the file is empty: give hypervisors, guests and suites' : `give a value of type ${issue.expected}`;
    case 'too_small':
      return issue.message;
    case 'custom':
      // A cross-field rule of the schema carries its own fix.
      return typeof issue.params?.fix === 'string' ? issue.params.fix : 'see the example in README.md';
    default:
      return 'see the example in README.md';
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
