// Builds the device list of a BSD boot from its autoconf lines: attach lines become devices,
// "not configured" lines are kept apart, and "<xname>: text" lines go to the device they name.
import { parseAutoconfLine } from './attach-line.ts';
import type { LogLine } from './log-lines.ts';
import type { Device, Unconfigured } from './types.ts';

export interface AutoconfResult {
  devices: Device[];
  unconfigured: Unconfigured[];
  /** Lines that are none of the above (banners, "root on sd0a", bare driver output). */
  other: LogLine[];
}

export function collectAutoconf(lines: LogLine[]): AutoconfResult {
  const devices: Device[] = [];
  const byName = new Map<string, Device>();
  const unconfigured: Unconfigured[] = [];
  const other: LogLine[] = [];
  for (const l of lines) {
    const parsed = parseAutoconfLine(l.text);
    if (parsed?.kind === 'attach') {
      const { kind: _kind, ...fields } = parsed;
      const device: Device = { ...fields, messages: [], line: l.line };
      devices.push(device);
      byName.set(device.name, device); // a re-attach (hotplug) replaces the earlier one for lookups
    } else if (parsed?.kind === 'unconfigured') {
      const { kind: _kind, ...fields } = parsed;
      unconfigured.push({ ...fields, line: l.line });
    } else if (parsed?.kind === 'message' && byName.has(parsed.name)) {
      byName.get(parsed.name)!.messages.push(parsed.text);
    } else {
      other.push(l);
    }
  }
  return { devices, unconfigured, other };
}

const MAC = /\baddress ((?:[0-9a-fx]{2}:){5}[0-9a-fx]{2})\b/i;

/** The MAC address in a driver's text (", address 52:54:00:12:34:56"; dmesgd masks it as xx:...). */
export function macIn(text: string | null): string | undefined {
  return text ? MAC.exec(text)?.[1] : undefined;
}
