// One BSD autoconf(9) line. config_attach prints "<xname> at <parent>", the bus's print function
// adds a locator ("dev 3 function 0", "targ 0 lun 0", "id 768"), and the driver's attach routine
// adds ": <description>" or just a newline. Unmatched devices print `"what" at parent ... not
// configured`; later driver output is "<xname>: text".

export interface AttachLine {
  kind: 'attach';
  name: string;
  driver: string;
  unit: number;
  parent: string;
  locator: string | null;
  description: string | null;
  product?: string;
}

export interface UnconfiguredLine {
  kind: 'unconfigured';
  what: string;
  parent: string;
  locator: string | null;
  description: string | null;
}

export interface MessageLine {
  kind: 'message';
  name: string;
  text: string;
}

export type AutoconfLine = AttachLine | UnconfiguredLine | MessageLine;

const XNAME = '[a-z][a-z0-9_]*?\\d+';
const ATTACH = new RegExp(`^([a-z][a-z0-9_]*?)(\\d+) at (${XNAME}|root)(?=$|[\\s:])(.*)$`);
const NETBSD_ROOT = /^([a-z][a-z0-9_]*?)(\d+) \(root\)$/;
const UNCONFIGURED = new RegExp(`^(.+?) at (${XNAME})(?=$|[\\s:])(.*?):? not configured$`);
const MESSAGE = new RegExp(`^(${XNAME}): (.*)$`);
// OpenBSD's PCI print: `dev 3 function 0 "Qumranet Virtio Network" rev 0x00`, or before 4.9 the
// same without quotes, or `vendor "Qumranet", unknown product 0x1045 rev 0x01`.
const PCI_LOCATOR = /^(dev \d+ function \d+)(?: (.+?))?(?: rev (0x[0-9a-f]{2}))?$/;

export function parseAutoconfLine(text: string): AutoconfLine | null {
  const attach = ATTACH.exec(text);
  if (attach) {
    const [, driver, unit, parent, rest] = attach;
    return { kind: 'attach', name: driver + unit, driver, unit: Number(unit), parent, ...splitRest(rest) };
  }
  const root = NETBSD_ROOT.exec(text);
  if (root) {
    const [, driver, unit] = root;
    return { kind: 'attach', name: driver + unit, driver, unit: Number(unit), parent: 'root', locator: null, description: null };
  }
  const unconfigured = UNCONFIGURED.exec(text);
  if (unconfigured) {
    const [, what, parent, rest] = unconfigured;
    const { locator, description } = splitRest(rest);
    return { kind: 'unconfigured', what: unquote(what), parent, locator, description };
  }
  const message = MESSAGE.exec(text);
  if (message) return { kind: 'message', name: message[1], text: message[2] };
  return null;
}

/** The part after "at <parent>": an optional locator, then an optional ": description". */
function splitRest(rest: string): { locator: string | null; description: string | null; product?: string } {
  const colon = descriptionColon(rest);
  const locatorText = (colon < 0 ? rest : rest.slice(0, colon)).trim();
  const description = colon < 0 ? null : rest.slice(colon + 1).trim() || null;
  if (!locatorText) return { locator: null, description };
  const pci = PCI_LOCATOR.exec(locatorText);
  if (pci) {
    const product = pci[2] ? unquote(pci[2]) : undefined;
    return { locator: pci[1], description, ...(product ? { product } : {}) };
  }
  const quoted = /"([^"]*)"/.exec(locatorText);
  return { locator: locatorText, description, ...(quoted ? { product: quoted[1] } : {}) };
}

/** Index of the colon that starts the description: the first one outside quotes, parentheses and
 *  angle brackets that ends the text or is followed by a blank. */
function descriptionColon(s: string): number {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(' || c === '<') depth++;
    else if ((c === ')' || c === '>') && depth > 0) depth--;
    else if (c === ':' && depth === 0 && (i + 1 === s.length || s[i + 1] === ' ')) return i;
  }
  return -1;
}

function unquote(s: string): string {
  const m = /^"([^"]*)"$/.exec(s);
  return m ? m[1] : s;
}
