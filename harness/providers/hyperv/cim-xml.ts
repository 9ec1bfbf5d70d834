// Msvm_KvpExchangeDataItem instances as Hyper-V embeds them in string arrays (CIM-XML,
// DMTF DSP0201): <INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem"><PROPERTY NAME="Name"
// TYPE="string"><VALUE>key</VALUE></PROPERTY>... Only the three properties the exchange uses
// are read: Name, Data and Source (0 host, 1 guest, 2 guest intrinsic, 4 host-only).
import { decodeXmlText } from './powershell.ts';

export interface KvpItem {
  name: string;
  data: string;
  source: number | null;
}

/** Null when the text is not one Msvm_KvpExchangeDataItem instance with a Name. */
export function parseKvpItem(xml: string): KvpItem | null {
  if (!/<INSTANCE\b[^>]*CLASSNAME="Msvm_KvpExchangeDataItem"/.test(xml)) return null;
  const props = new Map<string, string | null>();
  for (const m of xml.matchAll(/<PROPERTY\b([^>]*?)(?:\/>|>([\s\S]*?)<\/PROPERTY>)/g)) {
    const name = /\bNAME="([^"]*)"/.exec(m[1])?.[1];
    if (!name) continue;
    const value = m[2] === undefined ? undefined : /<VALUE>([\s\S]*?)<\/VALUE>|<VALUE\s*\/>/.exec(m[2]);
    props.set(name, value ? decodeXmlText(value[1] ?? '') : null);
  }
  const name = props.get('Name');
  if (name === null || name === undefined) return null;
  const source = props.get('Source');
  return {
    name,
    // Guest strings arrive from UTF-16 buffers; a trailing NUL is transport, not data.
    data: (props.get('Data') ?? '').replace(/\0+$/, ''),
    source: source === null || source === undefined || source === '' ? null : Number(source),
  };
}

export function parseKvpItems(items: unknown[]): KvpItem[] {
  return items.filter((x): x is string => typeof x === 'string').map(parseKvpItem).filter((x): x is KvpItem => x !== null);
}
