// Splitting a plan's cells over CI runners. Cells are ordered by id and dealt round-robin, so a
// shard depends only on the set of cell ids (not on config order) and shard sizes differ by at
// most one cell.
import { UsageError } from '../core/errors.ts';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export const MAX_SHARDS = 1000;

/** The cells of shard `index` of `count` (1-based), in their original order. Every cell is in
 *  exactly one shard; a shard may be empty when there are more shards than cells. */
export function shardCells<T extends { id: string }>(cells: T[], index: number, count: number): T[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`shard count must be a positive integer, got ${count}`);
  if (!Number.isInteger(index) || index < 1 || index > count) throw new RangeError(`shard index must be 1..${count}, got ${index}`);
  const ids = [...new Set(cells.map((c) => c.id))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mine = new Set(ids.filter((_, i) => i % count === index - 1));
  return cells.filter((c) => mine.has(c.id));
}

/** Parses `--shard i/n`. */
export function parseShard(text: string, option = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const fix = `Fix: give ${option} as i/n with 1 <= i <= n <= ${MAX_SHARDS}, e.g. ${option} 1/2.`;
  if (!m) throw new UsageError(`${option} "${text}": not of the form i/n. ${fix}`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new UsageError(`${option} "${text}": the shard count must be 1..${MAX_SHARDS}. ${fix}`);
  if (index < 1 || index > count) throw new UsageError(`${option} "${text}": the shard index must be 1..${count}. ${fix}`);
  return { index, count };
}
