// One line of `pvconform doctor`: what was looked at on this host, whether it is fine, and the
// fix when it is not. Plug-ins (providers, guest OSes, images) each add theirs.
export interface HostFinding {
  what: string;
  ok: boolean;
  detail: string;
  /** Not having it is fine (KVM: TCG runs everything; an image: its cells skip until built). */
  optional?: boolean;
}
