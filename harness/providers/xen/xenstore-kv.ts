// The host half of XenStore checks: dom0's view of one domain's home, /local/domain/<domid>/.
// Keys are relative to that home, as a guest's own relative paths are (guest-facts.md §5.1);
// an absolute path is taken as it is (dom0 sees the whole store, e.g. to confirm that a
// guest's write elsewhere left nothing).
import type { HostKv } from '../../core/offers.ts';
import type { Dom0 } from './dom0.ts';
import type { LiveDomain } from './live-domain.ts';
import { sq } from './quote.ts';

export class XenStoreKv implements HostKv {
  constructor(
    private readonly dom0: Dom0,
    private readonly domain: LiveDomain,
  ) {}

  get domid(): number {
    return this.domain.domid;
  }

  get home(): string {
    return `/local/domain/${this.domid}`;
  }

  private path(key: string): string {
    if (key.startsWith('/')) return key;
    const clean = key.replace(/\/+$/, '');
    return clean ? `${this.home}/${clean}` : this.home;
  }

  read(key: string): Promise<string | null> {
    return this.dom0.xsRead(this.path(key));
  }

  write(key: string, value: string): Promise<void> {
    return this.dom0.xsWrite(this.path(key), value);
  }

  remove(key: string): Promise<void> {
    return this.dom0.xsRemove(this.path(key));
  }

  /** Every node below `prefix` (a node path), as keys relative to the home, sorted. */
  async list(prefix: string): Promise<string[]> {
    const base = this.path(prefix);
    const r = await this.dom0.run(`xenstore-ls -f ${sq(base)}`, 15_000);
    if (r.code !== 0) return [];
    return parseXenstoreLs(r.stdout)
      .map((e) => e.path)
      .filter((p) => p.startsWith(`${this.home}/`))
      .map((p) => p.slice(this.home.length + 1))
      .sort();
  }
}

/** `xenstore-ls -f` lines: `/full/path = "value"` (values are C-escaped by the tool). */
export function parseXenstoreLs(text: string): Array<{ path: string; value: string }> {
  const out: Array<{ path: string; value: string }> = [];
  for (const line of text.split('\n')) {
    const m = /^(\/\S*) = "(.*)"(?:\s+\(.*\))?$/.exec(line);
    if (m) out.push({ path: m[1], value: m[2] });
  }
  return out;
}
