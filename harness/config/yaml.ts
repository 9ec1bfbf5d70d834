// Reading a YAML file the user wrote: a syntax error names the file, line and column.
import { parseDocument } from 'yaml';
import { UsageError } from '../core/errors.ts';

/** The document as plain data, or a UsageError at the first syntax error. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const where = e.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : '';
    throw new UsageError(`${file}${where}: not valid YAML: ${e.message.split('\n')[0]}. Fix: correct the YAML syntax there.`);
  }
  return doc.toJS();
}
