// Boot messages arrive in several wrappers: plain dmesg, Linux's "[    1.234567] " timestamps,
// "<6>" priorities, or a syslog file ("Jan  2 03:04:05 host /bsd: "). Strip them so every parser
// sees the kernel's own text, and keep each line's number for messages.

export interface LogLine {
  /** The kernel's text with any wrapper removed and trailing blanks trimmed. */
  text: string;
  /** 1-based line number in the input. */
  line: number;
}

const PRIORITY = /^<\d{1,2}>/;
const LINUX_TIMESTAMP = /^\[\s*\d+\.\d+\]\s?/;
const SYSLOG_PREFIX = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ (?:\/bsd|\/netbsd|kernel):\s?/;

export function unwrap(raw: string): string {
  return raw.replace(SYSLOG_PREFIX, '').replace(PRIORITY, '').replace(LINUX_TIMESTAMP, '').trimEnd();
}

export function splitLog(text: string): LogLine[] {
  return text.split(/\r?\n/).map((raw, i) => ({ text: unwrap(raw), line: i + 1 }));
}
