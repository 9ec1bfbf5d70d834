// A domU as dom0 knows it now. Its name stays for the cell's life; its domid changes each time
// a fresh guest is restored from the saved state (xl restore makes a new domain), so the host
// halves (XenStore, xl shutdown) read it here rather than keeping the first one.
export interface LiveDomain {
  readonly name: string;
  domid: number;
}
