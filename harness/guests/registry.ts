// Guest OS -> adapter, for the OSes registered from their folders (guests/index.ts lists them).
// Adapters load lazily: a Linux-only run never reads the BSD ones.
import type { GuestOs } from '../core/checks.ts';
import type { GuestAdapter } from '../core/guest-adapter.ts';
import type { GuestOsPlugin } from './plugin.ts';

const plugins = new Map<string, GuestOsPlugin>();

export function registerGuestOs(plugin: GuestOsPlugin): void {
  if (plugins.has(plugin.os)) throw new Error(`guest OS ${plugin.os} registered twice`);
  plugins.set(plugin.os, plugin);
}

/** Removes an OS (tests that register a throwaway one). */
export function unregisterGuestOs(os: string): void {
  plugins.delete(os);
}

export function guestOsPlugins(): GuestOsPlugin[] {
  return [...plugins.values()];
}

export function guestOsNames(): string[] {
  return [...plugins.keys()];
}

export async function adapterFor(os: GuestOs): Promise<GuestAdapter> {
  // The OSes of this project register on first use, so callers need not import the list.
  if (!plugins.has(os)) await import('./index.ts');
  const plugin = plugins.get(os);
  if (!plugin) throw new Error(`no guest adapter for ${os} (registered: ${guestOsNames().join(', ')})`);
  return plugin.adapter();
}
