// All waits in one place, scaled by one capped factor under emulation (syzkaller's Scale,
// openQA's TIMEOUT_SCALE): a guest under TCG is slower, but never unboundedly so.

export interface Timeouts {
  /** From start to SSH answering. */
  bootMs: number;
  /** One SSH connect attempt. */
  connectMs: number;
  /** One command in the guest. */
  commandMs: number;
  /** Graceful power-off before the kill. */
  shutdownMs: number;
  scale: number;
}

export const BASE_TIMEOUTS: Timeouts = {
  bootMs: 60_000,
  connectMs: 5_000,
  commandMs: 30_000,
  shutdownMs: 10_000,
  scale: 1,
};

export const MAX_SCALE = 3;

export function scaled(t: Timeouts, factor: number): Timeouts {
  const s = Math.min(Math.max(factor, 1), MAX_SCALE);
  return {
    bootMs: t.bootMs * s,
    connectMs: t.connectMs * s,
    commandMs: t.commandMs * s,
    shutdownMs: t.shutdownMs,
    scale: s,
  };
}

/** Waits on a QEMU process itself (not on its guest), which a loaded host stretches. */
export const QEMU_WAITS = {
  /** From start to its QMP socket accepting a connection. */
  qmpConnectMs: 15_000,
  /** Loading a saved machine state (the nested Xen host's, ~1 GB). */
  stateLoadMs: 60_000,
  /** Saving it. */
  stateSaveMs: 120_000,
  /** A cold boot of the nested Xen host to its ready marker under TCG. */
  nestedHostBootMs: 300_000,
} as const;
