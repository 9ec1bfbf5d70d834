// The --mirror option: the folder under which a project keeps its releases
// (https://cdn.openbsd.org/pub/OpenBSD/, https://cdn.netbsd.org/pub/NetBSD/).
import { UsageError } from '../../core/errors.ts';

export function normalizeMirror(value: string | undefined, fallback: string, example: string): string {
  const raw = (value ?? fallback).trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--mirror "${raw}" is not a URL. Fix: give the folder that holds the releases, e.g. ${example}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--mirror "${raw}" uses ${url.protocol.replace(':', '')}; only http and https are fetched. Fix: e.g. ${example}`);
  if (url.search || url.hash) throw new UsageError(`--mirror "${raw}" has a query or fragment. Fix: give a plain folder URL, e.g. ${example}`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.toString();
}
