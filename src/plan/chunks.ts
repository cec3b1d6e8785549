/**
 * The copy as a pure cursor: how a table's rows are cut into binlog transactions, from the table's
 * shape and what the server said of its key (a single integer key's extent, or the cuts a walk over
 * the key finds). No SQL here; `src/sql/builders.ts` turns a chunk into a statement.
 *
 * - `range`: a single integer key that is dense enough: chunks [lo + i*step, lo + (i+1)*step), the
 *   last one open-ended.
 * - `walk`: any other key whose values travel exactly (model/copy.ts Carrier): one worker walks the
 *   key's index and each cut it finds closes a chunk `after < key <= upTo` (in the key's own order)
 *   that any worker copies while the walk goes on; the walk's end opens the last chunk. `cuts` holds
 *   those found before (a resume); the walk goes on after the last.
 * - `cuts`: a finished walk (a resume of a table whose walk had ended): every chunk known.
 * - `parts`: no usable key: the whole table in one statement, or one statement per partition.
 * - `keyset`: a key whose values cannot travel: one chunk after the other on one session, each
 *   boundary found by the server (kept in session variables, so no key value leaves it).
 *
 * The chunks of a range, walk, cuts or parts plan go to any worker: several copy one table at once.
 */

import { formatBytes } from '../model/format.js';
import type { Chunk, CopyKey, KeyValue } from '../model/copy.js';

export type CopyPlan =
  | { kind: 'range'; lo: bigint; hi: bigint; step: bigint }
  | { kind: 'walk'; step: number; cuts: KeyValue[] }
  | { kind: 'cuts'; cuts: KeyValue[] }
  | { kind: 'parts'; parts: (string | undefined)[] }
  | { kind: 'keyset'; step: number };

export interface CopyShape {
  /** The chunking key's columns; none: copied whole or per partition. */
  keyColumns?: string[];
  /** The first key column's type is an integer type (`int`, `bigint unsigned`, ...). */
  integerKey: boolean;
  /** Every key column's values travel through the client exactly (the key has carriers). */
  carried: boolean;
  partitions: string[];
  rowsEstimate: number;
  bytesEstimate: number;
  chunkRows: number;
  chunkBytes: number;
}

/** A table this far under one chunk (by the server's estimates) is copied in one statement. */
export const WHOLE_TABLE_MARGIN = 4;

const INTEGER = /^(tiny|small|medium|big)?int\b/i;
export const isIntegerType = (columnType: string): boolean => INTEGER.test(columnType);

/** Whether `planCopy` needs the key's MIN and MAX (read from the set-aside table). */
export function needsExtent(s: CopyShape): boolean {
  return !copiedWhole(s) && s.keyColumns?.length === 1 && s.integerKey;
}

function copiedWhole(s: CopyShape): boolean {
  if (!s.keyColumns?.length) return true;
  return (
    s.rowsEstimate * WHOLE_TABLE_MARGIN <= s.chunkRows && s.bytesEstimate * WHOLE_TABLE_MARGIN <= s.chunkBytes
  );
}

/**
 * How the table is copied. `extent` is the key's MIN and MAX (null for an empty table), given when
 * `needsExtent`. A range is taken only when dense enough (at most twice as many key values as rows,
 * plus one chunk), so no chunk is mostly empty; any other carried key is walked.
 */
export function planCopy(s: CopyShape, extent?: { lo: bigint; hi: bigint } | null): CopyPlan {
  if (copiedWhole(s)) {
    return {
      kind: 'parts',
      parts: !s.keyColumns?.length && s.partitions.length ? [...s.partitions] : [undefined],
    };
  }
  if (needsExtent(s) && extent !== undefined) {
    if (extent === null) return { kind: 'range', lo: 0n, hi: -1n, step: 1n };
    const { lo, hi } = extent;
    if (hi - lo + 1n <= 2n * BigInt(Math.max(s.rowsEstimate, 1)) + BigInt(s.chunkRows)) {
      return { kind: 'range', lo, hi, step: BigInt(s.chunkRows) };
    }
  }
  if (s.carried) return { kind: 'walk', step: s.chunkRows, cuts: [] };
  return { kind: 'keyset', step: s.chunkRows };
}

/** How many chunks a plan has, when known ahead (a keyset's or a walk's are found as it goes). */
export function chunkCount(p: CopyPlan): number | undefined {
  if (p.kind === 'parts') return p.parts.length;
  if (p.kind === 'keyset' || p.kind === 'walk') return undefined;
  if (p.kind === 'cuts') return p.cuts.length + 1;
  if (p.hi < p.lo) return 0;
  return Number((p.hi - p.lo) / p.step) + 1;
}

/** The chunk a walk's cut closes: after the one before it (none for the first), up to it. */
export function cutChunk(seq: number, after: KeyValue | undefined, upTo: KeyValue | undefined): Chunk {
  return { kind: 'cut', seq, after, upTo };
}

/** The `seq`-th chunk (0-based) of a range, cuts or parts plan; undefined past the end. */
export function chunkAt(p: CopyPlan, seq: number): Chunk | undefined {
  if (p.kind === 'walk')
    return seq >= 0 && seq < p.cuts.length ? cutChunk(seq, p.cuts[seq - 1], p.cuts[seq]) : undefined;
  const n = chunkCount(p);
  if (n === undefined || seq < 0 || seq >= n) return undefined;
  if (p.kind === 'parts') return { kind: 'part', seq, partition: p.parts[seq] };
  if (p.kind === 'cuts') return cutChunk(seq, p.cuts[seq - 1], p.cuts[seq]);
  if (p.kind !== 'range') return undefined;
  const lo = p.lo + BigInt(seq) * p.step;
  return { kind: 'range', seq, lo, hiEx: seq === n - 1 ? undefined : lo + p.step };
}

/** Every chunk known ahead, in key order (of a walk: those its cuts so far close). */
export function allChunks(p: CopyPlan): Chunk[] {
  const n = p.kind === 'walk' ? p.cuts.length : (chunkCount(p) ?? 0);
  return Array.from({ length: n }, (_, i) => chunkAt(p, i)!);
}

/**
 * One line for the plan and the report. `chunkSize`: the chunk size asked for; a chunk of fewer rows
 * says why (each binlog transaction is kept to about CHUNK_BYTES).
 */
export function describeCopy(key: CopyKey | undefined, s: CopyShape, chunkSize?: number): string {
  if (!key) return s.partitions.length ? 'whole, per partition' : 'whole table';
  const on = `${key.index} (${key.columns.join(', ')})`;
  const lowered =
    chunkSize !== undefined && s.chunkRows < chunkSize
      ? ` (not ${chunkSize}: at about ${formatBytes(Math.round(s.chunkBytes / s.chunkRows))} a row, a binlog transaction is kept to about ${formatBytes(s.chunkBytes)})`
      : '';
  if (s.carried || (s.integerKey && key.columns.length === 1))
    return `chunks of ${s.chunkRows} rows${lowered} on ${on}, on any worker`;
  return laneLine(key, s.chunkRows, key.uncarried ?? 'its values cannot be cut ahead') + lowered;
}

/** The plan line of a table a walk could not cut (its first cut did not come back): one lane, why. */
export function laneLine(key: CopyKey, rows: number, why: string): string {
  return `one lane on ${key.index} (${key.columns.join(', ')}), ${rows} rows a chunk: ${why}`;
}
